import { describe, expect, it } from 'vitest';
import { echoFields, quantile } from '../../../src/pollers/icmp/echo-stats.js';

describe('icmp fields from echo replies', () => {
  it.each([
    {
      name: 'all answered',
      outcome: { sent: 3, rtts: [1, 3, 2] },
      fields: { sent: 3n, received: 3n, loss_pct: 0, up: true, rtt_min_ms: 1, rtt_max_ms: 3, rtt_median_ms: 2, rtt_p90_ms: 2.8, rtt_avg_ms: 2, jitter_ms: 1.5 },
    },
    {
      name: 'one of four lost',
      outcome: { sent: 4, rtts: [0.5, 0.7, 0.6] },
      fields: { sent: 4n, received: 3n, loss_pct: 25, up: true, rtt_min_ms: 0.5, rtt_max_ms: 0.7, rtt_median_ms: 0.6, rtt_p90_ms: 0.68, rtt_avg_ms: 0.6, jitter_ms: 0.15 },
    },
    {
      name: 'a single reply has no jitter',
      outcome: { sent: 3, rtts: [12.345678] },
      fields: { sent: 3n, received: 1n, loss_pct: 66.667, up: true, rtt_min_ms: 12.346, rtt_max_ms: 12.346, rtt_median_ms: 12.346, rtt_p90_ms: 12.346, rtt_avg_ms: 12.346, jitter_ms: 0 },
    },
    {
      name: 'an even number of replies: the median is the mean of the middle two',
      outcome: { sent: 4, rtts: [4, 1, 3, 2] },
      fields: { sent: 4n, received: 4n, loss_pct: 0, up: true, rtt_min_ms: 1, rtt_max_ms: 4, rtt_median_ms: 2.5, rtt_p90_ms: 3.7, rtt_avg_ms: 2.5, jitter_ms: 2 },
    },
    {
      name: 'a WAN cycle of 20 probes with 2 lost',
      outcome: { sent: 20, rtts: Array.from({ length: 18 }, (_, i) => i + 1) },
      fields: { sent: 20n, received: 18n, loss_pct: 10, up: true, rtt_min_ms: 1, rtt_max_ms: 18, rtt_median_ms: 9.5, rtt_p90_ms: 16.3, rtt_avg_ms: 9.5, jitter_ms: 1 },
    },
    {
      name: 'one slow outlier moves the mean and p90 but not the median',
      outcome: { sent: 5, rtts: [10, 10, 500, 10, 10] },
      fields: { sent: 5n, received: 5n, loss_pct: 0, up: true, rtt_min_ms: 10, rtt_max_ms: 500, rtt_median_ms: 10, rtt_p90_ms: 304, rtt_avg_ms: 108, jitter_ms: 245 },
    },
    {
      name: 'nothing came back: no RTT fields at all',
      outcome: { sent: 3, rtts: [] },
      fields: { sent: 3n, received: 0n, loss_pct: 100, up: false },
    },
    {
      name: 'nothing could be sent',
      outcome: { sent: 0, rtts: [], error: 'Network is unreachable' },
      fields: { sent: 0n, received: 0n, loss_pct: 100, up: false },
    },
    {
      name: 'a duplicate reply does not make loss negative',
      outcome: { sent: 2, rtts: [1, 1, 1] },
      fields: { sent: 2n, received: 2n, loss_pct: 0, up: true, rtt_min_ms: 1, rtt_max_ms: 1, rtt_median_ms: 1, rtt_p90_ms: 1, rtt_avg_ms: 1, jitter_ms: 0 },
    },
  ])('$name', ({ outcome, fields }) => {
    expect(echoFields(outcome)).toEqual(fields);
  });

  it('uses one JS type per field every time (bigint counts, number statistics, boolean up)', () => {
    const f = echoFields({ sent: 3, rtts: [1, 2] });
    expect(typeof f.sent).toBe('bigint');
    expect(typeof f.received).toBe('bigint');
    for (const k of ['loss_pct', 'rtt_min_ms', 'rtt_median_ms', 'rtt_p90_ms', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms']) expect(typeof f[k]).toBe('number');
    expect(typeof f.up).toBe('boolean');
  });
});

describe('quantile (one rule for median and p90)', () => {
  it.each([
    { sorted: [7], q: 0.5, value: 7 },
    { sorted: [7], q: 0.9, value: 7 },
    { sorted: [1, 2], q: 0.5, value: 1.5 },
    { sorted: [1, 2, 3], q: 0.5, value: 2 },
    { sorted: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q: 0.9, value: 9.1 },
    { sorted: [1, 2, 3, 4], q: 0, value: 1 },
    { sorted: [1, 2, 3, 4], q: 1, value: 4 },
  ])('q=$q of $sorted is $value', ({ sorted, q, value }) => {
    expect(quantile(sorted, q)).toBeCloseTo(value, 9);
  });

  it('keeps min <= median <= p90 <= max for any replies', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 1; n <= 40; n++) {
      const rtts = Array.from({ length: n }, () => Math.round(rnd() * 100_000) / 1000);
      const f = echoFields({ sent: n + 2, rtts });
      const [min, med, p90, max] = [f.rtt_min_ms, f.rtt_median_ms, f.rtt_p90_ms, f.rtt_max_ms] as number[];
      expect(min).toBeLessThanOrEqual(med!);
      expect(med).toBeLessThanOrEqual(p90!);
      expect(p90).toBeLessThanOrEqual(max!);
    }
  });
});
