import { describe, expect, it } from 'vitest';
import { parseAlertRules } from '../../../src/alerting/rules.js';
import type { Sample } from '../../../src/core/sample.js';
import { startHarness } from './harness.js';

const MIN = 60_000;

/** The shipped interface rules' shapes: a threshold with a clear condition, a counter rate, a port change, and a count. */
const INTERFACE_RULES = `
evaluationInterval: 5s
forgetAfterPolls: 3
rules:
  - name: util-in
    severity: P3
    select: { measurement: interface }
    condition: { threshold: { field: in_util_pct, op: ">", value: 90 } }
    clear: { threshold: { field: in_util_pct, op: "<", value: 80 } }
    noData: { after: 5m, action: resolve }
    summary: "{{device}} {{instance}} inbound at {{value}}%"
  - name: errors
    severity: P3
    select: { measurement: interface }
    condition: { rate: { field: in_errors, window: 10m, per: m, op: ">", value: 60, counter: true } }
    summary: "{{device}} {{instance}} errors rising"
  - name: uplink-down
    severity: P2
    select: { measurement: interface, match: { ifAlias: ["*uplink*"] } }
    condition: { change: { field: oper_up, from: true, to: false } }
    summary: "{{device}} uplink {{instance}} down"
  - name: port-down
    severity: P4
    consecutive: 3
    select: { measurement: interface }
    condition: { threshold: { field: oper_up, op: "==", value: false } }
    summary: "{{device}} {{instance}} down"
`;

type Harness = ReturnType<typeof startHarness>;

/** One SNMP poll of the device's interfaces, all at the clock's current time (as the poller stamps them). */
async function poll(h: Harness, ports: { name: string; fields: Sample['fields']; alias?: string }[]): Promise<void> {
  const time = h.clock.now();
  await h.engine.write(ports.map((p) => ({
    measurement: 'interface', time, fields: p.fields,
    tags: { device: 'sw1', site: 'hq', class: 'switch', vendor: 'test', ifName: p.name, ifAlias: p.alias ?? '' },
  })));
  await h.engine.settled();
}

describe('alert trackers of instances that went away', () => {
  it('a device whose interface names change on every one of 1,000 polls keeps the tracker count bounded', async () => {
    const h = startHarness(INTERFACE_RULES);
    const counts: number[] = [];
    for (let i = 0; i < 1000; i++) {
      // Four ports renamed on every poll (the device controls ifName), down so that they go pending, and one stable port.
      const renamed = [0, 1, 2, 3].map((k) => ({ name: `Gi${i}/${k}`, alias: `uplink ${i}`, fields: { in_util_pct: 10, in_errors: BigInt(i), oper_up: false } }));
      await poll(h, [...renamed, { name: 'Te1/1', fields: { in_util_pct: 10, in_errors: BigInt(i * 100), oper_up: true } }]);
      counts.push(h.engine.read.stats().trackers);
      await h.advance(MIN);
    }
    // 4 rules × 4 ports × (3 polls missed + the current one), plus the stable port's 3 rules.
    expect(Math.max(...counts)).toBeLessThanOrEqual(4 * 4 * 4 + 3);
    expect(counts.at(-1)).toBe(counts[10]);
    // The renamed ports went pending (port-down needs 3 polls in a row) and never fired: only those of the last four
    // polls are still pending, the others were cancelled with their log rows when forgotten.
    expect(h.engine.activeAlerts().filter((a) => a.instance.startsWith('Gi'))).toHaveLength(4 * 4);
    expect(h.engine.listAlerts({ state: 'pending', limit: 500 }).total).toBe(4 * 4);
    // The stable port kept its rate window all along: 100 errors a minute fired long ago and still fires.
    expect(h.transitions().filter((t) => t.includes('errors'))).toEqual(['firing errors sw1/Te1/1']);
    await h.engine.stop();
    const rows = h.db.prepare('SELECT COUNT(*) AS n FROM alert_trackers').get() as { n: number };
    expect(rows.n).toBeLessThanOrEqual(4 * 4 * 4 + 3);
  });

  it('keeps a firing alert of a port that went away until it resolves, then forgets it', async () => {
    const h = startHarness(INTERFACE_RULES);
    const stable = { name: 'Te1/1', fields: { in_util_pct: 10, in_errors: 0n, oper_up: true } };
    await poll(h, [stable, { name: 'Gi0/9', fields: { in_util_pct: 99, in_errors: 0n, oper_up: true } }]);
    expect(h.transitions()).toEqual(['firing util-in sw1/Gi0/9']);
    for (let i = 0; i < 4; i++) { await h.advance(MIN); await poll(h, [stable]); }
    // Four polls without Gi0/9: still firing (its noData is 5 minutes).
    expect(h.engine.activeAlerts().map((a) => `${a.rule} ${a.instance}`)).toEqual(['util-in Gi0/9']);
    // Its other rules' trackers were forgotten after three polls; the firing one is kept: Te1/1's three and this one.
    expect(h.engine.read.stats().trackers).toBe(4);
    await h.advance(MIN);
    expect(h.transitions()).toEqual(['firing util-in sw1/Gi0/9', 'resolved util-in sw1/Gi0/9']);
    expect(h.kinds()).toEqual(['opened INC-1', 'resolved INC-1']);
    expect(h.engine.read.stats().trackers).toBe(4);
    // Resolved, it is forgotten at the next poll.
    await poll(h, [stable]);
    expect(h.engine.read.stats().trackers).toBe(3);
  });

  it('keeps the trackers of a device that answers no poll: only polls that happened count', async () => {
    const h = startHarness(INTERFACE_RULES);
    await poll(h, [{ name: 'Gi0/1', alias: 'uplink to core', fields: { in_util_pct: 10, in_errors: 0n, oper_up: true } }]);
    // Ten minutes without any interface sample (the agent is dead): nothing is forgotten.
    await h.advance(10 * MIN);
    await poll(h, [{ name: 'Gi0/1', alias: 'uplink to core', fields: { in_util_pct: 10, in_errors: 0n, oper_up: false } }]);
    // The change condition still remembers "up": the port going down is an alarm.
    expect(h.transitions().filter((t) => t.includes('uplink'))).toEqual(['firing uplink-down sw1/Gi0/1']);
  });

  it('forgets after forgetAfterPolls polls when set, and a port that comes back starts afresh', async () => {
    const h = startHarness(INTERFACE_RULES.replace('forgetAfterPolls: 3', 'forgetAfterPolls: 1'));
    const uplink = (up: boolean) => ({ name: 'Gi0/1', alias: 'uplink to core', fields: { in_util_pct: 10, in_errors: 0n, oper_up: up } });
    const other = { name: 'Gi0/2', fields: { in_util_pct: 10, in_errors: 0n, oper_up: true } };
    await poll(h, [uplink(true), other]);
    await h.advance(MIN);
    await poll(h, [other]);
    await h.advance(MIN);
    await poll(h, [other]);
    // Gi0/1 was missing from one poll: forgotten. Seen down now, it was never seen up by this tracker: no alarm.
    await h.advance(MIN);
    await poll(h, [uplink(false), other]);
    expect(h.transitions().filter((t) => t.includes('uplink'))).toEqual([]);
  });

  it('forgets after five polls unless told otherwise, and rejects a forgetAfterPolls that is not a whole number of at least 1', () => {
    expect(parseAlertRules(INTERFACE_RULES.replace('forgetAfterPolls: 3\n', '')).forgetAfterPolls).toBe(5);
    expect(() => parseAlertRules(INTERFACE_RULES.replace('forgetAfterPolls: 3', 'forgetAfterPolls: 0'))).toThrow(/forgetAfterPolls/);
    expect(() => parseAlertRules(INTERFACE_RULES.replace('forgetAfterPolls: 3', 'forgetAfterPolls: 2.5'))).toThrow(/forgetAfterPolls/);
  });
});

describe('silence is the signal: absence and no-data rules keep their trackers', () => {
  it('an absence rule on a mount that went away fires although the other mounts are polled', async () => {
    const h = startHarness(`
evaluationInterval: 5s
rules:
  - name: mount-gone
    severity: P2
    select: { measurement: storage }
    condition: { absence: { after: 5m } }
    summary: "{{device}} {{instance}} no longer reported"
`);
    const mounts = async (names: string[]) => {
      await h.engine.write(names.map((m) => ({ measurement: 'storage', tags: { device: 'sw1', site: 'hq', mount: m }, fields: { used_pct: 10 }, time: h.clock.now() })));
      await h.engine.settled();
    };
    await mounts(['/', '/data']);
    for (let i = 0; i < 6; i++) { await h.advance(MIN); await mounts(['/']); }
    expect(h.transitions()).toEqual(['firing mount-gone sw1//data']);
    for (let i = 0; i < 10; i++) { await h.advance(MIN); await mounts(['/']); }
    expect(h.engine.activeAlerts().map((a) => a.instance)).toEqual(['/data']);
  });

  it('a noData "fire" rule fires for an instance that went away', async () => {
    const h = startHarness(`
evaluationInterval: 5s
rules:
  - name: sensor-silent
    severity: P3
    select: { measurement: sensor }
    condition: { threshold: { field: value, op: ">", value: 70 } }
    noData: { after: 270s, action: fire }
    summary: "{{device}} {{instance}} {{value}}"
`);
    const sensors = async (names: string[]) => {
      await h.engine.write(names.map((n) => ({ measurement: 'sensor', tags: { device: 'sw1', site: 'hq', name: n, kind: 'temperature' }, fields: { value: 40 }, time: h.clock.now() })));
      await h.engine.settled();
    };
    await sensors(['inlet', 'cpu']);
    for (let i = 0; i < 6; i++) { await h.advance(MIN); await sensors(['inlet']); }
    expect(h.transitions()).toEqual(['firing sensor-silent sw1/cpu']);
    expect(h.alertEvents[0]!.fields.title).toBe('sw1 cpu no data');
  });
});
