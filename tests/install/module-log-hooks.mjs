// Loader hook for counting modules: appends every URL the ESM loader loads to the file named by NOCTUA_MODULE_LOG.
// Runs in the hooks thread, so it writes synchronously instead of messaging the main thread.
import { appendFileSync } from 'node:fs';

let logFile;

/** Receives the log path from the registering thread. */
export function initialize(data) { logFile = data.logFile; }

/** Records the URL, then lets the next hook (tsx, then Node) load it. */
export async function load(url, context, nextLoad) {
  if (logFile && !url.startsWith('node:')) appendFileSync(logFile, `${url}\n`);
  return nextLoad(url, context);
}
