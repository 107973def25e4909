import { describe, expect, it } from 'vitest';
import { nameHash, nextSlot, phaseOffsetMs } from '../../src/scheduler/offsets.js';

describe('per-device phases', () => {
  it('spreads 2,000 devices evenly over a 60 s interval', () => {
    const bins = new Array<number>(60).fill(0);
    for (let i = 0; i < 2000; i++) bins[phaseOffsetMs(`bj-acc-sw-${i}`, 60_000) / 1000]!++;
    // 33.3 per second on average; within ±50 % of it in every second, and no second empty.
    expect(Math.min(...bins)).toBeGreaterThanOrEqual(17);
    expect(Math.max(...bins)).toBeLessThanOrEqual(50);
  });

  it('is stable for a name and differs between similar names', () => {
    expect(phaseOffsetMs('core-sw-01', 60_000)).toBe(phaseOffsetMs('core-sw-01', 60_000));
    const similar = new Set(Array.from({ length: 10 }, (_, i) => nameHash(`core-sw-0${i}`) % 60));
    expect(similar.size).toBeGreaterThanOrEqual(7);
  });

  it('stays within the interval and on whole seconds', () => {
    for (const iv of [1000, 1500, 10_000, 30_000, 6 * 3_600_000]) {
      for (let i = 0; i < 50; i++) {
        const o = phaseOffsetMs(`d${i}`, iv);
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(iv);
        expect(o % 1000).toBe(0);
      }
    }
  });

  it('finds the first slot at or after a time', () => {
    expect(nextSlot(100_000, 30_000, 5_000)).toBe(125_000);
    expect(nextSlot(125_000, 30_000, 5_000)).toBe(125_000);
    expect(nextSlot(125_001, 30_000, 5_000)).toBe(155_000);
    expect(nextSlot(0, 30_000, 0)).toBe(0);
  });
});
