import { userInfo } from 'node:os';
import { endpointKey } from '../config-backup/host-keys.js';
import type { BackupOutcome } from '../config-backup/runner.js';
import { loadBackupSetup } from '../config-backup/setup.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';

/** One line of output per device. */
export function formatOutcome(o: BackupOutcome): string {
  const secs = `${(o.ms / 1000).toFixed(1)}s`;
  if (!o.ok) return `FAIL  ${o.device}  ${o.kind}: ${o.error}  (${secs})`;
  const r = o.result;
  if (!r.changed) return `ok    ${o.device}  unchanged  (${secs})`;
  return `ok    ${o.device}  ${r.first ? 'first version' : `new version (+${r.added} -${r.removed} lines)`} ${r.commit.slice(0, 10)}  (${secs})`;
}

function who(): string {
  try { return userInfo().username; } catch { return `uid ${process.getuid?.() ?? '?'}`; }
}

/** `noctua config-backup`: read the running configuration of devices over SSH now and store what changed. */
export const command: CliCommand = {
  name: 'config-backup',
  summary: 'Back up running configurations over SSH now (all devices with ssh settings, or the ones named).',
  usage: [
    'noctua config-backup [DEVICE...] [--config DIR] [--json]',
    '       noctua config-backup --forget-host-key DEVICE [--config DIR]',
    '',
    '  --config           the config directory (default: config)',
    '  --json             one JSON object per device',
    '  --forget-host-key  drop the pinned SSH host key of a device that was really replaced; the next backup pins the new one',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, 'forget-host-key': { type: 'string' },
    }, true);
    const setup = loadBackupSetup(values.config ?? 'config', process.env, (msg) => console.error(`warning: ${msg}`));
    const byName = new Map(setup.targets.map((t) => [t.device, t]));
    const known = () => [...byName.keys()].join(', ') || 'none: give devices an ssh: section in devices.yaml';
    const forget = values['forget-host-key'];
    if (forget !== undefined) {
      if (positionals.length > 0) throw new UsageError('--forget-host-key: takes one device and no other device names');
      const t = byName.get(forget);
      if (!t) throw new UsageError(`--forget-host-key: unknown device "${forget}" (devices with ssh settings: ${known()})`);
      const endpoint = endpointKey(t.address, t.ssh.port);
      const pinned = await setup.runner.hostKeys.get(endpoint);
      if (!(await setup.runner.hostKeys.forget(endpoint))) { console.log(`${forget}: no host key pinned for ${endpoint}`); return 0; }
      console.log(`${forget}: forgot host key ${pinned!.fingerprint} for ${endpoint}; the next backup pins the key the device offers then`);
      return 0;
    }
    for (const name of positionals) if (!byName.has(name)) throw new UsageError(`unknown device "${name}" (devices with ssh settings: ${known()})`);
    const targets = positionals.length > 0 ? positionals.map((n) => byName.get(n)!) : setup.targets;
    if (targets.length === 0) { console.error('config-backup: no device has ssh settings in devices.yaml; nothing to back up'); return 1; }
    const outcomes = await setup.runner.run(targets, { by: who(), kind: 'cli', reason: positionals.length > 0 ? 'on demand: noctua config-backup (named devices)' : 'on demand: noctua config-backup' });
    for (const o of outcomes) console.log(values.json ? JSON.stringify(o) : formatOutcome(o));
    return outcomes.every((o) => o.ok) ? 0 : 1;
  },
};
