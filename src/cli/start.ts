import { loadConfig } from '../config/loader.js';
import { createLogger } from '../core/log.js';
import { startNoctua } from '../main.js';
import { parseFlags, type CliCommand } from './command.js';

/** Resolves when the process receives SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => { process.off('SIGINT', on); process.off('SIGTERM', on); resolve(s); };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** `noctua start`: runs the configured fleet until SIGTERM. */
export const command: CliCommand = {
  name: 'start',
  summary: 'Run Noctua: poll the inventory, store samples, evaluate alerts and serve the API.',
  usage: 'noctua start [--config DIR]',
  async run(argv) {
    const { values } = parseFlags(argv, { config: { type: 'string', short: 'c', default: 'config' } });
    const signalled = untilSignal();
    const cfg = loadConfig(values.config!);
    const log = createLogger({ level: cfg.settings.logLevel });
    const runtime = await startNoctua(cfg, log);
    const signal = await signalled;
    log.info({ signal }, 'stopping');
    await runtime.stop();
    return 0;
  },
};
