import { join, resolve } from 'node:path';
import { loadConfig } from '../config/loader.js';
import { loadComplianceRules } from './compliance-rules.js';
import { resolveBackupTargets } from './targets.js';
import { vendorsFor } from './vendor.js';

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
