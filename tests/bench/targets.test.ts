import { describe, expect, it } from 'vitest';
import { summarize, type RunFigures } from '../../bench/measure.js';
import type { ResultRow } from '../../bench/report.js';
import { cpuMsPerDevicePoll, issueTargets, meetsInterval, targetsTable } from '../../bench/targets.js';

/** The verdicts are arithmetic on a result's rows and facts: these pin that arithmetic, no benchmark runs. */

const runs = (extra: Record<string, number>): RunFigures[] => [1, 2, 3].map(() => ({ wallS: 1, cpuS: 1, peakRssMiB: 1, extra }));
const pair = (section: string, kase: string, noctua: string, peer: string, mine: Record<string, number>, theirs: Record<string, number>): ResultRow[] => [
  { section, case: kase, contender: noctua, peer, summary: summarize(runs(mine)) },
  { section, case: kase, contender: peer, summary: summarize(runs(theirs)) },
];
const fleet = (over: Record<string, number> = {}) => ({
  noctuaCores: 0.4, steadyCores: 0.35, peakRssMiB: 800, countedSpanS: 300, snmpDue: 25_000, snmpCompleted: 25_000, snmpFailed: 0, snmpOverruns: 0,
  icmpDue: 50_000, icmpCompleted: 50_000, icmpOverruns: 0, snmpLatencyP99Ms: 2500, steadySnmpLatencyP99Ms: 2400, simulatorCores: 0.9, ...over,
});

describe('issue 23 verdicts from a bench result', () => {
  it('meets the interval only with no failed poll, no overrun, every due poll completed and p99 under 60 s', () => {
    expect(meetsInterval(fleet())).toBe(true);
    expect(meetsInterval(fleet({ snmpFailed: 1 }))).toBe(false);
    expect(meetsInterval(fleet({ icmpOverruns: 2 }))).toBe(false);
    expect(meetsInterval(fleet({ icmpCompleted: 49_999 }))).toBe(false);
    expect(meetsInterval(fleet({ snmpLatencyP99Ms: 60_000 }))).toBe(false);
  });

  it('allows the polls in flight at the cut, no more, and judges p99 against the run\'s own interval', () => {
    expect(meetsInterval(fleet({ snmpCompleted: 24_900 }))).toBe(false);
    expect(meetsInterval(fleet({ snmpCompleted: 24_900, snmpInFlightAllowance: 100 }))).toBe(true);
    expect(meetsInterval(fleet({ snmpCompleted: 24_899, snmpInFlightAllowance: 100 }))).toBe(false);
    expect(meetsInterval(fleet({ snmpIntervalMs: 2000 }))).toBe(false);
  });

  it('costs a device-poll as Noctua CPU over the counted span divided by SNMP and ICMP polls completed', () => {
    // 0.4 cores × 300 s = 120 CPU s over 75,000 polls = 1.6 ms.
    expect(cpuMsPerDevicePoll(fleet())).toBeCloseTo(1.6, 6);
    expect(cpuMsPerDevicePoll({ ...fleet(), cpuMsPerDevicePoll: 0.9 })).toBe(0.9);
  });

  it('states every target, with the largest fleet that met the interval and misses named', () => {
    const rows: ResultRow[] = [
      ...pair('influx', '60,000 points, 1 concurrent', 'noctua writer', 'raw fetch POST ×1', { pointsPerS: 1050, clientCpuSPer100k: 0.7 }, { pointsPerS: 1000, clientCpuSPer100k: 0.7 }),
      ...pair('influx', '60,000 points, 4 concurrent', 'noctua writer ×4', 'raw fetch POST ×4', { pointsPerS: 900, clientCpuSPer100k: 0.7 }, { pointsPerS: 1000, clientCpuSPer100k: 0.7 }),
      ...pair('snmp', 'IF-MIB part, 23 devices, sequential', 'noctua (no profiles)', 'snmp_exporter if_mib', { pollsPerCpuS: 420 }, { pollsPerCpuS: 100 }),
      ...pair('icmp', '10,000 targets × 3 probes', 'noctua (fping backend)', 'fping -C3 -i0', { cycleS: 0.66, cpuMsPerTarget: 0.06 }, { cycleS: 0.6, cpuMsPerTarget: 0.04 }),
    ];
    const facts = { 'fleet 2000': fleet({ noctuaCores: 0.1, snmpDue: 10_000, snmpCompleted: 10_000, icmpDue: 20_000, icmpCompleted: 20_000 }), 'fleet 5000': fleet(), 'fleet 7500': fleet({ snmpFailed: 12 }), 'fleet 5000 snmpd sizing': { needed: 'x' } };
    const v = issueTargets({ rows, facts });
    const by = (s: string) => v.find((x) => x.target.includes(s))!;
    expect(by('every SNMP and ICMP poll').met).toBe(true);
    expect(by('largest fleet').measured).toMatch(/^5,000 devices \(largest tried 7,500\)/);
    expect(by('largest fleet').met).toBe(false);
    expect(by('cost per device-poll').measured).toMatch(/^1 ms/);
    expect(by('cost per device-poll').met).toBe(true);
    expect(by('1 concurrent').met).toBe(true);
    expect(by('4 concurrent').met).toBe(false);
    expect(by('4 concurrent').measured).toMatch(/^0\.9× points\/s/);
    expect(by('SNMP ≥ 4×').met).toBe(true);
    expect(by('ICMP 10,000').measured).toBe('cycle 0.66 s, 1.1× wall, 1.5× CPU per target');
    expect(by('ICMP 10,000').met).toBe(true);
    expect(targetsTable(v)).toContain('| writer ≥ 1.0× raw line protocol, 4 concurrent | 0.9× points/s (client CPU per point 1×) | **no** |');
  });

  it('says "not measured" for what a partial run did not run, never "met"', () => {
    const v = issueTargets({ rows: [], facts: {} });
    expect(v.length).toBeGreaterThanOrEqual(6);
    for (const x of v) expect(x.met === undefined || x.met === false).toBe(true);
    expect(v.filter((x) => x.met === undefined).length).toBeGreaterThanOrEqual(5);
  });
});
