import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../config/loader.js';
import { parseDuration } from '../config/duration.js';
import {
  AUTH_PROTOCOLS, BUILTIN_DEFAULTS, PRIV_PROTOCOLS, snmpSettingsSchema, type Device, type SnmpSettings,
} from '../config/inventory-schema.js';
import { describeIssue } from '../config/yaml-source.js';
import { sampleToJson, type Sample } from '../core/sample.js';
import { createSnmpPoller } from '../pollers/snmp/index.js';
import { UsageError, intFlag, parseFlags, type CliCommand } from './command.js';

const USAGE = [
  'noctua poll <device-name | address> [--config DIR] [--community C] [--version 1|2c|3] [--port N]',
  '            [--cycles N --interval 10s] [--json]',
  '            [--timeout MS] [--retries N] [--max-repetitions N]',
  '            [--user NAME --auth-protocol sha --auth-key KEY --priv-protocol aes --priv-key KEY]',
].join('\n');

/** Fields shown per measurement in the readable table, in this order (the JSON has all of them). */
const TABLE_FIELDS: Record<string, string[]> = {
  interface: ['oper_up', 'admin_up', 'speed_bps', 'in_bps', 'out_bps', 'in_util_pct', 'out_util_pct', 'in_errors_ps', 'out_errors_ps'],
  cpu: ['load_pct'],
  memory: ['used_pct', 'used_bytes', 'total_bytes'],
  storage: ['used_pct', 'used_bytes', 'total_bytes'],
  sensor: ['value', 'status', 'ok'],
};

/** Reads the flags into SNMP settings, naming the flag at fault. */
function settingsFromFlags(base: SnmpSettings | undefined, v: Record<string, string | boolean | undefined>): SnmpSettings {
  const s: Record<string, unknown> = { ...(base ?? BUILTIN_DEFAULTS.snmp) };
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  if (str('version') !== undefined) {
    if (!['1', '2c', '3'].includes(str('version')!)) throw new UsageError(`--version: expected 1, 2c or 3, got ${JSON.stringify(str('version'))}`);
    s.version = str('version');
  }
  if (str('community') !== undefined) s.community = str('community');
  const port = intFlag('port', str('port'), 1, 65535); if (port !== undefined) s.port = port;
  const timeout = intFlag('timeout', str('timeout'), 50, 60_000); if (timeout !== undefined) s.timeoutMs = timeout;
  const retries = intFlag('retries', str('retries'), 0, 10); if (retries !== undefined) s.retries = retries;
  const reps = intFlag('max-repetitions', str('max-repetitions'), 1, 200); if (reps !== undefined) s.maxRepetitions = reps;
  if (str('user') !== undefined) s.user = str('user');
  if (str('auth-protocol') !== undefined) {
    if (!(AUTH_PROTOCOLS as readonly string[]).includes(str('auth-protocol')!)) throw new UsageError(`--auth-protocol: expected one of ${AUTH_PROTOCOLS.join(', ')}, got ${JSON.stringify(str('auth-protocol'))}`);
    s.authProtocol = str('auth-protocol');
  }
  if (str('auth-key') !== undefined) s.authKey = str('auth-key');
  if (str('priv-protocol') !== undefined) {
    if (!(PRIV_PROTOCOLS as readonly string[]).includes(str('priv-protocol')!)) throw new UsageError(`--priv-protocol: expected one of ${PRIV_PROTOCOLS.join(', ')}, got ${JSON.stringify(str('priv-protocol'))}`);
    s.privProtocol = str('priv-protocol');
  }
  if (str('priv-key') !== undefined) s.privKey = str('priv-key');
  const flagOf: Record<string, string> = { user: '--user', authProtocol: '--auth-protocol', authKey: '--auth-key', privProtocol: '--priv-protocol', privKey: '--priv-key', community: '--community' };
  const r = snmpSettingsSchema.safeParse(s, { reportInput: true });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw new UsageError(`${flagOf[field] ?? field}: ${describeIssue(issue)}`);
  }
  return r.data;
}

/** Finds the device in the config directory by name, or makes one for a bare address. */
function resolveDevice(target: string, configDir: string, explicitConfig: boolean): { device: Device; profileDirs: string[] } {
  const hasConfig = existsSync(join(configDir, 'devices.yaml'));
  if (explicitConfig && !hasConfig) throw new UsageError(`--config: no devices.yaml in ${configDir}`);
  const profileDirs = existsSync(join(configDir, 'profiles')) ? [join(configDir, 'profiles')] : [];
  if (hasConfig) {
    const cfg = loadConfig(configDir);
    const d = cfg.devices.find((x) => x.name === target) ?? cfg.devices.find((x) => x.address === target);
    if (d) return { device: d, profileDirs };
  }
  const isName = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(target);
  if (isIP(target) === 0 && !isName) throw new UsageError(`expected a device name from devices.yaml or an IP address / host name, got ${JSON.stringify(target)}`);
  return {
    device: {
      name: target, address: target, class: 'other', site: 'adhoc', tags: [], enabled: true, icmp: false,
      snmp: { ...BUILTIN_DEFAULTS.snmp, version: '2c' }, intervals: { ...BUILTIN_DEFAULTS.intervals },
    },
    profileDirs,
  };
}

function show(v: unknown): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'boolean') return v ? 'up' : 'down';
  return String(v);
}

function human(field: string, v: unknown): string {
  if (v === undefined) return '-';
  if ((field.endsWith('_bps') || field.endsWith('_bytes')) && (typeof v === 'number' || typeof v === 'bigint')) {
    const n = Number(v);
    const units = field.endsWith('_bps') ? ['b/s', 'kb/s', 'Mb/s', 'Gb/s', 'Tb/s'] : ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0, x = n;
    while (Math.abs(x) >= 1000 && i < units.length - 1) { x /= 1000; i++; }
    return `${i === 0 ? x.toFixed(0) : x.toFixed(1)} ${units[i]}`;
  }
  if (typeof v === 'boolean' && field === 'ok') return v ? 'yes' : 'NO';
  return show(v);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Renders one poll as readable text: identity first, then a table per measurement. */
export function renderSamples(samples: readonly Sample[]): string {
  const out: string[] = [];
  const common = new Set(['device', 'site', 'class', 'vendor']);
  const sys = samples.find((s) => s.measurement === 'system');
  if (sys) {
    const f = sys.fields;
    out.push(`${String(f.sysName || sys.tags.device)}  vendor ${sys.tags.vendor}${f.os ? `  os ${String(f.os)}` : ''}${f.model ? `  model ${String(f.model)}` : ''}${f.version ? `  version ${String(f.version)}` : ''}`);
    if (f.uptime_s !== undefined) out.push(`uptime ${(Number(f.uptime_s) / 86400).toFixed(1)} days   sysObjectID ${String(f.sysObjectID)}`);
    if (f.sysDescr) out.push(String(f.sysDescr).split('\n')[0]!.slice(0, 120));
  }
  const order = ['interface', 'cpu', 'memory', 'storage', 'sensor', 'ups', 'ups_line', 'pdu', 'firewall', 'event', 'snmp_poll'];
  const kinds = [...new Set(samples.map((s) => s.measurement))].filter((m) => m !== 'system').sort((a, b) => order.indexOf(a) - order.indexOf(b));
  for (const m of kinds) {
    const group = samples.filter((s) => s.measurement === m);
    const tagKeys = [...new Set(group.flatMap((s) => Object.keys(s.tags)))].filter((k) => !common.has(k) && !(m === 'interface' && (k === 'ifDescr' || k === 'ifAlias')));
    const fieldKeys = TABLE_FIELDS[m] ?? [...new Set(group.flatMap((s) => Object.keys(s.fields)))];
    const rows = [[...tagKeys, ...fieldKeys]];
    for (const s of group) rows.push([...tagKeys.map((k) => s.tags[k] ?? ''), ...fieldKeys.map((k) => human(k, s.fields[k]))]);
    out.push('', `${m} (${group.length})`, table(rows));
  }
  return out.join('\n');
}

/** `noctua poll`: polls one device once (or N cycles) and prints what Noctua would store. */
export const command: CliCommand = {
  name: 'poll',
  summary: 'Poll one device over SNMP now and print its samples (a table, or JSON lines with --json).',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c' }, community: { type: 'string' }, version: { type: 'string' }, port: { type: 'string' },
      cycles: { type: 'string' }, interval: { type: 'string' }, json: { type: 'boolean' },
      timeout: { type: 'string' }, retries: { type: 'string' }, 'max-repetitions': { type: 'string' },
      user: { type: 'string' }, 'auth-protocol': { type: 'string' }, 'auth-key': { type: 'string' }, 'priv-protocol': { type: 'string' }, 'priv-key': { type: 'string' },
    }, true);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'expected a device name or address' : `expected one device, got ${positionals.length}: ${positionals.join(' ')}`);
    const cycles = intFlag('cycles', values.cycles, 1, 10_000) ?? 1;
    let intervalMs = 10_000;
    if (values.interval !== undefined) {
      const ms = parseDuration(values.interval);
      if (ms === undefined || ms < 1000) throw new UsageError(`--interval: expected a duration of at least 1s such as "10s" or "1m", got ${JSON.stringify(values.interval)}`);
      intervalMs = ms;
    }
    const { device: found, profileDirs } = resolveDevice(positionals[0]!, values.config ?? 'config', values.config !== undefined);
    const snmp = settingsFromFlags(found.snmp === false ? undefined : found.snmp, values);
    const device: Device = { ...found, snmp };
    const poller = createSnmpPoller({ profileDirs });
    let failed = 0;
    try {
      for (let i = 0; i < cycles; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
        const r = await poller.poll(device, AbortSignal.timeout(Math.max(30_000, snmp.timeoutMs * (snmp.retries + 1) * 20)));
        if (values.json) process.stdout.write(r.samples.map(sampleToJson).join('\n') + '\n');
        else console.log(`${cycles > 1 ? `--- cycle ${i + 1} of ${cycles} ---\n` : ''}${renderSamples(r.samples)}`);
        for (const e of r.errors) console.error(`noctua poll: ${device.name} (${device.address}:${snmp.port}): ${e.kind}: ${e.message}`);
        if (!r.reachable) failed++;
      }
    } finally {
      await poller.close();
    }
    return failed > 0 ? 1 : 0;
  },
};
