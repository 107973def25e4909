import { describe, expect, it } from 'vitest';
import { PollSlots } from '../../src/scheduler/poll-slots.js';

describe('poll slots (the global concurrency limit)', () => {
  it('lets `limit` polls in and the rest in arrival order as slots free up', async () => {
    const slots = new PollSlots(2);
    const order: number[] = [];
    const never = new AbortController().signal;
    const releases = await Promise.all([slots.acquire(never), slots.acquire(never)]);
    const waiting = [3, 4].map((n) => slots.acquire(never).then((rel) => { order.push(n); return rel; }));
    expect(slots.queued).toBe(2);
    releases[0]!();
    const r3 = await waiting[0]!;
    expect(order).toEqual([3]);
    expect(slots.inUse).toBe(2);
    releases[1]!();
    r3();
    (await waiting[1]!)();
    expect(order).toEqual([3, 4]);
    expect(slots.inUse).toBe(0);
  });

  it('drops a waiter whose deadline passes, and releasing twice frees one slot only', async () => {
    const slots = new PollSlots(1);
    const rel = await slots.acquire(new AbortController().signal);
    const c = new AbortController();
    const waiting = slots.acquire(c.signal);
    c.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    expect(slots.queued).toBe(0);
    rel(); rel();
    expect(slots.inUse).toBe(0);
    const again = await slots.acquire(new AbortController().signal);
    expect(slots.inUse).toBe(1);
    again();
  });

  it('admits waiters when the limit is raised by a reload', async () => {
    const slots = new PollSlots(1);
    await slots.acquire(new AbortController().signal);
    const waiting = slots.acquire(new AbortController().signal);
    slots.setLimit(2);
    await waiting;
    expect(slots.inUse).toBe(2);
  });
});
