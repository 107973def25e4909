import type { LoadedConfig } from '../config-check/load.js';
import { clusterRoles } from '../config/sections/cluster.js';
import type { Logger } from '../core/log.js';
import { startClusterMember } from './cluster-member.js';
import { createServices } from './services.js';
import { startStandalone } from './standalone.js';
import type { NoctuaRuntime, StartOptions } from './types.js';

/**
 * Builds the parts the configuration asks for, connects them and starts them: everything in one process
 * (standalone), or a cluster member's roles. Signals and exit codes are the caller's (`noctua start`).
 */
export function startNoctua(cfg: LoadedConfig, log: Logger, opts: StartOptions = {}): Promise<NoctuaRuntime> {
  const services = createServices(cfg, log, opts);
  return clusterRoles(cfg.settings.cluster).size > 0 ? startClusterMember(cfg, services, opts) : startStandalone(cfg, services, opts);
}

export { buildConsumers, type SampleConsumers } from './consumers.js';
export { buildPollers } from './services.js';
export { Closers, type StopReport } from './closers.js';
export { StandbyStoppedError, type NoctuaRuntime, type StartOptions } from './types.js';
