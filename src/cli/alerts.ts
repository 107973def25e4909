import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { FakeClock } from '../core/clock.js';
import { openStateDb } from '../core/database.js';
import type { IncidentEvent } from '../core/incident.js';
import { sampleFromJson, type Sample } from '../core/sample.js';
import { parseDuration } from '../config/duration.js';
import { BUILTIN_DEFAULTS, type Device } from '../config/inventory-schema.js';
import { loadInventory } from '../config/loader.js';
import { ConfigInvalidError, displayPath, type ConfigError } from '../config/yaml-source.js';
import { createAlertEngine } from '../alerting/engine.js';
import { loadAlertRules } from '../alerting/rules.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';
import { type Lang } from '../config/lang.js';

/** One line of `alerts test` output: an alert or an incident transition. */
export type Transition =
  | { time: string; type: 'alert'; state: string; severity: string; rule: string; device: string; instance: string; incident: string; title: string }
  | { time: string; type: 'incident'; event: string; id: string; severity: string; state: string; device: string; title: string; muted: boolean; suppressedDevices: string[] };

/** Reads a JSON-lines sample file; every bad line is reported with its position. */
export function readSamples(path: string): Sample[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigInvalidError([{ file: path, line: 1, col: 1, path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})` }]);
  }
  const file = displayPath(path);
  const samples: Sample[] = [];
  const errors: ConfigError[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    try { samples.push(sampleFromJson(line)); } catch (err) {
      errors.push({ file, line: i + 1, col: 1, path: '', message: `expected a sample as printed by \`noctua poll --json\`: ${(err as Error).message}` });
    }
  });
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  return samples;
}

/** Devices for a replay: the inventory when given, else what the samples' tags say (no tags, no parents). */
function replayDevices(samples: readonly Sample[], inventory?: string): Device[] {
  if (inventory) {
    const r = loadInventory(inventory);
    if (r.errors.length > 0) throw new ConfigInvalidError(r.errors);
    return r.devices;
  }
  const out = new Map<string, Device>();
  for (const s of samples) {
    const name = s.tags.device;
    if (!name || out.has(name)) continue;
    const cls = (s.tags.class ?? 'other') as Device['class'];
    out.set(name, {
      name, address: '0.0.0.0', class: cls, site: s.tags.site ?? 'default', tags: [], snmp: false, icmp: false,
      intervals: { ...BUILTIN_DEFAULTS.intervals }, enabled: true,
    });
  }
  return [...out.values()];
}

/**
 * Replays samples through the rules on a fake clock driven by the samples' times, and returns every
 * alert and incident transition in order (what `noctua alerts test` prints).
 */
export async function replay(opts: { rules: string; samples: string; devices?: string; tail?: number; locale?: Lang }): Promise<Transition[]> {
  const rules = loadAlertRules(opts.rules);
  const samples = readSamples(opts.samples).map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.time.getTime() - b.s.time.getTime() || a.i - b.i).map((x) => x.s);
  const devices = replayDevices(samples, opts.devices);
  const out: Transition[] = [];
  if (samples.length === 0) return out;
  const clock = new FakeClock(samples[0]!.time);
  const db = openStateDb('', ':memory:');
  const locale = opts.locale ?? 'en';
  const onIncident = (e: IncidentEvent) => {
    out.push({
      time: e.at.toISOString(), type: 'incident', event: e.kind, id: e.incident.id, severity: e.incident.severity, state: e.incident.state,
      device: e.incident.device ?? '', title: e.incident.title, muted: e.incident.muted, suppressedDevices: e.incident.suppressedDevices,
    });
  };
  const engine = createAlertEngine({
    db, rules, devices, clock, locale, log: pino({ level: 'silent' }),
    listeners: [{ onIncidentEvent: onIncident }],
    onAlertEvents: (list) => {
      for (const s of list) {
        out.push({
          time: s.time.toISOString(), type: 'alert', state: s.tags.state!, severity: s.tags.severity!, rule: s.tags.rule!, device: s.tags.device!,
          instance: String(s.fields.instance ?? ''), incident: s.tags.incident ?? '', title: String(s.fields.title ?? ''),
        });
      }
    },
  });
  try {
    engine.start();
    await engine.settled();
    // Samples with the same time arrive as one batch, as one poll would deliver them.
    for (let i = 0; i < samples.length;) {
      const t = samples[i]!.time.getTime();
      const batch: Sample[] = [];
      while (i < samples.length && samples[i]!.time.getTime() === t) batch.push(samples[i++]!);
      await clock.advance(t - clock.ms());
      await engine.settled();
      await engine.write(batch);
      await engine.settled();
    }
    if (opts.tail) { await clock.advance(opts.tail); await engine.settled(); }
    await engine.stop();
  } finally {
    db.close();
  }
  return out;
}

/** The text form of a transition: time, kind, state, severity, then what and where. */
export function formatTransition(t: Transition): string {
  if (t.type === 'alert') {
    return `${t.time}  alert     ${t.state.padEnd(12)} ${t.severity}  ${t.rule}  ${t.device}${t.instance ? ` ${t.instance}` : ''}${t.incident ? `  [${t.incident}]` : ''}  ${t.title}`;
  }
  const extra = `${t.muted ? '  (muted)' : ''}${t.suppressedDevices.length ? `  suppressing: ${t.suppressedDevices.join(', ')}` : ''}`;
  return `${t.time}  incident  ${t.event.padEnd(12)} ${t.severity}  ${t.id}  ${t.device || '-'}  ${t.title}${extra}`;
}

const USAGE = [
  'noctua alerts check --rules FILE',
  'noctua alerts test --rules FILE --samples FILE.jsonl [--devices devices.yaml] [--tail DURATION] [--locale en|zh-CN] [--json]',
].join('\n       ');

/** `noctua alerts`: check a rules file, or replay recorded samples through it (like `promtool test rules`). */
export const command: CliCommand = {
  name: 'alerts',
  summary: 'Check alert rules, or replay recorded samples through them and print every alert and incident transition.',
  usage: `${USAGE}\n\n  --rules     the alerts.yaml to use\n  --samples   JSON lines as printed by \`noctua poll --json\`, with times\n  --devices   an inventory, for device tags and parents (default: devices as the samples name them)\n  --tail      keep the clock running this long after the last sample (absence, for, clearFor)\n  --json      one JSON object per transition`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      rules: { type: 'string' }, samples: { type: 'string' }, devices: { type: 'string' },
      tail: { type: 'string' }, locale: { type: 'string' }, json: { type: 'boolean' },
    }, true);
    const [sub, ...extra] = positionals;
    if (sub !== 'check' && sub !== 'test') throw new UsageError(sub === undefined ? 'expected a subcommand: check or test' : `unknown subcommand "${sub}" (expected check or test)`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (!values.rules) throw new UsageError('--rules: required (expected the path of an alerts.yaml)');
    if (sub === 'check') {
      for (const k of ['samples', 'devices', 'tail', 'locale', 'json'] as const) if (values[k] !== undefined) throw new UsageError(`--${k}: only for "alerts test"`);
      const rules = loadAlertRules(values.rules);
      console.log(`ok: ${rules.rules.length} rule${rules.rules.length === 1 ? '' : 's'}, ${rules.maintenance.length} maintenance window${rules.maintenance.length === 1 ? '' : 's'}`);
      return 0;
    }
    if (!values.samples) throw new UsageError('--samples: required (expected a JSON-lines file of samples)');
    let tail: number | undefined;
    if (values.tail !== undefined) {
      tail = parseDuration(values.tail);
      if (tail === undefined) throw new UsageError(`--tail: expected a duration such as "10m", got ${JSON.stringify(values.tail)}`);
    }
    if (values.locale !== undefined && values.locale !== 'en' && values.locale !== 'zh-CN') throw new UsageError(`--locale: expected en or zh-CN, got ${JSON.stringify(values.locale)}`);
    const transitions = await replay({
      rules: values.rules, samples: values.samples, devices: values.devices, tail,
      locale: values.locale as Lang | undefined,
    });
    for (const t of transitions) console.log(values.json ? JSON.stringify(t) : formatTransition(t));
    return 0;
  },
};
