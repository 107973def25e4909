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
