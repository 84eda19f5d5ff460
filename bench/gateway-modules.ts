import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * One of the gateway's modules (`config`, `relay/sequence`) from a directory of them
 * (bench/compiled.ts `gatewayModules`): its compiled JavaScript, or its TypeScript when the
 * directory is a tree's `src/`. For the bench's servers that run a gateway, or part of one.
 */
export function importGatewayModule(directory: string, name: string): Promise<any> {
  const compiled = `${directory}/${name}.js`;
  return import(pathToFileURL(existsSync(compiled) ? compiled : `${directory}/${name}.ts`).href);
}

/** Whether the directory has that module at all (an older tree may lack one). */
export function hasGatewayModule(directory: string, name: string): boolean {
  return existsSync(`${directory}/${name}.js`) || existsSync(`${directory}/${name}.ts`);
}
