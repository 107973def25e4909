import { loadConfig } from '../config/loader.js';
import { parseFlags, type CliCommand } from './command.js';

/** `noctua check-config`: validates a config directory and says what it holds. */
export const command: CliCommand = {
  name: 'check-config',
  summary: 'Validate noctua.yaml and devices.yaml (and the other config files); exit 1 on any error.',
  usage: 'noctua check-config [--config DIR]',
  async run(argv) {
    const { values } = parseFlags(argv, { config: { type: 'string', short: 'c', default: 'config' } });
    const cfg = loadConfig(values.config!);
    const enabled = cfg.devices.filter((d) => d.enabled).length;
    const sites = new Set(cfg.devices.map((d) => d.site)).size;
    const disabled = cfg.devices.length - enabled;
    console.log(`ok: ${cfg.devices.length} devices in ${sites} site${sites === 1 ? '' : 's'}${disabled ? ` (${disabled} disabled)` : ''}`);
    return 0;
  },
};
