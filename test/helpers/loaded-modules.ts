import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/**
 * Preloaded into a process under test with `node --import`: Node's own module hooks see every
 * module the process loads from then on (static and dynamic imports alike), and when the process
 * exits their URLs are written, one a line, to the file the LOADED_MODULES_FILE variable names.
 */
const file = process.env.LOADED_MODULES_FILE;
if (!file) throw new Error('LOADED_MODULES_FILE is not set');
const loaded = new Set<string>();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => writeFileSync(file, [...loaded].join('\n')));
