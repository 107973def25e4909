import { describe, expect, it } from 'vitest';
import { echoFields } from '../../../src/pollers/icmp/echo-stats.js';

describe('icmp fields from echo replies', () => {
  it.each([
    {
      name: 'all answered',
      outcome: { sent: 3, rtts: [1, 3, 2] },
      fields: { sent: 3n, received: 3n, loss_pct: 0, up: true, rtt_min_ms: 1, rtt_max_ms: 3, rtt_avg_ms: 2, jitter_ms: 1.5 },
    },
    {
      name: 'one of four lost',
      outcome: { sent: 4, rtts: [0.5, 0.7, 0.6] },
      fields: { sent: 4n, received: 3n, loss_pct: 25, up: true, rtt_min_ms: 0.5, rtt_max_ms: 0.7, rtt_avg_ms: 0.6, jitter_ms: 0.15 },
    },
    {
      name: 'a single reply has no jitter',
      outcome: { sent: 3, rtts: [12.345678] },
      fields: { sent: 3n, received: 1n, loss_pct: 66.667, up: true, rtt_min_ms: 12.346, rtt_max_ms: 12.346, rtt_avg_ms: 12.346, jitter_ms: 0 },
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
      fields: { sent: 2n, received: 2n, loss_pct: 0, up: true, rtt_min_ms: 1, rtt_max_ms: 1, rtt_avg_ms: 1, jitter_ms: 0 },
    },
  ])('$name', ({ outcome, fields }) => {
    expect(echoFields(outcome)).toEqual(fields);
  });

  it('uses one JS type per field every time (bigint counts, number statistics, boolean up)', () => {
    const f = echoFields({ sent: 3, rtts: [1, 2] });
    expect(typeof f.sent).toBe('bigint');
    expect(typeof f.received).toBe('bigint');
    for (const k of ['loss_pct', 'rtt_min_ms', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms']) expect(typeof f[k]).toBe('number');
    expect(typeof f.up).toBe('boolean');
  });
});
