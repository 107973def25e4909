import { describe, expect, it } from 'vitest';
import { median, percentile, summarize, type RunFigures } from '../../bench/measure.js';
import { parseBenchArgs } from '../../bench/options.js';
import { markdownTable, peerRatio, type ResultRow } from '../../bench/report.js';

/** The benchmark itself never runs under npm test: these cover the harness's pure parts only. */

const run = (wallS: number, cpuS: number, extra?: Record<string, number>): RunFigures => ({ wallS, cpuS, peakRssMiB: 10, ...(extra ? { extra } : {}) });

describe('bench arguments', () => {
  it('runs every section, three times, in full mode by default', () => {
    expect(parseBenchArgs([])).toEqual({ quick: false, sections: ['icmp', 'snmp', 'fleet', 'influx', 'alerts', 'cluster', 'consume', 'events', 'discovery'], repeats: 3 });
  });

  it('takes --quick, --only as a list or repeated (kept in run order), --repeats and --out', () => {
    expect(parseBenchArgs(['--quick', '--only', 'alerts,icmp', '--only=snmp', '--repeats', '5', '--out', '/tmp/x'])).toEqual({
      quick: true, sections: ['icmp', 'snmp', 'alerts'], repeats: 5, outDir: '/tmp/x',
    });
  });

  it('refuses unknown sections, unknown flags, missing values and fewer than three repetitions', () => {
    expect(() => parseBenchArgs(['--only', 'dns'])).toThrow(/unknown section "dns"/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
    expect(() => parseBenchArgs(['--only'])).toThrow(/--only needs a value/);
    expect(() => parseBenchArgs(['--repeats', '2'])).toThrow(/at least 3/);
  });
});

describe('median, percentile and spread', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('picks percentiles by nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarises runs by median, min and max, extras included and missing extras left out', () => {
    const s = summarize([run(1, 0.5, { rate: 10 }), run(3, 0.1, { rate: 30 }), run(2, 0.3)]);
    expect(s.runs).toBe(3);
    expect(s.median).toMatchObject({ wallS: 2, cpuS: 0.3, extra: { rate: 20 } });
    expect(s.min).toMatchObject({ wallS: 1, cpuS: 0.1, extra: { rate: 10 } });
    expect(s.max).toMatchObject({ wallS: 3, cpuS: 0.5, extra: { rate: 30 } });
  });
});

describe('peer ratios and the Markdown table', () => {
  const rows: ResultRow[] = [
    { section: 'icmp', case: '1,000 targets', contender: 'noctua', peer: 'fping', summary: summarize([run(1.2, 0.06, { perTarget: 0.06 }), run(1.1, 0.06, { perTarget: 0.06 }), run(1.3, 0.06, { perTarget: 0.06 })]), show: [{ key: 'perTarget', label: 'CPU ms/target', digits: 3 }] },
    { section: 'icmp', case: '1,000 targets', contender: 'fping', summary: summarize([run(1, 0.04, { perTarget: 0.04 }), run(1, 0.04, { perTarget: 0.04 }), run(1, 0.04, { perTarget: 0.04 })]) },
  ];

  it('divides the row\'s medians by its peer\'s in the same case', () => {
    const r = peerRatio(rows[0]!, rows)!;
    expect(r.wall).toBeCloseTo(1.2);
    expect(r.cpu).toBeCloseTo(1.5);
    expect(r.extra.perTarget).toBeCloseTo(1.5);
    expect(peerRatio(rows[1]!, rows)).toBeUndefined();
    expect(peerRatio({ ...rows[0]!, case: 'other' }, rows)).toBeUndefined();
  });

  it('prints medians with their spread and the ratios, one line per row', () => {
    const lines = markdownTable(rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| icmp | 1,000 targets | noctua vs fping | 3 | 1.200 (1.100–1.300) | 0.060 | 10 | 1.20 | 1.50 | CPU ms/target 0.060 (×1.50) |');
    expect(lines[3]).toBe('| icmp | 1,000 targets | fping | 3 | 1.000 | 0.040 | 10 | – | – |  |');
  });
});

describe('fleet sizes', () => {
  it('takes devices:seconds pairs and refuses anything else', () => {
    expect(parseBenchArgs(['--fleet', '2000:300,5000:180']).fleet).toEqual([{ devices: 2000, seconds: 300 }, { devices: 5000, seconds: 180 }]);
    expect(() => parseBenchArgs(['--fleet', '2000'])).toThrow(/DEVICES:SECONDS/);
  });
});
