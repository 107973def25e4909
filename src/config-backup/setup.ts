import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConfigBackupSource } from '../reports/model/config-backup.js';
import { loadComplianceRules } from './compliance-rules.js';
import { configBackupReportSource } from './report-source.js';
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

/**
 * The weekly report's view of configuration backup for `noctua report`: undefined when no device has ssh settings
 * or nothing was ever backed up (the sections then say so); the rules are the shipped ones plus configBackup.compliance.
 */
export function reportSourceFor(configDir: string, env: NodeJS.ProcessEnv = process.env): ConfigBackupSource | undefined {
  const setup = loadBackupSetup(configDir, env);
  if (setup.targets.length === 0 || !existsSync(join(setup.runner.store.dir, '.git'))) return undefined;
  const section = setup.config.settings.configBackup;
  const rules = loadComplianceRules({ userFile: section.compliance ? resolve(setup.config.dir, section.compliance) : undefined });
  const platforms = new Map(setup.targets.map((t) => [t.device, t.ssh.platform]));
  return configBackupReportSource(setup.runner.store, rules, () => platforms);
}

/**
 * What `noctua check-config` says of configuration backup: devices with ssh settings and compliance rules, every
 * mistake (an ssh setting, an unknown platform, a compliance file) thrown as ConfigInvalidError with file:line.
 */
export function checkBackupConfig(configDir: string, env: NodeJS.ProcessEnv = process.env): { devices: number; rules: number } {
  const config = loadConfig(configDir, env);
  const section = config.settings.configBackup;
  const vendors = vendorsFor(config.dir, section);
  const targets = resolveBackupTargets(join(config.dir, 'devices.yaml'), vendors, env);
  const rules = loadComplianceRules({ userFile: section.compliance ? resolve(config.dir, section.compliance) : undefined, knownPlatforms: [...vendors.keys()] });
  return { devices: targets.length, rules: rules.length };
}
