import { join } from 'node:path';
import { loadConfig, type BaseConfig } from '../config/loader.js';
import { createBackupRunner, type BackupRunner } from './runner.js';
import { resolveBackupTargets, type BackupTarget } from './targets.js';
import { vendorsFor } from './service.js';

/** Configuration backup as a config directory describes it: settings, devices with SSH access, and the runner. */
export interface BackupSetup { config: BaseConfig; targets: BackupTarget[]; runner: BackupRunner }

/** Loads noctua.yaml, devices.yaml and the command sets (shipped, then configBackup.vendorsDir) of a config directory. */
export function loadBackupSetup(configDir: string, env: NodeJS.ProcessEnv = process.env, warn?: (msg: string) => void): BackupSetup {
  const config = loadConfig(configDir, env);
  const section = config.settings.configBackup;
  const vendors = vendorsFor(config.dir, section);
  const targets = resolveBackupTargets(join(config.dir, 'devices.yaml'), vendors, env);
  const runner = createBackupRunner({
    stateDir: config.stateDir, concurrency: section.concurrency, warn,
    limits: { connectTimeout: section.connectTimeout, idleTimeout: section.idleTimeout, sessionTimeout: section.sessionTimeout },
  });
  return { config, targets, runner };
}
