import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, LOOP_BUSY_MS } from '../../src/scheduler/adaptive-limit.js';
import { END_MARGIN_MS, pollDeadlines } from '../../src/scheduler/jobs.js';
import { PollSlots } from '../../src/scheduler/poll-slots.js';
import { schedulerSectionSchema } from '../../src/config/sections/scheduler.js';
import { device, fakeFleet, FakePoller, stopFleet } from './fake-fleet.js';

/* Issue 23: 5,000 devices at 60 s (83 SNMP polls due a second) whose agents answer in ~1.1 s failed thousands of
   polls waiting for one of 128 slots. These drive the limit and the scheduler on fake time: no timing asserts. */

/** Feeds `n` answered polls over `agents` agents, each taking `ms`, saying before each batch of 10 that polls waited. */
function feed(limit: AdaptiveLimit, n: number, agents: number, ms: number, wait = true): number {
  for (let i = 0; i < n; i++) {
    if (wait && i % 10 === 0) limit.waited();
    limit.observe(`agent-${i % agents}`, ms, true);
  }
  return limit.limit;
}

describe('the in-flight limit at 5,000 devices', () => {
  it('defaults to a ceiling of 1,000 that is a guard, and starts low', () => {
    expect(schedulerSectionSchema.parse({}).concurrency).toBe(1000);
    expect(new PollSlots({ max: 1000 }).limit).toBe(32);
    expect(new PollSlots({ max: 10 }).limit).toBe(10);
  });

  it('reaches what 83 polls/s at ~1.1 s need (≈ 92 in flight) from its low start, with Little\'s-law headroom', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 1000, initial: 32 });
    limit.setDemand(5000 / 60);
    // The first minute of polls: every agent answers in 1.1 s (its baseline), polls wait for slots.
    const after = feed(limit, 600, 5000, 1100);
    expect(after).toBeGreaterThanOrEqual(Math.ceil((5000 / 60) * 1.1));
    // The floor is the need twice over: 83.3/s × 1.1 s × 2 = 184.
    expect(limit.floor).toBe(184);
    expect(after).toBeGreaterThanOrEqual(184);
    expect(after).toBeLessThanOrEqual(1000);
  });

  it('the old ceiling of 128 could not hold that headroom', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 128, initial: 128 });
    limit.setDemand(5000 / 60);
    feed(limit, 600, 5000, 1100);
    expect(limit.floor).toBe(128);
    expect(limit.limit).toBe(128);
  });

  it('while its own event loop lags it does not grow, sheds what it holds above the need, and counts at most twice the healthy latency', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 1000, initial: 400 });
    limit.setDemand(50);
    feed(limit, 400, 100, 200, false);
    expect(limit.limit).toBe(400);
    for (let s = 0; s < 10; s++) limit.setLoopDelay(LOOP_BUSY_MS * 3);
    expect(limit.loopBusy).toBe(true);
    // Polls wait, yet it shrinks: 400 → the need, 50/s × 0.2 s × 2 = 20, and no further.
    const during = feed(limit, 2000, 100, 200);
    expect(limit.floor).toBe(20);
    expect(during).toBe(20);
    // Latency grows tenfold while the loop lags: the floor follows it up to twice the healthy latency, no further
    // (50/s × 0.4 s × 2 = 40, not 200): past that it is our own queue, and more in flight would only deepen it.
    feed(limit, 400, 100, 2000);
    expect(limit.floor).toBe(40);
    expect(limit.limit).toBe(40);
    // Latency grows by less than the tolerance: the floor follows the need in full.
    const mild = new AdaptiveLimit({ min: 8, max: 1000, initial: 32 });
    mild.setDemand(50);
    feed(mild, 400, 100, 200);
    for (let s = 0; s < 10; s++) mild.setLoopDelay(LOOP_BUSY_MS * 3);
    feed(mild, 400, 100, 300);
    expect(mild.floor).toBe(30);
    // The loop recovers: growth counts again.
    for (let s = 0; s < 20; s++) limit.setLoopDelay(0);
    expect(limit.loopBusy).toBe(false);
    const before = limit.limit;
    expect(feed(limit, 400, 100, 200)).toBeGreaterThan(before);
  });
});

describe('a start under load', () => {
  it('with the loop lagging before any healthy measurement, the floor counts the latency measured, not the minimum', () => {
    const limit = new AdaptiveLimit({ min: 8, max: 1000, initial: 32 });
    limit.setDemand(5000 / 60);
    for (let s = 0; s < 10; s++) limit.setLoopDelay(LOOP_BUSY_MS * 2);
    feed(limit, 600, 5000, 1100);
    expect(limit.loopBusy).toBe(true);
    expect(limit.floor).toBe(184);
    expect(limit.limit).toBe(184);
  });
});

describe('poll deadlines', () => {
  const base = { start: 100_000, due: 99_400, intervalMs: 60_000, deadlineMs: 54_000 };

  it('a poll that gets its slot at once keeps the configured deadline from its start', () => {
    const d = pollDeadlines({ ...base, expectedMs: 1100 });
    expect(d.runEnd(100_000)).toBe(154_000);
  });

  it('a waiter may wait until its next slot less a poll\'s time, and runs within that slot', () => {
    const d = pollDeadlines({ ...base, expectedMs: 1100 });
    const endBy = base.due + base.intervalMs - END_MARGIN_MS;
    expect(d.waitUntil).toBe(endBy - 1100);
    expect(d.waitUntil).toBeGreaterThan(154_000);
    // Granted after 20 s of waiting: it runs until the next slot's margin, not 54 s after dispatch.
    expect(d.runEnd(120_000)).toBe(endBy);
  });

  it('is never earlier than the configured deadline after dispatch', () => {
    // A poll due long ago (pollNow, a stall) or a slow agent.
    expect(pollDeadlines({ ...base, due: 40_000, expectedMs: 0 }).waitUntil).toBe(154_000);
    expect(pollDeadlines({ ...base, expectedMs: 30_000 }).waitUntil).toBe(154_000);
    expect(pollDeadlines({ ...base, due: 40_000, expectedMs: 0 }).runEnd(150_000)).toBe(154_000);
  });
});

describe('scheduler: 83 polls due a second at 1.1 s each, on fake time', () => {
  it('completes every poll from the second interval on with the default ceiling, none failed waiting', async () => {
    // 500 devices every 6 s: the same 83 polls/s and ~92 in flight as 5,000 every 60 s, ten times fewer timers.
    const n = 500;
    const f = fakeFleet((c) => ({ snmp: new FakePoller('snmp', c, { delayMs: 1100 }) }), { concurrency: 1000 });
    const intervals = { icmp: 6_000, snmp: 6_000, inventory: 3_600_000 };
    f.scheduler.setDevices(Array.from({ length: n }, (_, i) => device(`d-${i}`, {
      icmp: false, intervals, address: `10.${(i >> 8) & 255}.${i & 255}.1`,
    })));
    f.scheduler.start();
    await f.clock.advance(60_000);
    const snmp = f.pollers.snmp as FakePoller;
    let failed = 0;
    let overruns = 0;
    for (let i = 0; i < n; i++) {
      const p = f.states.get(`d-${i}`)!.polls;
      failed += p.failed;
      overruns += p.overruns;
    }
    expect(failed).toBe(0);
    expect(overruns).toBe(0);
    // Every device polled every interval (the first may come late within its first interval).
    expect(snmp.calls.length).toBeGreaterThanOrEqual(n * 9);
    expect(snmp.maxActive).toBeGreaterThanOrEqual(Math.floor((n / 6) * 1.1) - 5);
    expect(snmp.maxActive).toBeLessThanOrEqual(1000);
    await stopFleet(f, 2000);
  }, 60_000);
});
