import { loadConfig } from '../config/loader.js';
import { backupPaths } from '../config-backup/runner.js';
import { maskSecrets, maskSecretsInDiff } from '../config-backup/secrets.js';
import { ConfigStore } from '../config-backup/store.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';

/** `noctua config-diff`: what changed in a device's stored configuration, as a unified diff. */
export const command: CliCommand = {
  name: 'config-diff',
  summary: 'Show how a device\'s backed-up configuration changed (unified diff), list its versions, or print one.',
  usage: [
    'noctua config-diff DEVICE [--from ID] [--to ID] [--masked] [--config DIR]',
    '       noctua config-diff DEVICE --list [--config DIR]',
    '       noctua config-diff DEVICE --show [ID] [--masked] [--config DIR]',
    '',
    '  --from, --to  version ids from --list (default: the version before --to, and the newest)',
    '  --list        the device\'s versions, newest first: id, time, summary',
    '  --show        print one version whole (the newest without ID)',
    '  --masked      replace passwords, communities and keys by ****** (what non-admins see)',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c' }, from: { type: 'string' }, to: { type: 'string' },
      list: { type: 'boolean' }, show: { type: 'boolean' }, masked: { type: 'boolean' },
    }, true);
    const [device, ...rest] = positionals;
    if (!device) throw new UsageError('expected a device name');
    if (rest.length > (values.show ? 1 : 0)) throw new UsageError(`unexpected argument "${rest[values.show ? 1 : 0]}"`);
    if (values.list && values.show) throw new UsageError('--list and --show: choose one');
    const cfg = loadConfig(values.config ?? 'config');
    const store = new ConfigStore(backupPaths(cfg.stateDir).repo);
    const versions = await store.versions(device);
    if (versions.length === 0) { console.error(`config-diff: no stored configuration for device "${device}" (run \`noctua config-backup ${device}\` first)`); return 1; }
    try {
      if (values.list) {
        for (const v of versions) console.log(`${v.commit.slice(0, 10)}  ${v.time}  ${v.subject}`);
        return 0;
      }
      if (values.show) {
        const text = await store.read(device, rest[0]);
        process.stdout.write(values.masked ? maskSecrets(text) : text);
        return 0;
      }
      const diff = await store.diff(device, { from: values.from, to: values.to });
      if (diff === '') { console.error(`config-diff: ${device} has ${versions.length === 1 ? 'one version only' : 'no difference between these versions'}`); return 0; }
      process.stdout.write(values.masked ? maskSecretsInDiff(diff) : diff);
      return 0;
    } catch (err) {
      const msg = (err as Error).message;
      if (/^(--from|--to|version): /.test(msg)) throw new UsageError(msg);
      if (/unknown revision|bad revision|invalid object name|not in '|does not exist/i.test(msg)) {
        console.error(`config-diff: no such version of device "${device}" (see \`noctua config-diff ${device} --list\`): ${msg.split('\n').pop()}`);
        return 1;
      }
      throw err;
    }
  },
};
