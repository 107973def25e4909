// Runs the noctua CLI like bin/noctua.js, writing every module it loads (ESM through a loader hook, CommonJS from
// the require cache at exit) to the file named by NOCTUA_MODULE_LOG, one URL per line.
import { register as registerTsx } from 'tsx/esm/api';
import { register } from 'node:module';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const logFile = process.env.NOCTUA_MODULE_LOG;
const root = process.env.NOCTUA_ROOT;
if (!logFile || !root) throw new Error('set NOCTUA_MODULE_LOG and NOCTUA_ROOT');
registerTsx();
// Registered after tsx, so this hook runs first and sees every URL before tsx rewrites the source.
register(new URL('./module-log-hooks.mjs', import.meta.url), { data: { logFile } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  appendFileSync(logFile, Object.keys(cache).map((f) => `${pathToFileURL(f).href}\n`).join(''));
});
const { main } = await import(pathToFileURL(`${root}/src/cli/main.ts`).href);
process.exitCode = await main(process.argv.slice(2));
