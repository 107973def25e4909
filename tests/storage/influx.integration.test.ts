import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sample } from '../../src/core/sample.js';
import { influxSectionSchema, type InfluxSection } from '../../src/config/sections/influx.js';
import { Spool } from '../../src/storage/influx/spool.js';
import { createInfluxSink } from '../../src/storage/influx/sink.js';
import { setUpDatabase } from '../../src/storage/influx/setup.js';
import { createInfluxReader, InfluxQueryError } from '../../src/storage/queries.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { capturedLogger } from './log-capture.js';

let influxd: Awaited<ReturnType<typeof realInfluxd>>;
const cleanups: (() => void)[] = [];

beforeAll(async () => { influxd = await realInfluxd(); });
afterAll(async () => {
  while (cleanups.length) cleanups.pop()!();
  await influxd?.cleanup();
});

function settingsFor(database: string, over: Record<string, unknown> = {}): InfluxSection {
  return influxSectionSchema.parse({ url: influxd.url, database, ...over });
}

async function sinkFor(settings: InfluxSection) {
  const t = tempDir('noctua-state-');
  cleanups.push(t.cleanup);
  const { log, records } = capturedLogger();
  const sink = await createInfluxSink({ settings, stateDir: t.dir, log });
  return { sink, records, stateDir: t.dir };
}

describe('InfluxDB storage against a real influxd', () => {
  it('writes 100,000 points and reads back the exact count per measurement', async () => {
    const settings = settingsFor('bulk', { precision: 's' });
    const { sink } = await sinkFor(settings);
    const counts = { icmp: 40_000, interface: 30_000, cpu: 20_000, memory: 10_000 };
    const base = Math.floor(Date.now() / 1000) * 1000 - 2 * 3_600_000;
    for (const [measurement, count] of Object.entries(counts)) {
      for (let start = 0; start < count; start += 10_000) {
        const batch: Sample[] = [];
        // 100 devices, one point per device per second: every point is its own (series, time).
        for (let i = start; i < Math.min(count, start + 10_000); i++) {
          batch.push({ measurement, tags: { device: `d${i % 100}`, site: 'hq' }, fields: { seq: BigInt(i), value: i / 3, ok: i % 2 === 0 }, time: new Date(base - Math.floor(i / 100) * 1000) });
        }
        await sink.write(batch);
      }
    }
    await sink.flush();
    await sink.close();
    expect(sink.stats()).toMatchObject({ writtenPoints: 100_000, spoolPoints: 0, droppedPoints: 0, deadLetteredPoints: 0 });
    const reader = createInfluxReader(settings);
    for (const [measurement, count] of Object.entries(counts)) {
      const [r] = await reader.query(`SELECT count("seq") AS n, count("value") AS v, count("ok") AS o FROM "${measurement}"`);
      expect(r!.series![0]!.values[0]!.slice(1)).toEqual([count, count, count]);
    }
    const [types] = await reader.query('SHOW FIELD KEYS FROM "icmp"');
    expect(types!.series![0]!.values).toEqual([['ok', 'boolean'], ['seq', 'integer'], ['value', 'float']]);
  }, 120_000);

  it('round-trips nasty tag values, field keys and string fields exactly', async () => {
    const settings = settingsFor('escape', { precision: 'ms' });
    const { sink } = await sinkFor(settings);
    const nasty = ['core sw, rack=3', 'say "hi"', "it's", 'a\\b', '核心交换机', 'x=y,z', '  leading', 'tab\tinside', 'C:\\Program Files\\x'];
    const t0 = Date.now() - 60_000;
    await sink.write(nasty.map((device, i) => ({
      measurement: 'my meas,ure', tags: { device, 'odd key=,': `v ${i}` },
      fields: { 'field key, =': 5, text: `line 1\n"quoted" \\ ${device}` }, time: new Date(t0 + i),
    })));
    await sink.flush();
    const reader = createInfluxReader(settings);
    for (const device of nasty) {
      const rows = await reader.latest({ measurement: 'my meas,ure', where: { device }, lookbackMs: 3_600_000 });
      expect(rows, device).toHaveLength(1);
      expect(rows[0]!.tags).toEqual({ device });
      expect(rows[0]!.values).toMatchObject({ 'field key, =': 5, text: `line 1\n"quoted" \\ ${device}`, 'odd key=,': `v ${nasty.indexOf(device)}` });
    }
    const [all] = await reader.query('SHOW TAG VALUES FROM "my meas,ure" WITH KEY = "device"');
    expect(all!.series![0]!.values.map((v) => v[1]).sort()).toEqual([...nasty].sort());
    await sink.close();
  });

  it('writes the rest of a batch and dead-letters the point InfluxDB refuses', async () => {
    const settings = settingsFor('dead', { precision: 's', batchSize: 100 });
    const { sink, stateDir, records } = await sinkFor(settings);
    const t = Date.now() - 60_000;
    await sink.write([{ measurement: 'cpu', tags: { device: 'a' }, fields: { load_pct: 1.5 }, time: new Date(t - 10_000) }]);
    await sink.flush();
    // load_pct arrives as an integer for device c: a field type conflict InfluxDB refuses point by point.
    await sink.write([
      { measurement: 'cpu', tags: { device: 'b' }, fields: { load_pct: 2 }, time: new Date(t) },
      { measurement: 'cpu', tags: { device: 'c' }, fields: { load_pct: 3n }, time: new Date(t) },
      { measurement: 'cpu', tags: { device: 'd' }, fields: { load_pct: 4.25 }, time: new Date(t) },
    ]);
    await sink.flush();
    const reader = createInfluxReader(settings);
    const [r] = await reader.query('SELECT load_pct FROM cpu GROUP BY device');
    expect(r!.series!.map((s) => [s.tags!.device, s.values[0]![1]])).toEqual([['a', 1.5], ['b', 2], ['d', 4.25]]);
    const dead = readFileSync(join(stateDir, 'spool', 'dead-letter.lp'), 'utf8');
    expect(dead).toContain('field type conflict');
    expect(dead).toMatch(/\ncpu,device=c load_pct=3i \d+\n$/);
    expect(records.some((x) => x.level === 50 && x.line === `cpu,device=c load_pct=3i ${Math.floor(t / 1000)}`)).toBe(true);
    expect(sink.stats()).toMatchObject({ deadLetteredPoints: 1, spoolPoints: 0 });
    await sink.close();
  });

  it('dead-letters an unparsable line found in the spool (named by InfluxDB) and replays the rest', async () => {
    const settings = settingsFor('parse', { precision: 's' });
    const t = tempDir('noctua-state-');
    cleanups.push(t.cleanup);
    const { log } = capturedLogger();
    // A batch left on disk by an earlier version with a broken encoder.
    const spool = await Spool.open({ dir: join(t.dir, 'spool'), maxBytes: 1 << 20, segmentBytes: 1 << 16, log });
    const ts = Math.floor(Date.now() / 1000) - 60;
    await spool.append([`icmp,device=a up=true ${ts}`, `icmp,device=b up=tru ${ts}`, `icmp,device=c up=false ${ts}`].join('\n'), 3, 's');
    await spool.close();
    const sink = await createInfluxSink({ settings, stateDir: t.dir, log });
    await vi.waitFor(() => expect(sink.stats().spoolPoints).toBe(0), { timeout: 15_000 });
    const reader = createInfluxReader(settings);
    const [r] = await reader.query('SELECT count(up) FROM icmp GROUP BY device');
    expect(r!.series!.map((s) => s.tags!.device)).toEqual(['a', 'c']);
    expect(readFileSync(join(t.dir, 'spool', 'dead-letter.lp'), 'utf8')).toMatch(/^# \S+ invalid boolean\nicmp,device=b up=tru \d+\n$/);
    await sink.close();
  });

  it('sets the database up idempotently and the continuous queries write downsampled points', async () => {
    const settings = settingsFor('cq', { precision: 'ms', retention: { downsampleInterval: '1s', resampleFor: '20s', raw: '2d', longTerm: '10d' } });
    const { log } = capturedLogger();
    const first = await setUpDatabase(settings, log);
    expect(first.created).toContain('retention policy raw 2d');
    expect(first.created.filter((c) => c.startsWith('continuous query'))).toHaveLength(6);
    expect(await setUpDatabase(settings, log)).toEqual({ created: [], altered: [], dropped: [] });
    const changed = await setUpDatabase({ ...settings, retention: { ...settings.retention, raw: 3 * 86_400_000 } }, log);
    expect(changed.altered).toEqual(['retention policy raw 48h0m0s -> 3d']);

    const { sink } = await sinkFor(settings);
    const now = Date.now();
    const points: Sample[] = [];
    for (let i = 0; i < 30; i++) points.push({ measurement: 'cpu', tags: { device: 'r1', cpu: '0' }, fields: { load_pct: i }, time: new Date(now - 6000 + i * 100) });
    await sink.write(points);
    await sink.flush();
    const reader = createInfluxReader(settings);
    // influxd in the lab runs continuous queries every second; RESAMPLE FOR 20s covers these points.
    await vi.waitFor(async () => {
      const [r] = await reader.query('SELECT sum(max_load_pct) AS mx, count(mean_load_pct) AS n FROM "long_term"."cpu"');
      expect(r!.series?.[0]?.values[0]?.[2]).toBeGreaterThanOrEqual(3);
    }, { timeout: 20_000, interval: 500 });
    const [r] = await reader.query('SELECT max(max_load_pct) AS mx, min(mean_load_pct) AS lo FROM "long_term"."cpu" WHERE device = \'r1\'');
    expect(r!.series![0]!.values[0]!.slice(1)).toEqual([29, expect.any(Number)]);
    await sink.close();
  }, 60_000);
});

describe('read API against a real influxd', () => {
  // Aligned to 10 minutes so GROUP BY time(5m) buckets start at base.
  const base = Math.floor((Date.now() - 2 * 3_600_000) / 600_000) * 600_000;
  let settings: InfluxSection;

  beforeAll(async () => {
    settings = settingsFor('read', { precision: 's' });
    const { sink } = await sinkFor(settings);
    const samples: Sample[] = [];
    // Ten minutes of one-minute ICMP polls: sw1 always up, sw2 down for 3 of 10, sw3 never polled.
    for (let m = 0; m < 10; m++) {
      const time = new Date(base + m * 60_000);
      samples.push({ measurement: 'icmp', tags: { device: 'sw1', site: 'hq' }, fields: { up: true, rtt_avg_ms: 1 + m }, time });
      samples.push({ measurement: 'icmp', tags: { device: 'sw2', site: 'dc' }, fields: { up: m < 3 || m > 5, rtt_avg_ms: 10 + m }, time });
      samples.push({ measurement: 'cpu', tags: { device: 'sw1', cpu: '0' }, fields: { load_pct: 20 }, time });
      samples.push({ measurement: 'cpu', tags: { device: 'sw2', cpu: '0' }, fields: { load_pct: 70 }, time });
      samples.push({ measurement: 'cpu', tags: { device: 'r1', cpu: '0' }, fields: { load_pct: 45 + m }, time });
    }
    await sink.write(samples);
    await sink.close();
  });

  it('availability is the share of ICMP polls that found the device up', async () => {
    const reader = createInfluxReader(settings);
    const rows = await reader.availability({ from: new Date(base), to: new Date(base + 10 * 60_000), devices: ['sw1', 'sw2', 'sw3'] });
    expect(rows).toEqual([
      { device: 'sw1', polls: 10, upPolls: 10, availabilityPct: 100 },
      { device: 'sw2', polls: 10, upPolls: 7, availabilityPct: 70 },
      { device: 'sw3', polls: 0, upPolls: 0, availabilityPct: null },
    ]);
    const all = await reader.availability({ from: new Date(base + 3 * 60_000), to: new Date(base + 6 * 60_000) });
    expect(all.map((r) => [r.device, r.availabilityPct])).toEqual([['sw1', 100], ['sw2', 0]]);
  });

  it('latest gives the newest point per device', async () => {
    const rows = await createInfluxReader(settings).latest({ measurement: 'icmp', fields: ['rtt_avg_ms', 'up'], lookbackMs: 3 * 3_600_000 });
    expect(rows.map((r) => [r.tags.device, r.time.getTime(), r.values])).toEqual([
      ['sw1', base + 9 * 60_000, { rtt_avg_ms: 10, up: true }],
      ['sw2', base + 9 * 60_000, { rtt_avg_ms: 19, up: true }],
    ]);
  });

  it('series aggregates by time with fill over the requested range', async () => {
    const rows = await createInfluxReader(settings).series({
      measurement: 'icmp', field: 'rtt_avg_ms', aggregate: 'max', where: { device: 'sw1' },
      from: new Date(base), to: new Date(base + 12 * 60_000), intervalMs: 5 * 60_000, fill: 0,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.points.map((p) => [p.time.getTime() - base, p.value])).toEqual([[0, 5], [300_000, 10], [600_000, 0]]);
  });

  it('topN ranks devices by the aggregate of a field', async () => {
    const top = await createInfluxReader(settings).topN({ measurement: 'cpu', field: 'load_pct', n: 2, from: new Date(base), to: new Date(base + 10 * 60_000) });
    expect(top).toEqual([{ tags: { device: 'sw2' }, value: 70 }, { tags: { device: 'r1' }, value: 49.5 }]);
  });

  it('a failing statement surfaces its error instead of an empty result', async () => {
    const reader = createInfluxReader(settings);
    await expect(reader.query('SELECT nope FROM')).rejects.toThrow(/error parsing query/);
    const err = await reader.query('SELECT * FROM icmp LIMIT 1; SELECT mean(up) FROM icmp').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxQueryError);
    expect((err as InfluxQueryError).statement).toBe(1);
    await expect(reader.series({ measurement: 'icmp', field: 'x', from: new Date(base), to: new Date(base - 1), intervalMs: 1000 })).rejects.toThrow('series: to: expected to after from');
  });
});
