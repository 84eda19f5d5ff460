#!/usr/bin/env node
// balance-gateway runs its TypeScript sources directly on Node's type stripping (Node 22.18+/24).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `balance-gateway needs Node 22.18 or newer; this is Node ${process.versions.node}.\n` +
      'Inside the repository, run it through npm (npx balance-gateway, npm start): npm puts the Node 24 that `npm install` fetched first on the PATH.\n',
  );
  process.exit(1);
}
await import('../src/cli.ts');
