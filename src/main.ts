import type { LoadedConfig } from './config/loader.js';
import type { Logger } from './core/log.js';

/** A running Noctua: whatever parts the configuration enables, wired together. */
export interface NoctuaRuntime {
  /** Drains in-flight work, flushes sinks and stops. */
  stop(): Promise<void>;
}

/** Wiring only: builds the parts from the configuration, connects them and starts them. */
export async function startNoctua(cfg: LoadedConfig, log: Logger): Promise<NoctuaRuntime> {
  log.info({ devices: cfg.devices.length, sites: cfg.sites.length }, 'noctua started');
  return { async stop() { log.info('noctua stopped'); } };
}
