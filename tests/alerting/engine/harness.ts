import { pino } from 'pino';
import { onTestFinished } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb, type Db } from '../../../src/core/database.js';
import type { IncidentEvent } from '../../../src/core/incident.js';
import type { Sample } from '../../../src/core/sample.js';
import { BUILTIN_DEFAULTS, type Device } from '../../../src/config/inventory-schema.js';
import { createAlertEngine, type AlertEngine } from '../../../src/alerting/engine.js';
import { parseAlertRules } from '../../../src/alerting/rules.js';
import { type Lang } from '../../../src/config/lang.js';

/** A resolved inventory device for tests. */
export function device(name: string, o: Partial<Device> = {}): Device {
  return {
    name, address: '127.0.0.1', class: 'switch', site: 'hq', tags: [], snmp: false, icmp: { ...BUILTIN_DEFAULTS.icmp },
    intervals: { ...BUILTIN_DEFAULTS.intervals }, enabled: true, ...o,
  };
}

export const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

/** An engine on fake time and an in-memory (or given) database, recording every event and alert_event sample. */
export function harness(rulesYaml: string, devices: Device[], o: { db?: Db; clock?: FakeClock; locale?: Lang; derivedParent?: (device: string) => string | undefined } = {}) {
  const clock = o.clock ?? new FakeClock(T0);
  const db = o.db ?? openStateDb('', ':memory:');
  const events: IncidentEvent[] = [];
  const alertEvents: Sample[] = [];
  const engine: AlertEngine = createAlertEngine({
    db, rules: parseAlertRules(rulesYaml), devices, clock, log: pino({ level: 'silent' }),
    listeners: [{ onIncidentEvent: (e) => { events.push(e); } }],
    onAlertEvents: (s) => alertEvents.push(...s), locale: o.locale, derivedParent: o.derivedParent,
  });
  const dev = new Map(devices.map((d) => [d.name, d]));
  /** Feeds one sample at the clock's current time. */
  const feed = async (measurement: string, deviceName: string, fields: Sample['fields'], tags: Record<string, string> = {}) => {
    const d = dev.get(deviceName);
    await engine.write([{ measurement, tags: { device: deviceName, site: d?.site ?? 'hq', class: d?.class ?? 'switch', vendor: 'test', ...tags }, fields, time: clock.now() }]);
    await engine.settled();
  };
  const advance = async (ms: number) => { await clock.advance(ms); await engine.settled(); };
  /** Alert transitions as `state rule device/instance`. */
  const transitions = () => alertEvents.map((s) => `${s.tags.state} ${s.tags.rule} ${s.tags.device}${s.fields.instance ? '/' + String(s.fields.instance) : ''}`);
  const kinds = () => events.map((e) => `${e.kind} ${e.incident.id}`);
  return { clock, db, engine, events, alertEvents, feed, advance, transitions, kinds };
}

/** A started harness whose engine is stopped when the current test finishes. */
export function startHarness(yaml: string, devices: Device[] = [device('sw1')]): ReturnType<typeof harness> {
  const h = harness(yaml, devices);
  h.engine.start();
  onTestFinished(() => h.engine.stop());
  return h;
}
