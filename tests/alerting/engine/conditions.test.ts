import { describe, expect, it } from 'vitest';
import { device, startHarness } from './harness.js';

const MIN = 60_000;
const start = startHarness;

describe('threshold conditions', () => {
  const rules = `
rules:
  - name: cpu-high
    severity: P3
    select: { measurement: cpu }
    condition: { threshold: { field: load_pct, op: ">", value: 90 } }
    summary: "{{device}} CPU {{instance}} at {{value}}% (> {{threshold}}%)"
`;
  it('fires on the first sample above the threshold and resolves on the first below', async () => {
    const h = start(rules);
    await h.feed('cpu', 'sw1', { load_pct: 50 }, { cpu: '1' });
    await h.advance(MIN);
    await h.feed('cpu', 'sw1', { load_pct: 95.5 }, { cpu: '1' });
    await h.advance(MIN);
    await h.feed('cpu', 'sw1', { load_pct: 20 }, { cpu: '1' });
    expect(h.transitions()).toEqual(['firing cpu-high sw1/1', 'resolved cpu-high sw1/1']);
    expect(h.alertEvents[0]!.fields.title).toBe('sw1 CPU 1 at 95.5% (> 90%)');
    expect(h.alertEvents[0]!.fields.value).toBe(95.5);
    expect(h.kinds()).toEqual(['opened INC-1', 'resolved INC-1']);
  });

  it('compares booleans with 0/1 and strings with ==', async () => {
    const h = start(`
rules:
  - name: down
    severity: P2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: 0 } }
    summary: down
  - name: battery
    severity: P2
    select: { measurement: ups }
    condition: { threshold: { field: battery_status, op: "==", value: low } }
    summary: low
`);
    await h.feed('icmp', 'sw1', { up: false });
    await h.feed('ups', 'sw1', { battery_status: 'low' });
    expect(h.transitions()).toEqual(['firing down sw1', 'firing battery sw1']);
  });
});

describe('for and consecutive', () => {
  it('stays pending until the condition has held for the "for" duration, then fires on the timer', async () => {
    const h = start(`
evaluationInterval: 5s
rules:
  - name: util
    severity: P3
    for: 10m
    select: { measurement: interface }
    condition: { threshold: { field: in_util_pct, op: ">", value: 90 } }
    summary: "{{instance}} busy"
`);
    for (let i = 0; i < 10; i++) {
      await h.feed('interface', 'sw1', { in_util_pct: 95 }, { ifName: 'Gi0/1' });
      await h.advance(MIN);
    }
    expect(h.transitions()).toEqual(['pending util sw1/Gi0/1', 'firing util sw1/Gi0/1']);
    expect(h.alertEvents[1]!.time.getTime() - h.alertEvents[0]!.time.getTime()).toBe(10 * MIN);
  });

  it('a pending alert whose condition stops holding is dropped without firing', async () => {
    const h = start(`
rules:
  - name: util
    severity: P3
    for: 10m
    select: { measurement: interface }
    condition: { threshold: { field: in_util_pct, op: ">", value: 90 } }
    summary: busy
`);
    await h.feed('interface', 'sw1', { in_util_pct: 95 }, { ifName: 'Gi0/1' });
    await h.advance(5 * MIN);
    await h.feed('interface', 'sw1', { in_util_pct: 10 }, { ifName: 'Gi0/1' });
    await h.advance(20 * MIN);
    expect(h.transitions()).toEqual(['pending util sw1/Gi0/1']);
    expect(h.events).toEqual([]);
    expect(h.engine.listAlerts().items).toEqual([]);
  });

  it('consecutive: 2 fires on the second failed cycle, not the first', async () => {
    const h = start(`
rules:
  - name: device-down
    severity: P2
    consecutive: 2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: down
`);
    await h.feed('icmp', 'sw1', { up: false });
    expect(h.transitions()).toEqual(['pending device-down sw1']);
    await h.advance(30_000);
    await h.feed('icmp', 'sw1', { up: false });
    expect(h.transitions()).toEqual(['pending device-down sw1', 'firing device-down sw1']);
  });
});

describe('clear condition and clearFor (hysteresis)', () => {
  const rules = `
rules:
  - name: temp
    severity: P2
    select: { measurement: sensor, match: { kind: temperature } }
    condition: { threshold: { field: value, op: ">=", value: 70 } }
    clear: { threshold: { field: value, op: "<", value: 65 } }
    clearFor: 2m
    summary: hot
`;
  it('a value hovering around the threshold does not resolve and refire', async () => {
    const h = start(rules);
    for (const v of [71, 69, 70.5, 68, 71, 66]) {
      await h.feed('sensor', 'sw1', { value: v }, { kind: 'temperature', name: 'cpu' });
      await h.advance(MIN);
    }
    expect(h.transitions()).toEqual(['firing temp sw1/cpu']);
  });

  it('resolves only after the clear condition has held for clearFor', async () => {
    const h = start(rules);
    await h.feed('sensor', 'sw1', { value: 75 }, { kind: 'temperature', name: 'cpu' });
    await h.advance(MIN);
    await h.feed('sensor', 'sw1', { value: 60 }, { kind: 'temperature', name: 'cpu' });
    await h.advance(MIN);
    await h.feed('sensor', 'sw1', { value: 66 }, { kind: 'temperature', name: 'cpu' }); // back in the band: clock restarts
    await h.advance(MIN);
    await h.feed('sensor', 'sw1', { value: 60 }, { kind: 'temperature', name: 'cpu' });
    const clearedAt = h.clock.ms();
    await h.advance(MIN);
    await h.feed('sensor', 'sw1', { value: 60 }, { kind: 'temperature', name: 'cpu' });
    expect(h.transitions()).toEqual(['firing temp sw1/cpu']);
    await h.advance(MIN);
    expect(h.transitions()).toEqual(['firing temp sw1/cpu', 'resolved temp sw1/cpu']);
    expect(h.alertEvents[1]!.time.getTime()).toBe(clearedAt + 2 * MIN);
  });
});

describe('absence', () => {
  it('fires when a device sends no sample for the duration, also for a device never heard from', async () => {
    const h = start(`
evaluationInterval: 10s
rules:
  - name: no-snmp
    severity: P3
    select: { measurement: snmp_poll }
    condition: { absence: { after: 5m } }
    summary: "no SNMP data from {{device}} for {{value}}s"
`, [device('sw1'), device('sw2')]);
    for (let i = 0; i < 8; i++) {
      await h.feed('snmp_poll', 'sw1', { ok: true });
      await h.advance(MIN);
    }
    expect(h.transitions()).toEqual(['firing no-snmp sw2']);
    expect(h.alertEvents[0]!.time.getTime() - Date.UTC(2026, 10, 23, 8, 0, 0)).toBe(5 * MIN);
    await h.feed('snmp_poll', 'sw2', { ok: true });
    expect(h.transitions()).toEqual(['firing no-snmp sw2', 'resolved no-snmp sw2']);
  });
});

describe('state change', () => {
  const rules = `
rules:
  - name: if-down
    severity: P2
    select: { measurement: interface }
    condition:
      change: { field: oper_up, from: true, to: false }
      while: [{ field: admin_up, op: "==", value: true }]
    summary: "{{instance}} down"
`;
  it('fires on oper_up 1 -> 0 while admin_up, and resolves when the port comes back', async () => {
    const h = start(rules);
    await h.feed('interface', 'sw1', { oper_up: true, admin_up: true }, { ifName: 'Gi0/1' });
    await h.advance(MIN);
    await h.feed('interface', 'sw1', { oper_up: false, admin_up: true }, { ifName: 'Gi0/1' });
    await h.advance(MIN);
    await h.feed('interface', 'sw1', { oper_up: false, admin_up: true }, { ifName: 'Gi0/1' });
    await h.advance(MIN);
    await h.feed('interface', 'sw1', { oper_up: true, admin_up: true }, { ifName: 'Gi0/1' });
    expect(h.transitions()).toEqual(['firing if-down sw1/Gi0/1', 'resolved if-down sw1/Gi0/1']);
  });

  it('a port shut by the operator, or down since before the first poll, does not alert', async () => {
    const h = start(rules);
    await h.feed('interface', 'sw1', { oper_up: false, admin_up: true }, { ifName: 'Gi0/2' });
    await h.feed('interface', 'sw1', { oper_up: true, admin_up: true }, { ifName: 'Gi0/3' });
    await h.advance(MIN);
    await h.feed('interface', 'sw1', { oper_up: false, admin_up: true }, { ifName: 'Gi0/2' });
    await h.feed('interface', 'sw1', { oper_up: false, admin_up: false }, { ifName: 'Gi0/3' });
    expect(h.transitions()).toEqual([]);
  });

  it('a reboot event fires at once and resolves after resolveAfter', async () => {
    const h = start(`
rules:
  - name: rebooted
    severity: P4
    select: { measurement: event, match: { type: reboot } }
    condition: { event: { resolveAfter: 30m } }
    summary: "{{device}} rebooted: {{value}}"
`);
    await h.feed('event', 'sw1', { message: 'uptime went from 100000s to 12s', uptime_s: 12 }, { type: 'reboot' });
    expect(h.transitions()).toEqual(['firing rebooted sw1']);
    expect(h.alertEvents[0]!.fields.title).toBe('sw1 rebooted: uptime went from 100000s to 12s');
    await h.advance(29 * MIN);
    expect(h.transitions()).toHaveLength(1);
    await h.advance(2 * MIN);
    expect(h.transitions()).toEqual(['firing rebooted sw1', 'resolved rebooted sw1']);
  });
});

describe('rate of change', () => {
  it('fires when a counter rises faster than the rate over the window and ignores a counter reset', async () => {
    const h = start(`
rules:
  - name: errors-rising
    severity: P3
    select: { measurement: interface }
    condition: { rate: { field: in_errors, window: 10m, per: m, op: ">", value: 10, counter: true } }
    summary: "{{instance}} errors rising {{value}}/min"
`);
    let errors = 1000;
    for (let i = 0; i < 6; i++) { // 5 errors a minute: below
      await h.feed('interface', 'sw1', { in_errors: errors }, { ifName: 'Gi0/1' });
      errors += 5; await h.advance(MIN);
    }
    expect(h.transitions()).toEqual([]);
    for (let i = 0; i < 12; i++) { // 50 a minute
      await h.feed('interface', 'sw1', { in_errors: errors }, { ifName: 'Gi0/1' });
      errors += 50; await h.advance(MIN);
    }
    expect(h.transitions()).toEqual(['firing errors-rising sw1/Gi0/1']);
    // The device reboots: the counter starts again from 0, which is not a fall nor a spike.
    errors = 0;
    for (let i = 0; i < 12; i++) {
      await h.feed('interface', 'sw1', { in_errors: errors }, { ifName: 'Gi0/1' });
      errors += 1; await h.advance(MIN);
    }
    expect(h.transitions()).toEqual(['firing errors-rising sw1/Gi0/1', 'resolved errors-rising sw1/Gi0/1']);
  });
});

describe('no data', () => {
  const rule = (action: string) => `
evaluationInterval: 10s
rules:
  - name: cpu-high
    severity: P3
    select: { measurement: cpu }
    condition: { threshold: { field: load_pct, op: ">", value: 90 } }
    noData: { after: 5m, action: ${action} }
    summary: hot
`;
  it('resolve: a firing alert whose instance stops reporting resolves after noData.after', async () => {
    const h = start(rule('resolve'));
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    await h.advance(4 * MIN);
    expect(h.transitions()).toEqual(['firing cpu-high sw1/1']);
    await h.advance(2 * MIN);
    expect(h.transitions()).toEqual(['firing cpu-high sw1/1', 'resolved cpu-high sw1/1']);
  });

  it('keep: a firing alert without data stays firing', async () => {
    const h = start(rule('keep'));
    await h.feed('cpu', 'sw1', { load_pct: 99 }, { cpu: '1' });
    await h.advance(60 * MIN);
    expect(h.transitions()).toEqual(['firing cpu-high sw1/1']);
    expect(h.engine.activeAlerts().map((a) => a.state)).toEqual(['firing']);
  });

  it('fire: an instance that goes silent fires as if the condition held', async () => {
    const h = start(rule('fire'));
    await h.feed('cpu', 'sw1', { load_pct: 10 }, { cpu: '1' });
    await h.advance(6 * MIN);
    expect(h.transitions()).toEqual(['firing cpu-high sw1/1']);
    expect(h.engine.activeAlerts()[0]!.value).toBe('no data');
  });
});
