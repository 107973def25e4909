import { describe, expect, it } from 'vitest';
import { UPTIME_WRAP_TICKS, counterDelta, counterRate, exportState, importState, judgeUptime, uptimeSeconds, type CounterState } from '../../../src/pollers/snmp/counters.js';

const T32 = 2n ** 32n;

describe('counter deltas', () => {
  it('a counter that grew gives the difference', () => {
    expect(counterDelta(100n, 350n, { bits: 32, seconds: 60 })).toBe(250n);
    expect(counterRate(100n, 700n, { bits: 64, seconds: 60 })).toBe(10);
  });

  it('a 32-bit counter that passed 2^32 wraps once', () => {
    expect(counterDelta(T32 - 100n, 50n, { bits: 32, seconds: 60 })).toBe(150n);
    // 1 Gb/s link: 125 MB/s x 60 s allows a wrap of this size.
    expect(counterDelta(T32 - 1_000_000n, 2_000_000n, { bits: 32, seconds: 60, maxRate: 125_000_000 * 1.1 })).toBe(3_000_000n);
  });

  it('a 32-bit drop too big for the link speed is a reset, not a wrap', () => {
    // From 1,000 to 10 would mean 4 GB in 60 s on a 10 Mb/s port: impossible, so the counter was reset.
    expect(counterDelta(1000n, 10n, { bits: 32, seconds: 60, maxRate: 1_250_000 })).toBeUndefined();
    // Without a known speed, a drop implying more than half the counter space is a reset too.
    expect(counterDelta(3_000_000_000n, 5n, { bits: 32, seconds: 60 })).toBe(T32 - 3_000_000_000n + 5n);
    expect(counterDelta(1_000_000n, 5n, { bits: 32, seconds: 60 })).toBeUndefined();
  });

  it('a 64-bit counter going down is a reset (it does not wrap in practice)', () => {
    expect(counterDelta(2n ** 64n - 10n, 5n, { bits: 64, seconds: 60 })).toBeUndefined();
    expect(counterRate(500n, 100n, { bits: 64, seconds: 60 })).toBeUndefined();
  });

  it('a missing previous sample or no elapsed time gives no rate', () => {
    expect(counterRate(undefined, 100n, { bits: 64, seconds: 60 })).toBeUndefined();
    expect(counterRate(100n, undefined, { bits: 64, seconds: 60 })).toBeUndefined();
    expect(counterRate(100n, 200n, { bits: 64, seconds: 0 })).toBeUndefined();
  });

  it('never yields a negative rate', () => {
    for (const [a, b] of [[10n, 5n], [T32 - 1n, 0n], [0n, 0n], [5n, 10n]] as const) {
      for (const bits of [32, 64] as const) {
        const r = counterRate(a, b, { bits, seconds: 30 });
        if (r !== undefined) expect(r).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

const base = (over: Partial<CounterState> = {}): CounterState => ({ at: 1_000_000, uptimeTicks: 500_000, uptimeWraps: 0, counters: new Map(), ...over });

describe('sysUpTime: reboots versus the 497-day wrap', () => {
  it('first poll has nothing to compare', () => {
    expect(judgeUptime(undefined, { at: 1, uptimeTicks: 5 }).kind).toBe('first');
  });

  it('uptime that kept counting is normal', () => {
    expect(judgeUptime(base(), { at: 1_060_000, uptimeTicks: 506_000 })).toEqual({ kind: 'normal', uptimeWraps: 0 });
  });

  it('uptime going back after a minute is a reboot', () => {
    const v = judgeUptime(base(), { at: 1_060_000, uptimeTicks: 3000 });
    expect(v.kind).toBe('reboot');
  });

  it('uptime going back from near 2^32 ticks by the elapsed time is a wrap, not a reboot', () => {
    const prev = base({ uptimeTicks: UPTIME_WRAP_TICKS - 3000 });
    // 60 s later: 3000 ticks to the top, 3000 after it.
    const v = judgeUptime(prev, { at: prev.at + 60_000, uptimeTicks: 3000 });
    expect(v).toEqual({ kind: 'wrap', uptimeWraps: 1 });
    expect(uptimeSeconds(3000, 1)).toBeCloseTo((UPTIME_WRAP_TICKS + 3000) / 100);
  });

  it('with the engine clock: same snmpEngineBoots means a wrap, a higher one means a reboot', () => {
    const prev = base({ uptimeTicks: UPTIME_WRAP_TICKS - 100, engineBoots: 7, engineTime: 40_000_000 });
    expect(judgeUptime(prev, { at: prev.at + 600_000, uptimeTicks: 59_900, engineBoots: 7, engineTime: 40_000_600 }).kind).toBe('wrap');
    expect(judgeUptime(prev, { at: prev.at + 600_000, uptimeTicks: 59_900, engineBoots: 8, engineTime: 600 }).kind).toBe('reboot');
  });

  it('a restart hidden by a long poll gap shows in snmpEngineBoots even when sysUpTime went up', () => {
    const prev = base({ engineBoots: 3, engineTime: 5000 });
    expect(judgeUptime(prev, { at: prev.at + 60_000, uptimeTicks: 600_000, engineBoots: 4, engineTime: 10 }).kind).toBe('reboot');
  });
});

describe('counter state moves between processes', () => {
  it('round-trips through JSON with bigints intact', () => {
    const s = base({ engineBoots: 2, engineTime: 99, counters: new Map([['3', new Map([['in_octets', 2n ** 63n + 5n], ['in_errors/32', 7n]])]]) });
    const json = JSON.parse(JSON.stringify(exportState(s))) as unknown;
    const back = importState(json);
    expect(back.counters.get('3')!.get('in_octets')).toBe(2n ** 63n + 5n);
    expect(back.counters.get('3')!.get('in_errors/32')).toBe(7n);
    expect(back.engineBoots).toBe(2);
    expect(back.uptimeTicks).toBe(500_000);
  });

  it('rejects data that is not a counter state, naming the field', () => {
    expect(() => importState({ v: 1, at: 'x', counters: {} })).toThrow(/at: expected a number/);
    expect(() => importState({ v: 1, at: 1, counters: { 3: { in_octets: 12 } } })).toThrow(/counters\.3\.in_octets: expected a decimal string/);
    expect(() => importState(null)).toThrow(/expected an object/);
  });
});
