import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sample } from '../../src/core/sample.js';
import { influxSectionSchema, type InfluxSection } from '../../src/config/sections/influx.js';
import { influxQuery } from '../../src/lab/influxd.js';
import { readerFor } from '../../src/reports/sources/influx-query.js';
import { createStorageSink } from '../../src/storage/influx/fan-out.js';
import { registerInfluxMetrics } from '../../src/storage/influx/metrics.js';
import { createInfluxSink, type InfluxSink } from '../../src/storage/influx/sink.js';
import { targetSpoolDir } from '../../src/storage/influx/targets.js';
import { createInfluxReader } from '../../src/storage/queries.js';
import { failoverQuery, READ_RETRY_AFTER_MS } from '../../src/storage/read-failover.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { capturedLogger } from './log-capture.js';

// Two private influxd processes, started once for the file; each test uses its own database.
let a: Awaited<ReturnType<typeof realInfluxd>>;
let b: Awaited<ReturnType<typeof realInfluxd>>;
const cleanups: (() => void)[] = [];
beforeAll(async () => { [a, b] = await Promise.all([realInfluxd(), realInfluxd()]); }, 60_000);
afterAll(async () => {
  while (cleanups.length) cleanups.pop()!();
  await Promise.all([a?.cleanup(), b?.cleanup()]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A steady stream like a scheduler's: every 50 ms, 20 samples, each with its own sequence number and millisecond. */
class Producer {
  seq = 0;
  private readonly t0 = Date.now() - 3_600_000;
  async run(sink: InfluxSink, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const batch: Sample[] = [];
      for (let i = 0; i < 20; i++) {
        const n = this.seq++;
        batch.push({ measurement: 'icmp', tags: { device: `sw${n % 4}`, site: 'hq' }, fields: { seq: BigInt(n), up: n % 7 !== 0, rtt_avg_ms: (n % 100) / 10 }, time: new Date(this.t0 + n) });
      }
      await sink.write(batch);
      await sleep(50);
    }
  }
}

function pairSettings(database: string, over: Record<string, unknown> = {}): InfluxSection {
  return influxSectionSchema.parse({ database, precision: 'ms', batchSize: 500, flushInterval: '200ms', timeout: '2s', targets: [{ url: a.url }, { url: b.url }], ...over });
}

function stateDir(): string {
  const t = tempDir('noctua-pairs-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Every icmp point of a database, oldest first: time, device, seq, up, rtt. */
async function pointsIn(url: string, db: string): Promise<unknown[][]> {
  const [r] = await influxQuery(url, 'SELECT "device", "seq", "up", "rtt_avg_ms" FROM "icmp" ORDER BY time ASC', db);
  return r?.series?.[0]?.values ?? [];
}

async function countIn(url: string, db: string): Promise<number> {
  const [r] = await influxQuery(url, 'SELECT count("seq") FROM "icmp"', db);
  return (r?.series?.[0]?.values[0]?.[1] as number | undefined) ?? 0;
}

describe('InfluxDB pairs (influx.targets) against two real influxd', () => {
  it('one target stopped for 30 s while points stream in: both end with exactly the same points, in order', async () => {
    const settings = pairSettings('pair_outage');
    const dir = stateDir();
    const { log, records } = capturedLogger();
    const sink = await createStorageSink({ settings, stateDir: dir, log });
    const registry = new Registry();
    // Registering again (a runtime rebuilt in the same process) replaces the gauges instead of failing on their names.
    registerInfluxMetrics(registry, sink);
    registerInfluxMetrics(registry, sink);
    const p = new Producer();
    try {
      await p.run(sink, 1500);
      await b.stop();
      await p.run(sink, 30_000);
      // While b is away: b's writer spools on its own, a keeps writing, and every view says which is which.
      const [sa, sb] = sink.targetStatus();
      expect(sa).toMatchObject({ state: 'writing', spoolPoints: 0 });
      expect(sb).toMatchObject({ state: 'spooling', influx: 'unreachable' });
      expect(sb!.spoolPoints).toBeGreaterThan(0);
      expect(sink.readiness()).toMatchObject({ ready: true, influx: 'unreachable', spooling: true });
      expect(sink.readiness().targets?.map((t) => [t.target, t.state])).toEqual([[`127.0.0.1:${a.port} pair_outage`, 'writing'], [`127.0.0.1:${b.port} pair_outage`, 'spooling']]);
      const metrics = await registry.metrics();
      expect(metrics).toContain(`noctua_influx_target_up{target="127.0.0.1:${a.port} pair_outage"} 1`);
      expect(metrics).toContain(`noctua_influx_target_up{target="127.0.0.1:${b.port} pair_outage"} 0`);
      expect(metrics).toMatch(new RegExp(`noctua_influx_spool_points\\{target="127.0.0.1:${b.port} pair_outage"\\} [1-9]\\d*`));
      expect(existsSync(targetSpoolDir(dir, settings.targets![1]!))).toBe(true);
      expect(sink.selfSamples(new Date()).filter((s) => s.tags.component === 'spool').map((s) => s.tags.target))
        .toEqual([`127.0.0.1:${a.port} pair_outage`, `127.0.0.1:${b.port} pair_outage`]);
      await b.restart();
      await p.run(sink, 1500);
      await sink.flush();
      // Poll until both hold every point produced; b catches up from its spool.
      await vi.waitFor(async () => {
        expect([await countIn(a.url, 'pair_outage'), await countIn(b.url, 'pair_outage')]).toEqual([p.seq, p.seq]);
      }, { timeout: 60_000, interval: 500 });
      await vi.waitFor(() => expect(sink.targetStatus().map((t) => [t.state, t.spoolPoints, t.queuedPoints])).toEqual([['writing', 0, 0], ['writing', 0, 0]]), { timeout: 30_000, interval: 250 });
    } finally {
      await sink.close();
    }
    const [pa, pb] = await Promise.all([pointsIn(a.url, 'pair_outage'), pointsIn(b.url, 'pair_outage')]);
    expect(pa).toHaveLength(p.seq);
    expect(pb).toEqual(pa);
    expect(pa.map((row) => row[2])).toEqual([...Array(p.seq).keys()]);
    expect(sink.stats()).toMatchObject({ droppedPoints: 0, deadLetteredPoints: 0 });
    // Set-up ran on both: each has the raw (default) and long-term policies.
    for (const url of [a.url, b.url]) {
      const [rp] = await influxQuery(url, 'SHOW RETENTION POLICIES ON "pair_outage"');
      expect(rp?.series?.[0]?.values.map((v) => v[0]).sort()).toEqual(['autogen', 'long_term', 'raw']);
    }
    expect(records.some((r) => r.level === 40 && r.msg.includes('spooling to disk') && r.influxTarget === `127.0.0.1:${b.port} pair_outage`)).toBe(true);
    expect(records.some((r) => r.level === 30 && r.msg.includes('replaying the spool') && r.influxTarget === `127.0.0.1:${b.port} pair_outage`)).toBe(true);
  }, 150_000);

  it('a frozen target (SIGSTOP, writes time out) holds up neither the other target nor the bus; both end equal', async () => {
    const settings = pairSettings('pair_frozen', { timeout: '1s' });
    const { log } = capturedLogger();
    const sink = await createStorageSink({ settings, stateDir: stateDir(), log });
    const p = new Producer();
    try {
      await p.run(sink, 1000);
      process.kill(-a.process.pid, 'SIGSTOP');
      let beforeThaw = 0;
      try {
        const from = p.seq;
        await p.run(sink, 6000);
        // The stream kept going: a write waits for a spool fsync at most, never for the frozen InfluxDB's 1 s time-out
        // (waiting for it would allow some 6 rounds of 20 points in these 6 s; unhindered there are about 100).
        expect(p.seq - from).toBeGreaterThan(15 * 20);
        await vi.waitFor(async () => expect(await countIn(b.url, 'pair_frozen')).toBe(p.seq), { timeout: 20_000, interval: 250 });
        beforeThaw = p.seq;
        expect(sink.targetStatus()[0]!.state).toBe('spooling');
      } finally {
        process.kill(-a.process.pid, 'SIGCONT');
      }
      expect(beforeThaw).toBeGreaterThan(0);
      await p.run(sink, 1000);
      await sink.flush();
      await vi.waitFor(async () => {
        expect([await countIn(a.url, 'pair_frozen'), await countIn(b.url, 'pair_frozen')]).toEqual([p.seq, p.seq]);
      }, { timeout: 40_000, interval: 500 });
    } finally {
      await sink.close();
    }
    const [pa, pb] = await Promise.all([pointsIn(a.url, 'pair_frozen'), pointsIn(b.url, 'pair_frozen')]);
    expect(pb).toEqual(pa);
    expect(pa.map((row) => row[2])).toEqual([...Array(p.seq).keys()]);
  }, 90_000);

  it('reads go to the first target, fail over to the second while the first is down, and say so', async () => {
    // One distinct point per InfluxDB, so an answer shows where it came from.
    for (const [inst, who] of [[a, 'a'], [b, 'b']] as const) {
      await influxQuery(inst.url, 'CREATE DATABASE "pair_reads"');
      const res = await fetch(`${inst.url}/write?db=pair_reads&precision=ms`, { method: 'POST', body: `icmp,device=sw1 who="${who}",rtt_avg_ms=1 ${Date.now() - 60_000}` });
      expect(res.status).toBe(204);
    }
    const settings = pairSettings('pair_reads');
    const { log, records } = capturedLogger();
    const reader = createInfluxReader(settings, { log });
    const who = async (r: { query(q: string): Promise<{ series?: { values: unknown[][] }[] }[]> }) => (await r.query('SELECT last("who") FROM "icmp"'))[0]?.series?.[0]?.values[0]?.[1];
    expect(await who(reader)).toBe('a');
    await a.stop();
    try {
      expect(await who(reader)).toBe('b');
      expect(records.some((r) => r.level === 40 && r.msg === `influx: reads fail over from 127.0.0.1:${a.port} pair_reads to 127.0.0.1:${b.port} pair_reads`)).toBe(true);
      // The higher-level queries and the reports' reader fail over the same way.
      expect((await reader.latest({ measurement: 'icmp', fields: ['who'] }))[0]?.values.who).toBe('b');
      expect(await who(readerFor({ url: a.url, database: 'pair_reads', targets: settings.targets }))).toBe('b');
    } finally {
      await a.restart();
    }
    // Back to the first once it answers again (its retry pause passed on an injected clock).
    let now = Date.now();
    const query = failoverQuery(settings.targets!.map((t, i) => ({ label: `t${i}`, run: createInfluxReader({ ...settings, ...t, targets: undefined }).query })), log, () => now);
    expect((await query('SELECT last("who") FROM "icmp"'))[0]?.series?.[0]?.values[0]?.[1]).toBe('a');
    await a.stop();
    try {
      expect((await query('SELECT last("who") FROM "icmp"'))[0]?.series?.[0]?.values[0]?.[1]).toBe('b');
    } finally {
      await a.restart();
    }
    expect((await query('SELECT last("who") FROM "icmp"'))[0]?.series?.[0]?.values[0]?.[1]).toBe('b');
    now += READ_RETRY_AFTER_MS;
    expect((await query('SELECT last("who") FROM "icmp"'))[0]?.series?.[0]?.values[0]?.[1]).toBe('a');
    expect(records.some((r) => r.level === 30 && r.msg === 'influx: reads are answered by t0 again')).toBe(true);
    // A statement both would refuse is not failed over: the first target's error comes back as it is.
    const failovers = records.filter((r) => r.msg.includes('trying the next target')).length;
    await expect(reader.query('SELECT nonsense FROM')).rejects.toThrow(/InfluxDB/);
    expect(records.filter((r) => r.msg.includes('trying the next target'))).toHaveLength(failovers);
  }, 90_000);

  it('a spool left by a single-InfluxDB run is replayed into every target when targets are configured', async () => {
    const dir = stateDir();
    const { log, records } = capturedLogger();
    const single = influxSectionSchema.parse({ url: a.url, database: 'pair_handover', precision: 'ms', batchSize: 500, flushInterval: '200ms', timeout: '1s' });
    const p = new Producer();
    await a.stop();
    try {
      const one = await createInfluxSink({ settings: single, stateDir: dir, log });
      await p.run(one, 2000);
      await one.close();
      expect(one.stats().spoolPoints).toBe(p.seq);
      expect(existsSync(join(dir, 'spool', 'targets'))).toBe(false);
      const pair = await createStorageSink({ settings: pairSettings('pair_handover', { timeout: '1s' }), stateDir: dir, log });
      try {
        expect(records.some((r) => r.msg.includes('copied the single-InfluxDB spool') && r.points === p.seq)).toBe(true);
        await vi.waitFor(async () => expect(await countIn(b.url, 'pair_handover')).toBe(p.seq), { timeout: 30_000, interval: 250 });
        expect(pair.targetStatus()[0]!.spoolPoints).toBe(p.seq);
        await a.restart();
        await pair.flush();
        await vi.waitFor(async () => expect(await countIn(a.url, 'pair_handover')).toBe(p.seq), { timeout: 30_000, interval: 250 });
      } finally {
        await pair.close();
      }
    } finally {
      if (!(await fetch(`${a.url}/ping`).then((r) => r.status === 204, () => false))) await a.restart();
    }
    const [pa, pb] = await Promise.all([pointsIn(a.url, 'pair_handover'), pointsIn(b.url, 'pair_handover')]);
    expect(pa).toHaveLength(p.seq);
    expect(pb).toEqual(pa);
  }, 90_000);
});
