import { checkBackupConfig } from '../config-backup/setup.js';
import { loadFullConfig } from '../config-check/load.js';
import { parseFlags, type CliCommand } from './command.js';

/** `noctua check-config`: validates a config directory and says what it holds. */
export const command: CliCommand = {
  name: 'check-config',
  summary: 'Validate noctua.yaml, devices.yaml, alerts.yaml and notify.yaml together; print every error as file:line:col and exit 1.',
  usage: 'noctua check-config [--config DIR]',
  async run(argv) {
    const { values } = parseFlags(argv, { config: { type: 'string', short: 'c', default: 'config' } });
    const cfg = loadFullConfig(values.config!);
    const enabled = cfg.devices.filter((d) => d.enabled).length;
    const sites = new Set(cfg.devices.map((d) => d.site)).size;
    const disabled = cfg.devices.length - enabled;
    const parts = [`ok: ${cfg.devices.length} devices in ${sites} site${sites === 1 ? '' : 's'}${disabled ? ` (${disabled} disabled)` : ''}`];
    parts.push(cfg.alerts ? `${cfg.alerts.rules.length} alert rules` : 'no alerts.yaml (no alert rules)');
    parts.push(cfg.notify ? `${Object.keys(cfg.notify.channels).length} notification channels, ${Object.keys(cfg.notify.people).length} people` : 'no notify.yaml (nobody is paged)');
    const backup = checkBackupConfig(values.config!);
    if (backup.devices > 0) parts.push(`${backup.devices} devices with configuration backup, ${backup.rules} compliance rules`);
    console.log(parts.join('; '));
    return 0;
  },
};
