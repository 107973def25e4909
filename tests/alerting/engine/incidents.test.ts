import { describe, expect, it, onTestFinished } from 'vitest';
import { device, harness, startHarness, T0 } from './harness.js';

const MIN = 60_000;
const start = startHarness;

const RULES = `
evaluationInterval: 5s
flapping: { changes: 4, window: 30m, stableFor: 15m }
rules:
  - name: device-down
    severity: P2
    severityFor: [{ deviceTags: [core], severity: P1 }]
    consecutive: 2
    deviceDown: true
    suppressedByParent: true
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: { en: "{{device}} is down", zh-CN: "{{device}} 设备宕机" }
  - name: if-down
    severity: P3
    select: { measurement: interface }
    condition: { change: { field: oper_up, from: true, to: false } }
    summary: { en: "{{device}} {{instance}} down", zh-CN: "{{device}} 端口 {{instance}} 断开" }
  - name: cpu-high
    severity: P4
    select: { measurement: cpu }
    condition: { threshold: { field: load_pct, op: ">", value: 90 } }
    summary: "{{device}} CPU high"
`;

async function portsDown(h: ReturnType<typeof start>, dev: string, n: number) {
  for (let i = 1; i <= n; i++) await h.feed('interface', dev, { oper_up: true }, { ifName: `Gi0/${i}` });
  await h.advance(MIN);
  for (let i = 1; i <= n; i++) await h.feed('interface', dev, { oper_up: false }, { ifName: `Gi0/${i}` });
}

describe('grouping into incidents', () => {
  it('a switch losing 20 ports is one incident with 20 alerts, not 20', async () => {
    const h = start(RULES);
    await portsDown(h, 'sw1', 20);
    expect(h.kinds()).toEqual(['opened INC-1', ...Array(19).fill('updated INC-1')]);
    const inc = h.engine.getIncident('INC-1')!.incident;
    expect(inc.alerts).toHaveLength(20);
    expect(inc.device).toBe('sw1');
    expect(inc.title).toBe('sw1 Gi0/1 down (+19 more)');
    expect(h.engine.listIncidents({ state: ['open'] }).total).toBe(1);
  });

  it('severity is the highest of the active alerts and the incident resolves when the last alert does', async () => {
    const h = start(RULES, [device('sw1', { tags: ['core'] })]);
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    expect(h.events.at(-1)!.incident.severity).toBe('P4');
    await portsDown(h, 'sw1', 1);
    expect(h.events.at(-1)!.incident.severity).toBe('P3');
    await h.feed('cpu', 'sw1', { load_pct: 10 }, { cpu: '1' });
    await h.feed('interface', 'sw1', { oper_up: true }, { ifName: 'Gi0/1' });
    expect(h.kinds()).toEqual(['opened INC-1', 'updated INC-1', 'updated INC-1', 'resolved INC-1']);
    const resolved = h.events.at(-1)!.incident;
    expect(resolved.state).toBe('resolved');
    expect(resolved.alerts.map((a) => a.state)).toEqual(['resolved', 'resolved']);
    // The next fault is a new incident.
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    expect(h.kinds().at(-1)).toBe('opened INC-2');
  });

  it('groupBy site puts two devices of a site in one incident', async () => {
    const h = start(RULES.replace('evaluationInterval: 5s', 'evaluationInterval: 5s\nincidents: { groupBy: [site] }'), [device('sw1'), device('sw2')]);
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    await h.feed('cpu', 'sw2', { load_pct: 99 }, { cpu: '1' });
    expect(h.kinds()).toEqual(['opened INC-1', 'updated INC-1']);
    expect(h.events.at(-1)!.incident.key).toBe('site=hq');
    expect(h.events.at(-1)!.incident.site).toBe('hq');
  });

  it('severityFor gives core devices P1 and others the rule severity', async () => {
    const h = start(RULES, [device('core1', { tags: ['core'] }), device('acc1')]);
    for (let i = 0; i < 2; i++) {
      await h.feed('icmp', 'core1', { up: false });
      await h.feed('icmp', 'acc1', { up: false });
      await h.advance(30_000);
    }
    const sev = Object.fromEntries(h.engine.listIncidents().items.map((i) => [i.device, i.severity]));
    expect(sev).toEqual({ core1: 'P1', acc1: 'P2' });
  });

  it('titles follow the locale', async () => {
    const h = harness(RULES, [device('sw1')], { locale: 'zh-CN' });
    onTestFinished(() => h.engine.stop());
    await portsDown(h, 'sw1', 2);
    expect(h.events.at(-1)!.incident.title).toBe('sw1 端口 Gi0/1 断开（另有 1 条告警）');
  });
});

describe('dependency suppression by parent', () => {
  const inv = () => [
    device('core-rtr', { class: 'router', tags: ['core'] }),
    device('dist-sw', { parent: 'core-rtr' }),
    device('acc-1', { parent: 'dist-sw' }),
    device('acc-2', { parent: 'dist-sw' }),
  ];
  const cycle = async (h: ReturnType<typeof start>, down: Record<string, boolean>) => {
    for (const [d, isDown] of Object.entries(down)) await h.feed('icmp', d, { up: !isDown });
    await h.advance(30_000);
  };

  it('a dead core router is one P1 incident listing the devices behind it', async () => {
    const h = start(RULES, inv());
    // The children are polled before the parent in each cycle: the worst order for suppression.
    await cycle(h, { 'acc-1': true, 'acc-2': true, 'dist-sw': true, 'core-rtr': true });
    await cycle(h, { 'acc-1': true, 'acc-2': true, 'dist-sw': true, 'core-rtr': true });
    await cycle(h, { 'acc-1': true, 'acc-2': true, 'dist-sw': true, 'core-rtr': true });
    const open = h.engine.listIncidents({ state: 'open' }).items;
    expect(open).toHaveLength(1);
    const inc = open[0]!;
    expect(inc.severity).toBe('P1');
    expect(inc.device).toBe('core-rtr');
    expect(inc.muted).toBe(false);
    expect(inc.suppressedDevices).toEqual(['acc-1', 'acc-2', 'dist-sw']);
    expect(inc.alerts.filter((a) => a.mutedBy?.kind === 'parent').map((a) => a.device).sort()).toEqual(['acc-1', 'acc-2', 'dist-sw']);
    expect(inc.title).toBe('core-rtr is down; 3 devices behind it suppressed');
    expect(h.events.filter((e) => e.kind === 'opened')).toHaveLength(1);
  });

  it('when the parent returns and a child is still down, the child pages on its own', async () => {
    const h = start(RULES, inv());
    const all = { 'acc-1': true, 'acc-2': true, 'dist-sw': true, 'core-rtr': true };
    await cycle(h, all);
    await cycle(h, all);
    await cycle(h, { 'core-rtr': false, 'dist-sw': false, 'acc-2': false, 'acc-1': true });
    const open = h.engine.listIncidents({ state: ['open', 'acknowledged'] }).items;
    expect(open.map((i) => [i.device, i.muted, i.suppressedDevices])).toEqual([['acc-1', false, []]]);
    expect(h.engine.getIncident('INC-1')!.incident.state).toBe('resolved');
  });

  it('a child that is down while its parent is up is not suppressed', async () => {
    const h = start(RULES, inv());
    await cycle(h, { 'acc-1': true, 'dist-sw': false });
    await cycle(h, { 'acc-1': true, 'dist-sw': false });
    const inc = h.engine.listIncidents().items[0]!;
    expect([inc.device, inc.muted]).toEqual(['acc-1', false]);
  });
});

describe('maintenance windows', () => {
  it('a fixed range mutes alerts in scope, records them, and escalates at the end if still firing', async () => {
    const start_ = new Date(T0 - MIN).toISOString();
    const end = new Date(T0 + 30 * MIN).toISOString();
    const h = start(`${RULES}
maintenance:
  - name: sw1-upgrade
    reason: IOS upgrade CHG-1234
    owner: zhang.wei
    devices: sw1
    start: "${start_}"
    end: "${end}"
`, [device('sw1'), device('sw2')]);
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    await h.feed('cpu', 'sw2', { load_pct: 99 }, { cpu: '1' });
    const bySw = () => Object.fromEntries(h.engine.listIncidents().items.map((i) => [i.device, i]));
    expect(bySw().sw1!.muted).toBe(true);
    expect(bySw().sw1!.mutedReason).toContain('maintenance "sw1-upgrade"');
    expect(bySw().sw1!.mutedReason).toContain('IOS upgrade CHG-1234; owner zhang.wei');
    expect(bySw().sw2!.muted).toBe(false);
    expect(h.events.filter((e) => e.incident.device === 'sw1').map((e) => e.kind)).toEqual(['opened']);
    await h.advance(31 * MIN);
    expect(h.events.filter((e) => e.incident.device === 'sw1').map((e) => e.kind)).toEqual(['opened', 'unmuted']);
    expect(h.events.at(-1)!.at.getTime()).toBeLessThanOrEqual(T0 + 30 * MIN + 5000);
  });

  it('a cron window (every Sunday 02:00 Asia/Shanghai for 2h) mutes only inside its hours', async () => {
    // 2026-11-22 is a Sunday; 02:00 in Shanghai is 18:00 UTC on Saturday the 21st.
    const h = harness(`${RULES}
maintenance:
  - name: weekly
    reason: weekly change window
    owner: noc
    sites: [hq]
    cron: "0 2 * * 0"
    duration: 2h
    timezone: Asia/Shanghai
`, [device('sw1')], { clock: new (await import('../../../src/core/clock.js')).FakeClock(Date.UTC(2026, 10, 21, 17, 59, 0)) });
    h.engine.start();
    onTestFinished(() => h.engine.stop());
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    expect(h.events.map((e) => [e.kind, e.incident.muted])).toEqual([['opened', false]]);
    await h.advance(2 * MIN);
    expect(h.events.map((e) => [e.kind, e.incident.muted])).toEqual([['opened', false], ['muted', true]]);
    expect(h.engine.maintenance.list()[0]!.active).toBe(true);
    await h.advance(2 * 60 * MIN);
    expect(h.events.map((e) => e.kind)).toEqual(['opened', 'muted', 'unmuted']);
    expect(h.events[2]!.at.getTime()).toBe(Date.UTC(2026, 10, 21, 20, 0, 0));
    expect(h.engine.maintenance.list()[0]!.start).toEqual(new Date(Date.UTC(2026, 10, 28, 18, 0, 0)));
  });

  it('windows made through the API are validated, mute at once and survive in the store', async () => {
    const h = start(RULES, [device('sw1', { tags: ['lab'] })]);
    expect(() => h.engine.maintenance.create({ name: 'x', reason: 'r', owner: 'o', deviceTags: ['lab'], cron: '61 * * * *', duration: '1h' }))
      .toThrow('cron: minute: expected a number from 0 to 59, got 61');
    expect(() => h.engine.maintenance.create({ name: 'x', reason: 'r', owner: 'o', start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }))
      .toThrow('expected a scope: devices, sites or deviceTags');
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    const w = h.engine.maintenance.create({ name: 'lab work', reason: 'recabling', owner: 'li.na', deviceTags: ['lab'], start: new Date(T0).toISOString(), end: new Date(T0 + 3_600_000).toISOString() }, 'li.na');
    await h.engine.settled();
    expect(h.kinds()).toEqual(['opened INC-1', 'muted INC-1']);
    expect(h.engine.maintenance.get(w.id)!.active).toBe(true);
    expect(h.engine.maintenance.delete(w.id)).toBe(true);
    await h.engine.settled();
    expect(h.kinds()).toEqual(['opened INC-1', 'muted INC-1', 'unmuted INC-1']);
  });
});

describe('flapping', () => {
  it('more than N changes in the window marks the alert flapping; notices are held until it is stable', async () => {
    const h = start(RULES);
    const up = async (v: number) => { await h.feed('cpu', 'sw1', { load_pct: v }, { cpu: '1' }); await h.advance(MIN); };
    for (const v of [99, 10, 99, 10]) await up(v); // 4 changes: not yet flapping
    expect(h.kinds()).toEqual(['opened INC-1', 'resolved INC-1', 'opened INC-2', 'resolved INC-2']);
    await up(99); // 5th change
    expect(h.events.at(-1)!.kind).toBe('opened');
    expect(h.events.at(-1)!.incident.flapping).toBe(true);
    expect(h.events.at(-1)!.incident.muted).toBe(true);
    const n = h.events.length;
    for (const v of [10, 99, 10, 99, 10]) await up(v);
    // While flapping the incident stays open and only says what the alert is doing, muted.
    expect(h.events.slice(n).every((e) => e.incident.muted && e.incident.state === 'open')).toBe(true);
    await h.advance(16 * MIN); // stable (resolved) for stableFor: the incident closes
    expect(h.events.at(-1)!.kind).toBe('resolved');
    expect(h.engine.listIncidents({ state: 'open' }).total).toBe(0);
  });

  it('a flapping alert that settles firing is escalated normally', async () => {
    const h = start(RULES);
    for (const v of [99, 10, 99, 10, 99, 10, 99]) { await h.feed('cpu', 'sw1', { load_pct: v }, { cpu: '1' }); await h.advance(MIN); }
    expect(h.events.at(-1)!.incident.muted).toBe(true);
    for (let i = 0; i < 16; i++) { await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' }); await h.advance(MIN); }
    expect(h.events.at(-1)!.kind).toBe('unmuted');
    expect(h.events.at(-1)!.incident.flapping).toBe(false);
  });
});

describe('incident actions and queries', () => {
  it('acknowledge, unacknowledge, comment and resolve are events with who and why, in the timeline', async () => {
    const h = start(RULES);
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    expect(h.engine.acknowledge('INC-1', 'wang.fang', 'looking')!.state).toBe('acknowledged');
    expect(h.engine.acknowledge('INC-1', 'wang.fang')!.acknowledgedBy).toBe('wang.fang');
    h.engine.comment('INC-1', 'wang.fang', 'fan replaced');
    h.engine.unacknowledge('INC-1', 'li.na');
    expect(h.engine.resolve('INC-1', 'li.na', 'fixed')!.state).toBe('resolved');
    expect(h.engine.acknowledge('NOPE', 'x')).toBeUndefined();
    await h.engine.settled();
    const tl = h.engine.getIncident('INC-1')!.timeline;
    expect(tl.map((e) => [e.kind, e.by ?? '', e.note ?? ''])).toEqual([
      ['opened', '', ''], ['acknowledged', 'wang.fang', 'looking'], ['commented', 'wang.fang', 'fan replaced'],
      ['unacknowledged', 'li.na', ''], ['resolved', 'li.na', 'fixed'],
    ]);
    expect(tl.map((e) => e.seq)).toEqual([...tl.map((e) => e.seq)].sort((a, b) => a - b));
    expect(h.events.map((e) => e.kind)).toEqual(tl.map((e) => e.kind));
    expect(h.alertEvents.map((s) => s.tags.state)).toEqual(['firing', 'acknowledged']);
    // Still over the threshold: closed by hand, it does not reopen until it resolves and fires again.
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    expect(h.engine.listIncidents({ state: 'open' }).total).toBe(0);
    await h.feed('cpu', 'sw1', { load_pct: 10 }, { cpu: '1' });
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    expect(h.engine.listIncidents({ state: 'open' }).items.map((i) => i.id)).toEqual(['INC-2']);
  });

  it('lists filter by state, severity, site and since, with pagination', async () => {
    const h = start(RULES, [device('a', { site: 'hq' }), device('b', { site: 'sh' }), device('c', { site: 'sh' })]);
    await h.feed('cpu', 'a', { load_pct: 99 }, { cpu: '1' });
    await h.advance(MIN);
    await portsDown(h, 'b', 1);
    await h.advance(MIN);
    await h.feed('cpu', 'c', { load_pct: 99 }, { cpu: '1' });
    await h.feed('cpu', 'c', { load_pct: 9 }, { cpu: '1' });
    const e = h.engine;
    expect(e.listIncidents().items.map((i) => i.device)).toEqual(['c', 'b', 'a']);
    expect(e.listIncidents({ state: 'open' }).items.map((i) => i.device)).toEqual(['b', 'a']);
    expect(e.listIncidents({ severity: 'P3' }).items.map((i) => i.device)).toEqual(['b']);
    expect(e.listIncidents({ site: 'sh' }).total).toBe(2);
    expect(e.listIncidents({ since: new Date(T0 + MIN) }).total).toBe(2);
    expect(e.listIncidents({ limit: 1, offset: 1 })).toMatchObject({ total: 3, items: [{ device: 'b' }] });
    expect(e.listAlerts({ state: 'resolved' }).items.map((a) => a.device)).toEqual(['c']);
    expect(e.listAlerts({ state: 'firing', site: 'sh' }).items.map((a) => [a.device, a.rule])).toEqual([['b', 'if-down']]);
    expect(e.activeAlerts()).toHaveLength(2);
  });
});

describe('reload', () => {
  it('alerts of a device removed from the inventory resolve, and so does their incident', async () => {
    const h = start(RULES, [device('sw1'), device('sw2')]);
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    await h.feed('cpu', 'sw2', { load_pct: 99 }, { cpu: '1' });
    h.engine.setDevices([device('sw2')]);
    await h.engine.settled();
    expect(h.transitions()).toEqual(['firing cpu-high sw1/1', 'firing cpu-high sw2/1', 'resolved cpu-high sw1/1']);
    expect(h.engine.listIncidents({ state: 'open' }).items.map((i) => i.device)).toEqual(['sw2']);
  });

  it('alerts of a rule removed from the file resolve at the next tick', async () => {
    const h = start(RULES);
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    const { parseAlertRules } = await import('../../../src/alerting/rules.js');
    h.engine.setRules(parseAlertRules(RULES.replace('name: cpu-high', 'name: cpu-high\n    enabled: false')));
    await h.advance(5000);
    expect(h.transitions()).toEqual(['firing cpu-high sw1/1', 'resolved cpu-high sw1/1']);
    expect(h.kinds()).toEqual(['opened INC-1', 'resolved INC-1']);
  });

  it('alert_event samples carry the tags and fields of docs/SCHEMA.md', async () => {
    const h = start(RULES);
    await h.feed('cpu', 'sw1', { load_pct: 99.5 }, { cpu: '1' });
    expect(h.alertEvents[0]).toEqual({
      measurement: 'alert_event',
      tags: { device: 'sw1', site: 'hq', severity: 'P4', rule: 'cpu-high', state: 'firing', incident: 'INC-1' },
      fields: { title: 'sw1 CPU high', text: 'sw1 CPU high', instance: '1', value: 99.5 },
      time: new Date(T0),
    });
  });
});
