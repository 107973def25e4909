import { inventoryFileSchema } from '../config/inventory-schema.js';
import { sshSettingsSchema, type SshPartial, type SshSettings } from '../config/sections/config-backup.js';
import { ConfigInvalidError, YamlSource, parseYamlWith, type ConfigError } from '../config/yaml-source.js';
import type { Vendor } from './vendor.js';

/** A device that configuration backup can reach: its SSH settings resolved and its command set found. */
export interface BackupTarget { device: string; address: string; ssh: SshSettings; vendor: Vendor }

const DEFAULT_SSH = { port: 22 };

/**
 * Resolves each device's `ssh:` from devices.yaml: the file-wide defaults, then its site's defaults, then the
 * device, key by key (`ssh: false` at any level leaves the device out unless a lower level sets `ssh` again).
 * Devices without any `ssh:` are not backed up. Every mistake is reported with file:line.
 */
export function resolveBackupTargets(devicesFile: string, vendors: ReadonlyMap<string, Vendor>, env: NodeJS.ProcessEnv = process.env): BackupTarget[] {
  const src = YamlSource.read(devicesFile);
  const parsed = parseYamlWith(src, inventoryFileSchema, env);
  if (!parsed.value) throw new ConfigInvalidError(parsed.errors);
  const file = parsed.value;
  const siteDefaults = new Map((file.sites ?? []).map((s) => [s.name, s.defaults?.ssh]));
  const errors: ConfigError[] = [];
  const targets: BackupTarget[] = [];
  file.devices.forEach((d, i) => {
    let merged: Partial<SshPartial> | false | undefined;
    for (const layer of [file.defaults?.ssh, d.site ? siteDefaults.get(d.site) : undefined, d.ssh]) {
      if (layer === undefined) continue;
      merged = layer === false ? false : { ...(merged || {}), ...Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) };
    }
    if (!merged || d.enabled === false) return;
    const r = sshSettingsSchema.safeParse({ ...DEFAULT_SSH, ...merged }, { reportInput: true });
    if (!r.success) {
      const at = d.ssh ? ['devices', i, 'ssh'] : ['devices', i];
      for (const issue of r.error.issues) errors.push(src.error(at, `ssh.${issue.path.join('.')}: ${issue.message} (device "${d.name}", after defaults and site)`));
      return;
    }
    const vendor = vendors.get(r.data.platform);
    if (!vendor) {
      errors.push(src.error(d.ssh && d.ssh.platform ? ['devices', i, 'ssh', 'platform'] : ['devices', i], `unknown ssh.platform "${r.data.platform}" for device "${d.name}" (expected one of: ${[...vendors.keys()].join(', ')})`));
      return;
    }
    targets.push({ device: d.name, address: d.address, ssh: r.data, vendor });
  });
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  return targets;
}
