import { describe, expect, it } from 'vitest';
import type { NoctuaEvent, StormSummary } from '../../src/events/event.js';
import { StormControl } from '../../src/events/storm.js';

const ev = (type: string, ifName = 'GE0/0/1'): NoctuaEvent => ({
  source: 'trap', device: 'sw', vendor: 'unknown', type, family: 'link', severity: 'major', ifName, message: type, from: '10.0.0.1', raw: '', time: new Date(0),
});

describe('storm control', () => {
  it('passes the first events of a window, summarises the rest, and keeps a continuing storm to one summary per window', () => {
    const out: { e: NoctuaEvent; s?: StormSummary }[] = [];
    const storm = new StormControl({ windowMs: 60_000, threshold: 2 }, (e, s) => out.push({ e, s }));
    for (let i = 0; i < 10; i++) storm.offer(ev(i % 2 ? 'link-up' : 'link-down'), 1000 + i);
    storm.offer(ev('link-down', 'GE0/0/2'), 1500);
    expect(out.map((o) => o.e.ifName)).toEqual(['GE0/0/1', 'GE0/0/1', 'GE0/0/2']);
    storm.flush(61_000);
    expect(out[3]!.s).toEqual({ count: 8, byType: { 'link-down': 4, 'link-up': 4 } });
    // Still flapping in the next window: held from the first event.
    for (let i = 0; i < 5; i++) storm.offer(ev('link-down'), 62_000 + i);
    expect(out).toHaveLength(4);
    storm.flush(122_000);
    expect(out[4]!.s?.count).toBe(5);
    // Quiet for a window: forgotten, and the next event passes again.
    storm.flush(183_000);
    storm.offer(ev('link-up'), 190_000);
    expect(out[5]!.s).toBeUndefined();
    expect(storm.stats()).toMatchObject({ heldBack: 13, summaries: 2 });
  });
});

describe('storm control keys and bounds', () => {
  it('counts the same family and interface on two devices apart, and two interfaces of one device apart', () => {
    const out: { e: NoctuaEvent; s?: StormSummary }[] = [];
    const storm = new StormControl({ windowMs: 60_000, threshold: 1 }, (e, s) => out.push({ e, s }));
    const on = (device: string, ifName: string) => ({ ...ev('link-down', ifName), device });
    for (const [d, i] of [['sw', 'GE0/0/1'], ['sw2', 'GE0/0/1'], ['sw', 'GE0/0/2'], ['sw', 'GE0/0/1'], ['sw2', 'GE0/0/1']] as const) storm.offer(on(d, i), 1000);
    expect(out.map((o) => `${o.e.device} ${o.e.ifName}`)).toEqual(['sw GE0/0/1', 'sw2 GE0/0/1', 'sw GE0/0/2']);
    storm.flush(61_000);
    expect(out.slice(3).map((o) => [o.e.device, o.s?.count])).toEqual([['sw', 1], ['sw2', 1]]);
  });

  it('past 50,000 tracked windows closes them all early (summaries emitted, none lost) and starts again', () => {
    const out: { e: NoctuaEvent; s?: StormSummary }[] = [];
    const storm = new StormControl({ windowMs: 60_000, threshold: 1 }, (e, s) => out.push({ e, s }));
    storm.offer(ev('link-down', 'held'), 1000);
    storm.offer(ev('link-up', 'held'), 1001); // held back: the window's second event
    for (let i = 1; i < 50_000; i++) storm.offer(ev('link-down', `x${i}`), 1002);
    expect(out).toHaveLength(50_000);
    expect(storm.stats().stormsOpen).toBe(1);
    storm.offer(ev('link-down', 'one more'), 1003);
    const summary = out.find((o) => o.s);
    expect(summary?.e.ifName).toBe('held');
    expect(summary?.s).toEqual({ count: 1, byType: { 'link-up': 1 } });
    expect(out[out.length - 1]!.e.ifName).toBe('one more');
    expect(storm.stats()).toMatchObject({ stormsOpen: 0, heldBack: 1, summaries: 1 });
    // The held interface starts a fresh window: its next event passes.
    storm.offer(ev('link-down', 'held'), 1004);
    expect(out[out.length - 1]!.s).toBeUndefined();
  });
});
