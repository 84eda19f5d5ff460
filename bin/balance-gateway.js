#!/usr/bin/env node
// Two layouts run this file. The published package holds dist/ (JavaScript compiled by `npm run
// build`) and no src/, and Node never strips types inside node_modules; a clone of the repository
// runs src/ on Node's type stripping, so an edit there needs no build. A clone's src/ always wins
// over a dist/ left behind by `npm pack`, which may be stale.
import { existsSync } from 'node:fs';

const fromSource = existsSync(new URL('../src/cli.ts', import.meta.url));
// src/ needs type stripping on by default (22.18); dist/ needs what its dependencies declare
// (@whatwg-node/* ask for 22.15), which is package.json's `engines.node`.
const [needMajor, needMinor] = fromSource ? [22, 18] : [22, 15];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.stderr.write(
    `balance-gateway needs Node ${needMajor}.${needMinor} or newer; this is Node ${process.versions.node}.\n` +
      (fromSource
        ? 'Inside the repository, run it through npm (npx balance-gateway, npm start): npm puts the Node 26 that `npm install` fetched first on the PATH.\n'
        : ''),
  );
  process.exit(1);
}
// graphql-js checks every instanceof for a second copy of itself unless NODE_ENV is production, on
// every field of every answer; the gateway reads NODE_ENV for nothing else (yoga's development
// error masking is off whatever it says). Set before graphql loads; an operator's value wins.
process.env.NODE_ENV ??= 'production';
await import(fromSource ? '../src/cli.ts' : '../dist/cli.js');
