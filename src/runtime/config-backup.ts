import type { ConfigBackupService } from '../api/services/index.js';
import type { LoadedConfig } from '../config-check/load.js';
import { startConfigBackup, type ConfigBackupRuntime } from '../config-backup/service.js';
import type { RuntimeServices } from './services.js';

/**
 * Starts configuration backup (schedule, change triggers on the bus, jobs, change index, compliance) and
 * registers its closer. The trigger sink goes on the bus (unless `triggerOnBus: false`); the change index is handed to escalation and the API.
 */
export async function startConfigBackupPart(s: RuntimeServices, cfg: LoadedConfig, current: () => LoadedConfig, opts: { triggerOnBus?: boolean } = {}): Promise<ConfigBackupRuntime> {
  const backup = await startConfigBackup({
    configDir: cfg.dir, stateDir: cfg.stateDir, settings: cfg.settings.configBackup, timeZone: cfg.settings.timezone,
    devices: () => current().devices, publish: (x) => s.bus.publish(x), clock: s.clock, log: s.log.child({ component: 'config-backup' }),
  });
  // A cluster core that also polls hears its own events back through the stream: it feeds the trigger from there.
  if (opts.triggerOnBus !== false) s.bus.add(backup.trigger);
  // A backup under way is given its session timeout's worth of time at most; it is cut with the process then.
  s.closers.add('config backup', () => backup.stop(), cfg.settings.configBackup.sessionTimeout + 5000);
  return backup;
}

/** The API's view of configuration backup. */
export function configBackupApi(b: ConfigBackupRuntime): ConfigBackupService {
  return {
    deviceNames: () => b.deviceNames(),
    secretKeywords: (device) => b.secretKeywords(device),
    startJob: (devices, trigger) => b.startJob(devices, trigger),
    job: (id) => b.job(id),
    versions: (device) => b.versions(device),
    read: (device, commit) => b.runner.store.read(device, commit),
    diff: (device, range) => b.runner.store.diff(device, range),
    changesBefore: (device, at) => b.changesBefore(device, at),
    compliance: () => b.compliance(),
  };
}
