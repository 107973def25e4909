import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb } from '../../../src/core/database.js';
import type { IncidentEvent } from '../../../src/core/incident.js';
import { createAlertEngine } from '../../../src/alerting/engine.js';
import { parseAlertRules } from '../../../src/alerting/rules.js';
import { tempDir } from '../../helpers/tmp.js';
import { device, harness, T0 } from './harness.js';
import { DEVICE_DOWN_RULES } from '../../helpers/engine-fixtures.js';

const MIN = 60_000;
const RULES = `${DEVICE_DOWN_RULES}  - name: util
    severity: P3
    for: 10m
    select: { measurement: interface }
    condition: { threshold: { field: in_util_pct, op: ">", value: 90 } }
    summary: "{{instance}} busy"
`;

const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

function stateDir() {
  const t = tempDir('noctua-alerting-');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('state survives a restart', () => {
  it('an open incident stays open, keeps its clock, and is not announced again', async () => {
    const dir = stateDir();
    const clock = new FakeClock(T0);
    const db1 = openStateDb(dir);
    const a = harness(RULES, [device('sw1')], { db: db1, clock });
    a.engine.start();
    await a.feed('icmp', 'sw1', { up: false });
    await a.advance(30_000);
    await a.feed('icmp', 'sw1', { up: false });
    expect(a.kinds()).toEqual(['opened INC-1']);
    a.engine.acknowledge('INC-1', 'wang.fang');
    await a.engine.stop();
    db1.close();

    await clock.advance(5 * MIN);
    const db2 = openStateDb(dir);
    cleanups.push(() => db2.close());
    const b = harness(RULES, [device('sw1')], { db: db2, clock });
    b.engine.start();
    await b.engine.settled();
    expect(b.events).toEqual([]);
    const inc = b.engine.getIncident('INC-1')!.incident;
    expect(inc.state).toBe('acknowledged');
    expect(inc.openedAt.getTime()).toBe(T0 + 30_000);
    expect(inc.alerts[0]!.startsAt.getTime()).toBe(T0 + 30_000);
    // Still down after the restart: no new incident, no event.
    await b.feed('icmp', 'sw1', { up: false });
    expect(b.events).toEqual([]);
    await b.feed('icmp', 'sw1', { up: true });
    expect(b.kinds()).toEqual(['resolved INC-1']);
    await b.engine.stop();
  });

  it('a pending "for" timer is not forgotten: it fires at the time it would have without the restart', async () => {
    const dir = stateDir();
    const clock = new FakeClock(T0);
    const db1 = openStateDb(dir);
    const a = harness(RULES, [device('sw1')], { db: db1, clock });
    a.engine.start();
    for (let i = 0; i < 4; i++) { await a.feed('interface', 'sw1', { in_util_pct: 99 }, { ifName: 'Gi0/1' }); await a.advance(MIN); }
    await a.engine.stop();
    db1.close();

    const db2 = openStateDb(dir);
    cleanups.push(() => db2.close());
    const b = harness(RULES, [device('sw1')], { db: db2, clock });
    b.engine.start();
    for (let i = 0; i < 7; i++) { await b.feed('interface', 'sw1', { in_util_pct: 99 }, { ifName: 'Gi0/1' }); await b.advance(MIN); }
    expect(b.transitions()).toEqual(['firing util sw1/Gi0/1']);
    expect(b.alertEvents[0]!.time.getTime()).toBe(T0 + 10 * MIN);
    await b.engine.stop();
  });

  it('an event persisted but not yet taken by a listener when the process died is delivered once after restart', async () => {
    const dir = stateDir();
    const clock = new FakeClock(T0);
    const db1 = openStateDb(dir);
    const seen1: IncidentEvent[] = [];
    const e1 = createAlertEngine({
      db: db1, rules: parseAlertRules(RULES), devices: [device('sw1')], clock, log: pino({ level: 'silent' }),
      // A listener that never returns: the process "dies" before the event is marked delivered.
      listeners: [{ onIncidentEvent: (e) => { seen1.push(e); return new Promise(() => {}); } }],
    });
    const t = (up: boolean) => e1.write([{ measurement: 'icmp', tags: { device: 'sw1', site: 'hq' }, fields: { up }, time: clock.now() }]);
    await t(false); await t(false); await t(true); await t(false); await t(false);
    await new Promise((r) => setImmediate(r));
    expect(seen1.map((e) => e.kind)).toEqual(['opened']);
    db1.close();

    const db2 = openStateDb(dir);
    cleanups.push(() => db2.close());
    const seen2: IncidentEvent[] = [];
    const e2 = createAlertEngine({
      db: db2, rules: parseAlertRules(RULES), devices: [device('sw1')], clock, log: pino({ level: 'silent' }),
      listeners: [{ onIncidentEvent: (e) => { seen2.push(e); } }],
    });
    await e2.settled();
    expect(seen2.map((e) => `${e.kind} ${e.incident.id}`)).toEqual(['opened INC-1', 'resolved INC-1', 'opened INC-2']);
    expect(seen2.map((e) => e.seq)).toEqual([1, 2, 3]);
    await e2.stop();

    const seen3: IncidentEvent[] = [];
    const e3 = createAlertEngine({
      db: db2, rules: parseAlertRules(RULES), devices: [device('sw1')], clock, log: pino({ level: 'silent' }),
      listeners: [{ onIncidentEvent: (e) => { seen3.push(e); } }],
    });
    e3.start();
    await e3.stop();
    expect(seen3).toEqual([]);
  });

  it('maintenance windows made through the API survive a restart', async () => {
    const dir = stateDir();
    const clock = new FakeClock(T0);
    const db1 = openStateDb(dir);
    const a = harness(RULES, [device('sw1')], { db: db1, clock });
    const w = a.engine.maintenance.create({ name: 'swap', reason: 'PSU swap', owner: 'noc', devices: ['sw1'], start: new Date(T0).toISOString(), end: new Date(T0 + 3_600_000).toISOString() });
    await a.engine.stop();
    db1.close();
    const db2 = openStateDb(dir);
    cleanups.push(() => db2.close());
    const b = harness(RULES, [device('sw1')], { db: db2, clock });
    expect(b.engine.maintenance.list().map((x) => [x.id, x.spec.reason, x.active])).toEqual([[w.id, 'PSU swap', true]]);
    await b.feed('icmp', 'sw1', { up: false });
    await b.feed('icmp', 'sw1', { up: false });
    expect(b.events.map((e) => [e.kind, e.incident.muted])).toEqual([['opened', true]]);
    await b.engine.stop();
  });
});
