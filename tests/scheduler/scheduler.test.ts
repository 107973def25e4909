import { describe, expect, it } from 'vitest';
import { phaseOffsetMs } from '../../src/scheduler/offsets.js';
import { PollScheduler } from '../../src/scheduler/scheduler.js';
import { device, fakeFleet, stopFleet, FakeBatchPinger, FakePoller, gaps, samePhaseNames } from './fake-fleet.js';

const SNMP_ONLY = { icmp: false as const };

function callTimes(p: FakePoller, name: string): number[] {
  return p.calls.filter((c) => c.device === name).map((c) => c.at);
}

describe('scheduler cadence', () => {
  it('spreads 120 devices over the minute: each polled once per interval, no second holds more than a few', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }));
    const names = Array.from({ length: 120 }, (_, i) => `sw-${String(i).padStart(3, '0')}`);
    f.scheduler.setDevices(names.map((n) => device(n, { ...SNMP_ONLY, intervals: { icmp: 60_000, snmp: 60_000, inventory: 3_600_000 } })));
    f.scheduler.start();
    const t0 = f.clock.ms();
    await f.clock.advance(60_000);
    const snmp = f.pollers.snmp as FakePoller;
    expect(new Set(snmp.calls.map((c) => c.device)).size).toBe(120);
    expect(snmp.calls).toHaveLength(120);
    const perSecond = new Map<number, number>();
    for (const c of snmp.calls) { const s = Math.floor((c.at - t0) / 1000); perSecond.set(s, (perSecond.get(s) ?? 0) + 1); }
    // 2 per second on average; a hash spread keeps every second well below a thundering herd.
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(7);
    expect(perSecond.size).toBeGreaterThanOrEqual(40);
    await stopFleet(f, 1000);
  });

  it('keeps a device on the same slot across restarts (the phase depends only on its name)', () => {
    const a = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }));
    a.scheduler.setDevices([device('core-sw-01', SNMP_ONLY)]);
    const b = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }));
    b.scheduler.setDevices([device('core-sw-01', SNMP_ONLY)]);
    expect(a.scheduler.nextDue('core-sw-01', 'snmp')).toBe(b.scheduler.nextDue('core-sw-01', 'snmp'));
  });

  it('polls a new device on a 6 h inventory schedule within a minute, then every 6 h on its phase', async () => {
    const f = fakeFleet((c) => ({ inventory: new FakePoller('inventory', c) }));
    f.scheduler.setDevices([device('edge-01', { ...SNMP_ONLY, intervals: { icmp: 30_000, snmp: 60_000, inventory: 6 * 3_600_000 } })]);
    f.scheduler.start();
    const t0 = f.clock.ms();
    await f.clock.advance(61_000);
    const inv = f.pollers.inventory as FakePoller;
    expect(inv.calls).toHaveLength(1);
    expect(inv.calls[0]!.at - t0).toBeLessThanOrEqual(60_000);
    const next = f.scheduler.nextDue('edge-01', 'inventory')!;
    expect(next - inv.calls[0]!.at).toBeGreaterThan(0);
    expect(next - inv.calls[0]!.at).toBeLessThanOrEqual(6 * 3_600_000);
    // Slots are epoch-aligned: the device's phase within every 6 h.
    expect(next % (6 * 3_600_000)).toBe(phaseOffsetMs('edge-01', 6 * 3_600_000));
    await stopFleet(f, 1000);
  });
});

describe('a device that hangs', () => {
  it('causes overruns on that device only while the others keep their cadence to the millisecond', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }), { concurrency: 2 });
    const snmp = f.pollers.snmp as FakePoller;
    snmp.behaviour.set('dead-01', { hang: 'forever' });
    const healthy = ['core-01', 'dist-01', 'dist-02', 'access-01'];
    f.scheduler.setDevices([...healthy, 'dead-01'].map((n) => device(n, SNMP_ONLY)));
    f.scheduler.start();
    await f.clock.advance(100_000);
    for (const n of healthy) {
      const times = callTimes(snmp, n);
      expect(times.length).toBe(10);
      expect(new Set(gaps(times))).toEqual(new Set([10_000]));
      expect(f.states.get(n)!.polls.overruns).toBe(0);
      expect(f.states.get(n)!.status).toBe('up');
    }
    // Polled, abandoned at its deadline, then skipped while the stuck call is still out (released after 2 intervals).
    const dead = f.states.get('dead-01')!;
    expect(dead.polls.overruns).toBeGreaterThanOrEqual(5);
    expect(callTimes(snmp, 'dead-01').length).toBeLessThanOrEqual(5);
    expect(dead.status).toBe('down');
    expect(dead.last.snmp!.error).toMatch(/deadline of 9000 ms/);
    await stopFleet(f, 10);
  });

  it('fails a poll that honours its deadline without an overrun, and gives its slot back', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }), { concurrency: 1 });
    const snmp = f.pollers.snmp as FakePoller;
    snmp.behaviour.set('slow-01', { hang: 'until-abort' });
    f.scheduler.setDevices(['slow-01', 'ok-01', 'ok-02'].map((n) => device(n, SNMP_ONLY)));
    f.scheduler.start();
    await f.clock.advance(50_000);
    expect(f.states.get('slow-01')!.polls).toMatchObject({ ok: 0, overruns: 0 });
    expect(f.states.get('slow-01')!.polls.failed).toBeGreaterThanOrEqual(4);
    expect(f.states.get('slow-01')!.last.snmp!.error).toMatch(/deadline/);
    // With a single slot, ok-01/ok-02 may queue behind the slow poll but still complete every cycle.
    for (const n of ['ok-01', 'ok-02']) {
      expect(f.states.get(n)!.polls).toMatchObject({ failed: 0, overruns: 0 });
      expect(f.states.get(n)!.polls.ok).toBeGreaterThanOrEqual(4);
    }
    await stopFleet(f, 10);
  });
});

describe('a poller that fails', () => {
  it('records a thrown error as a failed poll without judging the device, and frees the slot', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }), { concurrency: 1 });
    const snmp = f.pollers.snmp as FakePoller;
    const real = snmp.poll.bind(snmp);
    snmp.poll = (d, signal) => {
      if (d.name === 'buggy') throw new Error('profile bug');
      return real(d, signal);
    };
    f.scheduler.setDevices([device('buggy', SNMP_ONLY), device('fine', SNMP_ONLY)]);
    f.scheduler.start();
    await f.clock.advance(30_500);
    const buggy = f.states.get('buggy')!;
    expect(buggy.status).toBe('unknown');
    expect(buggy.polls.failed).toBe(3);
    expect(buggy.lastError!.message).toBe('poller error: profile bug');
    expect(f.states.get('fine')!.polls.ok).toBe(3);
    await stopFleet(f, 10);
  });
});

describe('a full queue', () => {
  it('fails a poll that cannot get a slot before its next one is due, without calling the device down or overrunning', async () => {
    const [waiting] = samePhaseNames(1, 10_000, 'q');
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }), { concurrency: 1 });
    const snmp = f.pollers.snmp as FakePoller;
    snmp.behaviour.set('holder', { hang: 'until-abort' });
    // The holder polls every 30 s (deadline 27 s): it keeps the only slot past the whole 10 s interval of the other.
    f.scheduler.setDevices([device('holder', { ...SNMP_ONLY, intervals: { icmp: 30_000, snmp: 30_000, inventory: 3_600_000 } }), device(waiting!, SNMP_ONLY)]);
    f.scheduler.start();
    const due = f.scheduler.nextDue(waiting!, 'snmp')!;
    await f.clock.advance(due - f.clock.ms() - 100);
    if (snmp.calls.length === 0) expect(f.scheduler.pollNow('holder')).toBe('started');
    await f.clock.advance(9_000);
    // Still waiting at 0.9 of the interval: it is not failed earlier than needed.
    expect(f.states.get(waiting!)?.last.snmp).toBeUndefined();
    await f.clock.advance(1_050);
    expect(snmp.calls.map((c) => c.device)).toEqual(['holder']);
    const w = f.states.get(waiting!)!;
    expect(w.last.snmp!.error).toMatch(/deadline of 9[0-9]{3} ms passed while waiting for a free slot \(1 polls in flight, limit 1\)/);
    expect(w.polls).toMatchObject({ failed: 1, overruns: 0 });
    expect(w.status).toBe('unknown');
    await stopFleet(f, 10);
  });

  it('lets a waiter run when the slot frees late in its interval, with a deadline counted from its start', async () => {
    const [stuck, waiting] = samePhaseNames(2, 10_000, 'q');
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }), { concurrency: 1 });
    const snmp = f.pollers.snmp as FakePoller;
    snmp.behaviour.set(stuck!, { hang: 'forever' });
    f.scheduler.setDevices([device(stuck!, SNMP_ONLY), device(waiting!, SNMP_ONLY)]);
    f.scheduler.start();
    const first = f.scheduler.nextDue(stuck!, 'snmp')!;
    await f.clock.advance(first - f.clock.ms() + 9_600);
    // The stuck poll is abandoned at its 9 s deadline (plus the abort grace); the waiter then gets the slot and answers.
    expect(snmp.calls.map((c) => c.device)).toEqual([stuck, waiting]);
    const started = snmp.calls[1]!.at - first;
    expect(started).toBeGreaterThanOrEqual(9_000);
    expect(started).toBeLessThan(9_700);
    expect(f.states.get(waiting!)!.polls).toMatchObject({ ok: 1, failed: 0, overruns: 0 });
    await stopFleet(f, 10);
  });
});

describe('ICMP down backs SNMP off', () => {
  it('skips SNMP while the device does not answer ping, marks it unreachable, and resumes at the next slot after a ping answers', async () => {
    const f = fakeFleet((c) => ({ icmp: new FakeBatchPinger('icmp', c), snmp: new FakePoller('snmp', c) }));
    const icmp = f.pollers.icmp as FakeBatchPinger;
    const snmp = f.pollers.snmp as FakePoller;
    f.scheduler.setDevices([device('rtr-01'), device('rtr-02')]);
    f.scheduler.start();
    await f.clock.advance(20_000);
    expect(f.states.get('rtr-01')!.status).toBe('up');
    const before = callTimes(snmp, 'rtr-01').length;

    icmp.behaviour.set('rtr-01', { reachable: false });
    snmp.behaviour.set('rtr-01', { reachable: false, delayMs: 1000 });
    await f.clock.advance(60_000);
    expect(f.states.get('rtr-01')!.status).toBe('unreachable');
    expect(f.states.get('rtr-01')!.reason).toMatch(/no answer to ping/);
    // At most the one SNMP poll that was due before the first failed ping; then none.
    const during = callTimes(snmp, 'rtr-01').length - before;
    expect(during).toBeLessThanOrEqual(1);
    const skips = await f.metrics.registry.getSingleMetric('noctua_poll_backoff_skips_total')!.get();
    expect(skips.values.find((v) => v.labels.device === 'rtr-01')!.value).toBeGreaterThanOrEqual(4);
    expect(callTimes(snmp, 'rtr-02').length).toBeGreaterThanOrEqual(7);

    icmp.behaviour.delete('rtr-01');
    snmp.behaviour.delete('rtr-01');
    const icmpNext = f.scheduler.nextDue('rtr-01', 'icmp')!;
    await f.clock.advance(icmpNext - f.clock.ms() + 500);
    expect(f.states.get('rtr-01')!.status).toBe('up');
    const n = callTimes(snmp, 'rtr-01').length;
    const snmpNext = f.scheduler.nextDue('rtr-01', 'snmp')!;
    await f.clock.advance(snmpNext - f.clock.ms() + 500);
    expect(callTimes(snmp, 'rtr-01').length).toBe(n + 1);
    await stopFleet(f, 10);
  });

  it('polls SNMP-only devices (icmp: false) without ICMP and marks them down when SNMP fails', async () => {
    const f = fakeFleet((c) => ({ icmp: new FakeBatchPinger('icmp', c), snmp: new FakePoller('snmp', c) }));
    (f.pollers.snmp as FakePoller).behaviour.set('sh-access-01', { reachable: false });
    f.scheduler.setDevices([device('sh-access-01', SNMP_ONLY)]);
    f.scheduler.start();
    await f.clock.advance(30_000);
    expect((f.pollers.icmp as FakeBatchPinger).calls).toHaveLength(0);
    expect(callTimes(f.pollers.snmp as FakePoller, 'sh-access-01').length).toBe(3);
    expect(f.states.get('sh-access-01')!.status).toBe('down');
    await stopFleet(f, 10);
  });
});

describe('batching and limits', () => {
  it('hands ICMP devices due in the same second to the poller as one batch', async () => {
    const names = samePhaseNames(3, 10_000, 'probe');
    const f = fakeFleet((c) => ({ icmp: new FakeBatchPinger('icmp', c) }));
    f.scheduler.setDevices(names.map((n) => device(n, { snmp: false })));
    f.scheduler.start();
    await f.clock.advance(30_000);
    const icmp = f.pollers.icmp as FakeBatchPinger;
    expect(icmp.batches).toHaveLength(3);
    for (const b of icmp.batches) expect(b.devices.sort()).toEqual([...names].sort());
    expect(f.published.filter((s) => s.measurement === 'icmp')).toHaveLength(9);
    await stopFleet(f, 10);
  });

  it('runs at most `concurrency` polls at once and reports the queue lag', async () => {
    const names = samePhaseNames(6, 30_000, 'sw');
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c, { delayMs: 2000 }) }), { concurrency: 2, selfIntervalMs: 30_000 });
    f.scheduler.setDevices(names.map((n) => device(n, { ...SNMP_ONLY, intervals: { icmp: 30_000, snmp: 30_000, inventory: 3_600_000 } })));
    f.scheduler.start();
    await f.clock.advance(60_000);
    const snmp = f.pollers.snmp as FakePoller;
    expect(snmp.maxActive).toBe(2);
    expect(snmp.calls).toHaveLength(12);
    for (const n of names) expect(f.states.get(n)!.polls).toMatchObject({ ok: 2, failed: 0, overruns: 0 });
    const self = f.published.filter((s) => s.measurement === 'noctua_self' && s.tags.kind === 'snmp');
    expect(self.length).toBeGreaterThanOrEqual(1);
    const lag = Math.max(...self.map((s) => s.fields.queue_lag_ms as number));
    // Six polls of 2 s through two slots: the last pair starts 4 s after its slot.
    expect(lag).toBeGreaterThanOrEqual(4000);
    expect(lag).toBeLessThan(5000);
    await stopFleet(f, 10);
  });
});

describe('self-monitoring', () => {
  it('emits noctua_self per kind with due, completed, successes, failures and cycle time', async () => {
    const f = fakeFleet((c) => ({ icmp: new FakeBatchPinger('icmp', c), snmp: new FakePoller('snmp', c) }), { selfIntervalMs: 20_000 });
    (f.pollers.snmp as FakePoller).behaviour.set('bad-01', { reachable: false });
    f.scheduler.setDevices([device('good-01'), device('bad-01')]);
    f.scheduler.start();
    await f.clock.advance(40_500);
    const self = f.published.filter((s) => s.measurement === 'noctua_self');
    const kinds = new Set(self.map((s) => s.tags.kind));
    expect(kinds).toEqual(new Set(['icmp', 'snmp']));
    for (const s of self) expect(s.tags).toMatchObject({ component: 'scheduler', instance: 'test' });
    const snmp = self.filter((s) => s.tags.kind === 'snmp');
    const sum = (k: string) => snmp.reduce((a, s) => a + (s.fields[k] as number), 0);
    expect(sum('polls_failed')).toBe(sum('completed') / 2);
    expect(sum('due')).toBeGreaterThanOrEqual(sum('completed'));
    expect(Math.max(...snmp.map((s) => s.fields.cycle_ms as number))).toBeGreaterThanOrEqual(100);
    const text = await f.metrics.registry.metrics();
    expect(text).toMatch(/noctua_polls_total\{kind="snmp",device="bad-01",result="failed"\} [1-9]/);
    expect(text).toMatch(/noctua_polls_total\{kind="snmp",device="good-01",result="ok"\} [1-9]/);
    await stopFleet(f, 10);
  });
});

describe('changing the device set at run time', () => {
  it('starts added devices, stops removed ones, restarts changed ones, and still publishes a removed device\'s poll under way', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c, { delayMs: 3000 }) }));
    const snmp = f.pollers.snmp as FakePoller;
    f.scheduler.setDevices([device('a', SNMP_ONLY), device('b', SNMP_ONLY)]);
    f.scheduler.start();
    await f.clock.advance(10_000);
    expect(new Set(snmp.calls.map((c) => c.device))).toEqual(new Set(['a', 'b']));

    // Remove `a` while its poll is under way.
    const aNext = f.scheduler.nextDue('a', 'snmp')!;
    await f.clock.advance(aNext - f.clock.ms() + 1000);
    const aCalls = callTimes(snmp, 'a').length;
    const change = f.scheduler.setDevices([device('b', { ...SNMP_ONLY, address: '127.0.0.9' }), device('c', SNMP_ONLY)]);
    expect(change).toEqual({ added: ['c'], removed: ['a'], changed: ['b'] });
    expect(snmp.forgotten).not.toContain('a');
    await f.clock.advance(3000);
    expect(snmp.forgotten).toContain('a');
    expect(f.published.filter((s) => s.tags.device === 'a')).toHaveLength(aCalls);
    await f.clock.advance(30_000);
    expect(callTimes(snmp, 'a').length).toBe(aCalls);
    expect(callTimes(snmp, 'c').length).toBeGreaterThanOrEqual(3);
    expect(snmp.calls.filter((c) => c.device === 'b').at(-1)!.address).toBe('127.0.0.9');
    expect(f.states.get('a')).toBeUndefined();
    expect(f.states.list().map((s) => s.name)).toEqual(['b', 'c']);
    await stopFleet(f, 10);
  });

  it('treats disabled devices as absent', () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }));
    f.scheduler.setDevices([device('on', SNMP_ONLY), device('off', { ...SNMP_ONLY, enabled: false })]);
    expect(f.scheduler.deviceNames()).toEqual(['on']);
  });
});

describe('stopping', () => {
  it('lets polls under way finish and publish within the drain time', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c, { delayMs: 3000 }) }));
    f.scheduler.setDevices([device('a', SNMP_ONLY)]);
    f.scheduler.start();
    await f.clock.advance(f.scheduler.nextDue('a', 'snmp')! - f.clock.ms() + 500);
    const stopped = f.scheduler.stop(10_000);
    await f.clock.advance(3000);
    expect(await stopped).toEqual({ abandoned: 0 });
    expect(f.published.some((s) => s.measurement === 'snmp_poll' && s.tags.device === 'a')).toBe(true);
  });

  it('abandons polls still running at the drain deadline', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c, { hang: 'forever' }) }));
    f.scheduler.setDevices([device('stuck', SNMP_ONLY)]);
    f.scheduler.start();
    await f.clock.advance(f.scheduler.nextDue('stuck', 'snmp')! - f.clock.ms() + 500);
    const stopped = f.scheduler.stop(2000);
    await f.clock.advance(2000);
    expect(await stopped).toEqual({ abandoned: 1 });
  });

  it('is a PollScheduler with no ticks after stop', async () => {
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }));
    expect(f.scheduler).toBeInstanceOf(PollScheduler);
    f.scheduler.setDevices([device('a', SNMP_ONLY)]);
    f.scheduler.start();
    await stopFleet(f, 10);
    await f.clock.advance(60_000);
    expect((f.pollers.snmp as FakePoller).calls).toHaveLength(0);
  });
});
