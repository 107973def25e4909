import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../src/scheduler/adaptive-limit.js';
import { PollSlots } from '../../src/scheduler/poll-slots.js';
import { device, fakeFleet, FakePoller, samePhaseNames, stopFleet } from './fake-fleet.js';

const never = () => new AbortController().signal;

/** Feeds `n` polls spread over `agents` agents, each taking `ms(i)`. */
function feed(limit: AdaptiveLimit, n: number, agents: number, ms: (i: number) => number, ok = true): number {
  let last = limit.limit;
  for (let i = 0; i < n; i++) last = limit.observe(`agent-${i % agents}`, ms(i), ok);
  return last;
}

describe('adaptive in-flight limit', () => {
  it('grows while polls wait for it and take what their agents need, never past the ceiling', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 100, initial: 16 });
    const seen: number[] = [];
    for (let round = 0; round < 40; round++) {
      limit.waited();
      seen.push(feed(limit, 30, 10, (i) => 50 + (i % 3)));
    }
    // Monotonic growth, about √limit per adjustment, up to the ceiling and no further.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen[0]!).toBeGreaterThan(16);
    expect(seen.at(-1)).toBe(100);
  });

  it('stays put when nothing waits, however fast the polls are', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 100, initial: 16 });
    expect(feed(limit, 500, 10, () => 5)).toBe(16);
  });

  it('compares each poll with its own agent: a slow agent that is always slow is not congestion', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 100, initial: 40 });
    // agent-0 answers in 2 s, the others in 20 ms, both steady.
    feed(limit, 400, 5, (i) => (i % 5 === 0 ? 2000 : 20));
    expect(limit.limit).toBe(40);
    expect(limit.ratio).toBeCloseTo(1, 5);
  });

  it('shrinks by a quarter when latency rises well above the agents\' baselines, down to the floor', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 100, initial: 64 });
    feed(limit, 100, 10, () => 20);
    expect(limit.limit).toBe(64);
    // Every agent now takes five times as long (queueing in the agents or in this process).
    const after = feed(limit, 40, 10, () => 100);
    expect(after).toBeLessThan(64);
    expect(after).toBeGreaterThanOrEqual(8);
    expect([48, 36, 27, 20, 15, 11, 8]).toContain(after);
    feed(limit, 2000, 10, () => 100 * 10);
    expect(limit.limit).toBe(8);
  });

  it('recovers: once latencies are back at the baseline and polls wait, it grows again', () => {
    const limit = new AdaptiveLimit({ min: 4, max: 64, initial: 64 });
    feed(limit, 100, 10, () => 20);
    feed(limit, 200, 10, () => 200);
    const low = limit.limit;
    expect(low).toBeLessThan(64);
    for (let round = 0; round < 30; round++) { limit.waited(); feed(limit, 20, 10, () => 20); }
    expect(limit.limit).toBeGreaterThan(low);
  });

  it('counts failures of agents that answered before as congestion, and ignores agents never heard from', () => {
    const dead = new AdaptiveLimit({ min: 8, max: 100, initial: 50 });
    feed(dead, 400, 10, () => 3000, false);
    expect(dead.limit).toBe(50);

    const overloaded = new AdaptiveLimit({ min: 8, max: 100, initial: 50 });
    feed(overloaded, 100, 10, () => 30);
    feed(overloaded, 60, 10, () => 3000, false);
    expect(overloaded.limit).toBeLessThan(50);
  });

  it('keeps within new bounds after a reload', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 100, initial: 64 });
    limit.setBounds(8, 32);
    expect(limit.limit).toBe(32);
    limit.setBounds(40, 200);
    expect(limit.limit).toBe(40);
  });
});

describe('poll slots: the budget per agent', () => {
  it('lets at most `perAgent` polls of one agent in, without holding up other agents queued behind', async () => {
    const slots = new PollSlots({ max: 10, perAgent: 2 });
    const order: string[] = [];
    const take = (agent: string, tag: string) => slots.acquire(never(), agent).then((rel) => { order.push(tag); return rel; });
    const a1 = await take('a', 'a1');
    const a2 = await take('a', 'a2');
    const a3 = take('a', 'a3');
    const b1 = take('b', 'b1');
    const rb1 = await b1;
    expect(order).toEqual(['a1', 'a2', 'b1']);
    expect(slots.inUse).toBe(3);
    expect(slots.queued).toBe(1);
    a1();
    const ra3 = await a3;
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3']);
    for (const r of [a2, rb1, ra3]) r();
    expect(slots.inUse).toBe(0);
  });

  it('an ICMP batch (no agent) counts against the process limit only', async () => {
    const slots = new PollSlots({ max: 3, perAgent: 1 });
    const rels = await Promise.all([slots.acquire(never()), slots.acquire(never()), slots.acquire(never(), 'x')]);
    expect(slots.inUse).toBe(3);
    const waiting = slots.acquire(never(), 'y');
    expect(slots.queued).toBe(1);
    rels[0]!();
    (await waiting)();
    for (const r of rels) r();
    expect(slots.inUse).toBe(0);
  });

  it('lets a waiter marked first (an ICMP batch) ahead of a backlog', async () => {
    const slots = new PollSlots({ max: 1 });
    const held = await slots.acquire(never(), 'a');
    const order: string[] = [];
    const snmp = [1, 2, 3].map((i) => slots.acquire(never(), `s${i}`).then((rel) => { order.push(`s${i}`); rel(); }));
    const icmp = slots.acquire(never(), undefined, { first: true }).then((rel) => { order.push('icmp'); rel(); });
    held();
    await Promise.all([...snmp, icmp]);
    expect(order).toEqual(['icmp', 's1', 's2', 's3']);
  });

  it('learns from released outcomes: slow polls shrink the limit, and no more than the limit are let in', async () => {
    const slots = new PollSlots({ max: 16, min: 8, initial: 16, perAgent: 4 });
    const run = async (ms: number) => {
      const rels = await Promise.all(Array.from({ length: 8 }, (_, i) => slots.acquire(never(), `agent-${i}`)));
      for (const r of rels) r({ latencyMs: ms, ok: true });
    };
    for (let i = 0; i < 5; i++) await run(10);
    expect(slots.limit).toBe(16);
    for (let i = 0; i < 10; i++) await run(100);
    const shrunk = slots.limit;
    expect(shrunk).toBeLessThan(16);
    const held = await Promise.all(Array.from({ length: shrunk }, (_, i) => slots.acquire(never(), `agent-${i % 8}-b`)));
    const extra = slots.acquire(never(), 'other');
    expect(slots.queued).toBe(1);
    held[0]!();
    (await extra)();
    for (const r of held) r();
  });
});

describe('scheduler: a large tick is spread over its second', () => {
  it('starts 40 polls due in one second in four groups 250 ms apart, each once, lag counted from the slot', async () => {
    const names = samePhaseNames(40, 10_000, 'spread');
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c, { delayMs: 50 }) }), { concurrency: 100 });
    // Each on its own address: the budget per agent is not what this measures.
    f.scheduler.setDevices(names.map((n, i) => device(n, { icmp: false, address: `127.0.3.${i + 1}` })));
    f.scheduler.start();
    const due = f.scheduler.nextDue(names[0]!, 'snmp')!;
    await f.clock.advance(due - f.clock.ms() + 1500);
    const snmp = f.pollers.snmp as FakePoller;
    expect(new Set(snmp.calls.map((c) => c.device)).size).toBe(40);
    expect(snmp.calls).toHaveLength(40);
    const offsets = new Map<number, number>();
    for (const c of snmp.calls) offsets.set(c.at - due, (offsets.get(c.at - due) ?? 0) + 1);
    expect([...offsets.entries()].sort((a, b) => a[0] - b[0])).toEqual([[0, 10], [250, 10], [500, 10], [750, 10]]);
    // The next interval: the same groups, no device polled twice in between.
    await f.clock.advance(10_000);
    expect(snmp.calls).toHaveLength(80);
    await stopFleet(f, 100);
  });

  it('starts a small tick at once, and a stop cancels groups not yet started', async () => {
    const few = samePhaseNames(3, 10_000, 'few');
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }));
    f.scheduler.setDevices(few.map((n, i) => device(n, { icmp: false, address: `127.0.4.${i + 1}` })));
    f.scheduler.start();
    const due = f.scheduler.nextDue(few[0]!, 'snmp')!;
    await f.clock.advance(due - f.clock.ms());
    const snmp = f.pollers.snmp as FakePoller;
    expect(snmp.calls.map((c) => c.at - due)).toEqual([0, 0, 0]);
    await stopFleet(f, 100);

    const many = samePhaseNames(20, 10_000, 'many');
    const g = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c) }), { concurrency: 100 });
    g.scheduler.setDevices(many.map((n, i) => device(n, { icmp: false, address: `127.0.5.${i + 1}` })));
    g.scheduler.start();
    const due2 = g.scheduler.nextDue(many[0]!, 'snmp')!;
    await g.clock.advance(due2 - g.clock.ms());
    const stopped = g.scheduler.stop(1000);
    await g.clock.advance(1000);
    await stopped;
    // The first group of 5 started; the three later groups never did.
    expect((g.pollers.snmp as FakePoller).calls).toHaveLength(5);
  });
});

describe('adaptive limit: the schedule\'s need is its floor', () => {
  it('does not shrink below polls due per second × measured latency (twice over)', () => {
    const limit = new AdaptiveLimit({ min: 4, max: 200, initial: 200 });
    // 50 polls due per second; agents answer in 200 ms at first, then in 600 ms (something else slows them).
    limit.setDemand(50);
    feed(limit, 200, 50, () => 200);
    feed(limit, 400, 50, () => 600);
    // 50/s × ~0.6 s × 2 = 60 in flight are needed to keep up: the limit stops there, not at the floor of 4.
    expect(limit.floor).toBeGreaterThanOrEqual(56);
    expect(limit.floor).toBeLessThanOrEqual(60);
    expect(limit.limit).toBe(limit.floor);
  });

  it('rises to the need at once when latency grows, within the ceiling', () => {
    const limit = new AdaptiveLimit({ min: 4, max: 60, initial: 10 });
    limit.setDemand(50);
    feed(limit, 100, 10, () => 2000);
    expect(limit.floor).toBe(60);
    expect(limit.limit).toBe(60);
  });
});
