import { describe, expect, it } from 'vitest';
import type { Device, SnmpSettings } from '../../../src/config/inventory-schema.js';
import { FakeClock } from '../../../src/core/clock.js';
import type { Sample } from '../../../src/core/sample.js';
import { createInventoryPoller, createSnmpPoller, SnmpError, type SnmpSession } from '../../../src/pollers/snmp/index.js';
import { compareOids, inSubtree, type ColumnValues, type SnmpValue } from '../../../src/pollers/snmp/session.js';

/** An agent in memory: a sorted OID -> value table behind the SnmpSession seam. */
class FakeAgent implements SnmpSession {
  values = new Map<string, SnmpValue>();
  varbinds = 0;
  closed = false;
  failWith?: SnmpError;
  constructor(init: Record<string, SnmpValue>) { for (const [k, v] of Object.entries(init)) this.values.set(k, v); }
  set(oid: string, v: SnmpValue) { this.values.set(oid, v); }
  async get(oids: readonly string[]) {
    if (this.failWith) throw this.failWith;
    this.varbinds += oids.length;
    return oids.map((o) => this.values.get(o));
  }
  async walk(columns: readonly string[]): Promise<ColumnValues> {
    if (this.failWith) throw this.failWith;
    const out: ColumnValues = new Map();
    for (const c of columns) {
      const m = new Map<string, SnmpValue>();
      for (const [k, v] of [...this.values].sort(([a], [b]) => compareOids(a, b))) if (inSubtree(k, c)) { m.set(k.slice(c.length + 1), v); this.varbinds++; }
      out.set(c, m);
    }
    return out;
  }
  async firstUnder(oids: readonly string[]) { return oids.map((oid) => [...this.values.keys()].find((k) => inSubtree(k, oid))); }
  engine() { return undefined; }
  close() { this.closed = true; }
}

const settings: SnmpSettings = { version: '2c', community: 'public', port: 161, timeoutMs: 1000, retries: 0, maxRepetitions: 10 };
const device = (over: Partial<Device> = {}): Device => ({
  name: 'core-sw-01', address: '192.0.2.1', class: 'switch', site: 'hq', tags: [], enabled: true, icmp: false,
  snmp: settings, intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 }, ...over,
});

const IF = '1.3.6.1.2.1.2.2.1', IFX = '1.3.6.1.2.1.31.1.1.1';
function switchAgent(): FakeAgent {
  return new FakeAgent({
    '1.3.6.1.2.1.1.1.0': Buffer.from('Huawei Versatile Routing Platform Software, S5720'),
    '1.3.6.1.2.1.1.2.0': '1.3.6.1.4.1.2011.2.23.276',
    '1.3.6.1.2.1.1.3.0': 100_000,
    '1.3.6.1.2.1.1.5.0': Buffer.from('core-sw-01'),
    [`${IF}.2.1`]: Buffer.from('GigabitEthernet0/0/1'), [`${IF}.7.1`]: 1, [`${IF}.8.1`]: 1, [`${IF}.5.1`]: 1_000_000_000,
    [`${IF}.14.1`]: 0, [`${IF}.20.1`]: 0, [`${IF}.13.1`]: 0, [`${IF}.19.1`]: 0,
    [`${IFX}.1.1`]: Buffer.from('GE0/0/1'), [`${IFX}.15.1`]: 1000, [`${IFX}.18.1`]: Buffer.from('uplink'),
    [`${IFX}.6.1`]: 1_000_000n, [`${IFX}.10.1`]: 2_000_000n, [`${IFX}.7.1`]: 100n, [`${IFX}.11.1`]: 200n,
    // A 100 Mb/s port with 32-bit counters only.
    [`${IF}.2.2`]: Buffer.from('Ethernet0/0/2'), [`${IF}.7.2`]: 1, [`${IF}.8.2`]: 2, [`${IF}.5.2`]: 100_000_000,
    [`${IF}.10.2`]: 4_294_967_000, [`${IF}.16.2`]: 10,
    // hwEntityCpuUsage / MemUsage on one board.
    '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.67108873': 38, '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.67108873': 7,
    '1.3.6.1.2.1.47.1.1.1.1.7.67108873': Buffer.from('MPU Board 0'),
  });
}

function setup(agent = switchAgent()) {
  const clock = new FakeClock();
  const opened: FakeAgent[] = [];
  const poller = createSnmpPoller({ clock, openSession: () => { opened.push(agent); return agent; } });
  return { clock, poller, agent, opened };
}
const pick = (samples: Sample[], m: string, idx?: string) => samples.find((s) => s.measurement === m && (idx === undefined || s.tags.ifIndex === idx));
const never = new AbortController().signal;

describe('SNMP poller (fake agent)', () => {
  it('identifies the vendor, tags every sample and emits raw counters without rates on the first poll', async () => {
    const { poller } = setup();
    const r = await poller.poll(device(), never);
    expect(r.reachable).toBe(true);
    expect(poller.vendorOf('core-sw-01')).toBe('huawei');
    for (const s of r.samples) expect(s.tags).toMatchObject({ device: 'core-sw-01', site: 'hq', class: 'switch', vendor: 'huawei' });
    const ge = pick(r.samples, 'interface', '1')!;
    expect(ge.tags).toMatchObject({ ifName: 'GE0/0/1', ifAlias: 'uplink', ifDescr: 'GigabitEthernet0/0/1' });
    expect(ge.fields).toMatchObject({ oper_up: true, admin_up: true, speed_bps: 1_000_000_000n, in_octets: 1_000_000n });
    expect(ge.fields.in_bps).toBeUndefined();
    expect(pick(r.samples, 'cpu')).toMatchObject({ tags: { cpu: 'MPU Board 0' }, fields: { load_pct: 38 } });
    expect(pick(r.samples, 'memory')!.fields.used_pct).toBe(7);
    expect(pick(r.samples, 'system')!.fields).toMatchObject({ uptime_s: 1000, sysName: 'core-sw-01', vendor: 'huawei', os: 'VRP' });
    const poll = pick(r.samples, 'snmp_poll')!;
    expect(poll.fields).toMatchObject({ ok: true, error: '', error_kind: '' });
    expect(typeof poll.fields.varbinds).toBe('bigint');
  });

  it('turns counter deltas into rates from the second poll, with 32-bit wraps and utilisation', async () => {
    const { poller, agent, clock } = setup();
    await poller.poll(device(), never);
    await clock.advance(60_000);
    agent.set('1.3.6.1.2.1.1.3.0', 106_000);
    agent.set(`${IFX}.6.1`, 1_000_000n + 7_500_000_000n); // 7.5 GB in 60 s = 1 Gb/s
    agent.set(`${IFX}.7.1`, 100n + 6000n);
    agent.set(`${IF}.10.2`, 704); // wrapped: 296 to the top + 704 = 1000 octets
    const r = await poller.poll(device(), never);
    const ge = pick(r.samples, 'interface', '1')!;
    expect(ge.fields.in_bps).toBeCloseTo(1_000_000_000);
    expect(ge.fields.in_util_pct).toBeCloseTo(100);
    expect(ge.fields.in_pps).toBeCloseTo(100);
    expect(ge.fields.out_bps).toBe(0);
    expect(ge.fields.in_errors_ps).toBe(0);
    const eth = pick(r.samples, 'interface', '2')!;
    expect(eth.fields.in_bps).toBeCloseTo((1000 * 8) / 60);
    expect(eth.fields.oper_up).toBe(false);
    expect(pick(r.samples, 'event')).toBeUndefined();
  });

  it('after a reboot emits a reboot event and no rate for that interval (never a spike)', async () => {
    const { poller, agent, clock } = setup();
    await poller.poll(device(), never);
    await clock.advance(60_000);
    agent.set('1.3.6.1.2.1.1.3.0', 2000); // 20 s since boot
    agent.set(`${IFX}.6.1`, 5000n);
    const r = await poller.poll(device(), never);
    const ev = pick(r.samples, 'event')!;
    expect(ev.tags.type).toBe('reboot');
    expect(ev.fields.uptime_s).toBe(20);
    expect(String(ev.fields.message)).toMatch(/rebooted: sysUpTime went back/);
    expect(pick(r.samples, 'interface', '1')!.fields.in_bps).toBeUndefined();
    // The next interval has rates again.
    await clock.advance(60_000);
    agent.set('1.3.6.1.2.1.1.3.0', 8000);
    agent.set(`${IFX}.6.1`, 5000n + 600n);
    const r2 = await poller.poll(device(), never);
    expect(pick(r2.samples, 'interface', '1')!.fields.in_bps).toBeCloseTo(80);
  });

  it('a 64-bit counter that jumps beyond twice the line rate gives no rate rather than a spike', async () => {
    const { poller, agent, clock } = setup();
    await poller.poll(device(), never);
    await clock.advance(60_000);
    agent.set('1.3.6.1.2.1.1.3.0', 106_000);
    agent.set(`${IFX}.6.1`, 1_000_000n + 10n ** 15n);
    const r = await poller.poll(device(), never);
    const ge = pick(r.samples, 'interface', '1')!;
    expect(ge.fields.in_bps).toBeUndefined();
    expect(ge.fields.in_util_pct).toBeUndefined();
    expect(ge.fields.in_octets).toBe(1_000_000n + 10n ** 15n);
  });

  it('a software interface whose nominal speed is 10 Mb/s keeps a rate above twice that speed', async () => {
    const agent = switchAgent();
    // A loopback/tunnel-like interface: ifHighSpeed 10 (Mb/s), yet 40 Mb/s of traffic crosses it.
    agent.set(`${IFX}.15.1`, 10);
    const { poller, clock } = setup(agent);
    await poller.poll(device(), never);
    await clock.advance(60_000);
    agent.set('1.3.6.1.2.1.1.3.0', 106_000);
    agent.set(`${IFX}.6.1`, 1_000_000n + 300_000_000n);
    const r = await poller.poll(device(), never);
    const lo = pick(r.samples, 'interface', '1')!;
    expect(lo.fields.in_bps).toBeCloseTo(40_000_000);
    expect(lo.fields.in_util_pct).toBe(100);
  });

  it('a 497-day sysUpTime wrap is not a reboot and keeps the rates', async () => {
    const agent = switchAgent();
    agent.set('1.3.6.1.2.1.1.3.0', 2 ** 32 - 3000);
    const { poller, clock } = setup(agent);
    await poller.poll(device(), never);
    await clock.advance(60_000);
    agent.set('1.3.6.1.2.1.1.3.0', 3000);
    agent.set(`${IFX}.6.1`, 1_000_600n);
    const r = await poller.poll(device(), never);
    expect(pick(r.samples, 'event')).toBeUndefined();
    expect(pick(r.samples, 'interface', '1')!.fields.in_bps).toBeCloseTo(80);
    expect(pick(r.samples, 'system')!.fields.uptime_s).toBeCloseTo((2 ** 32 + 3000) / 100);
  });

  it('counter state exported from one poller continues in another without a gap', async () => {
    const a = setup();
    await a.poller.poll(device(), never);
    const state = JSON.parse(JSON.stringify(a.poller.exportCounterState('core-sw-01'))) as unknown;
    const agent = a.agent;
    const clock = a.clock;
    await clock.advance(30_000);
    agent.set('1.3.6.1.2.1.1.3.0', 103_000);
    agent.set(`${IFX}.6.1`, 1_000_000n + 300n);
    const b = createSnmpPoller({ clock, openSession: () => agent });
    b.importCounterState('core-sw-01', state);
    const r = await b.poll(device(), never);
    expect(pick(r.samples, 'interface', '1')!.fields.in_bps).toBeCloseTo(80);
    expect(() => b.importCounterState('x', { nonsense: true })).toThrow(/counter state/);
  });

  it('reuses one session per device, reopens it when the SNMP settings change, closes it on forget', async () => {
    const agents: FakeAgent[] = [];
    const poller = createSnmpPoller({ clock: new FakeClock(), openSession: () => { const a = switchAgent(); agents.push(a); return a; } });
    await poller.poll(device(), never);
    await poller.poll(device(), never);
    await poller.poll(device(), never);
    expect(agents).toHaveLength(1);
    await poller.poll(device({ snmp: { ...settings, community: 'changed' } }), never);
    expect(agents).toHaveLength(2);
    expect(agents[0]!.closed).toBe(true);
    poller.forget('core-sw-01');
    expect(agents[1]!.closed).toBe(true);
    expect(poller.vendorOf('core-sw-01')).toBeUndefined();
  });

  it('an unreachable device is data: snmp_poll ok=false with the reason, no exception', async () => {
    const agent = switchAgent();
    agent.failWith = new SnmpError('timeout', 'no answer to GET 1.3.6.1.2.1.1.1.0 within 1000 ms x 1 try');
    const { poller } = setup(agent);
    const r = await poller.poll(device(), never);
    expect(r.reachable).toBe(false);
    expect(r.errors[0]).toMatchObject({ device: 'core-sw-01', kind: 'timeout' });
    expect(r.samples).toHaveLength(1);
    expect(r.samples[0]!.fields).toMatchObject({ ok: false, error_kind: 'timeout' });
    expect(r.samples[0]!.tags).toMatchObject({ kind: 'snmp', vendor: 'unknown' });
  });

  it('an unknown device falls back to the generic MIBs without errors', async () => {
    const agent = switchAgent();
    agent.set('1.3.6.1.2.1.1.2.0', '1.3.6.1.4.1.99999.1');
    agent.set('1.3.6.1.2.1.1.1.0', Buffer.from('Mystery box'));
    const { poller } = setup(agent);
    const r = await poller.poll(device(), never);
    expect(r.errors).toEqual([]);
    expect(poller.vendorOf('core-sw-01')).toBe('unknown');
    expect(r.samples.filter((s) => s.measurement === 'interface')).toHaveLength(2);
    expect(pick(r.samples, 'cpu')).toBeUndefined();
  });

  it('the inventory poller reads the ENTITY-MIB chassis model, serial and firmware into the system sample', async () => {
    const agent = switchAgent();
    const E = '1.3.6.1.2.1.47.1.1.1.1';
    agent.set(`${E}.5.1`, 3); agent.set(`${E}.13.1`, Buffer.from('S5720-36C-EI-AC')); agent.set(`${E}.11.1`, Buffer.from('2102359562'));
    agent.set(`${E}.10.1`, Buffer.from('V200R011C10SPC600')); agent.set(`${E}.5.67108873`, 9);
    const inv = createInventoryPoller({ clock: new FakeClock(), openSession: () => agent });
    const r = await inv.poll(device(), never);
    expect(r.samples.map((s) => s.measurement).sort()).toEqual(['entity', 'entity', 'l2', 'snmp_poll', 'system']);
    expect(pick(r.samples, 'system')!.fields).toMatchObject({ model: 'S5720-36C-EI-AC', serial: '2102359562', firmware: 'V200R011C10SPC600', vendor: 'huawei' });
    // The parts for the asset register: the chassis and the module, each at its entPhysicalIndex.
    expect(r.samples.filter((s) => s.measurement === 'entity').map((s) => [s.tags.entity, s.tags.part, s.fields.serial])).toEqual([['1', 'chassis', '2102359562'], ['67108873', 'module', '']]);
    expect(pick(r.samples, 'snmp_poll')!.tags.kind).toBe('inventory');
    expect(inv.vendorOf('core-sw-01')).toBe('huawei');
  });
});
