import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sample } from '../../src/core/sample.js';
import { influxSectionSchema, type InfluxSection } from '../../src/config/sections/influx.js';
import { createInfluxSink, type InfluxSink } from '../../src/storage/influx/sink.js';
import { createInfluxReader } from '../../src/storage/queries.js';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls like a scheduler would: every 50 ms, 20 samples, each with its own sequence number and millisecond. */
class Producer {
  seq = 0;
  private readonly t0 = Date.now() - 3_600_000;
  async run(sink: () => InfluxSink, ms: number): Promise<void> {
    const end = Date.now() + ms;
    for (let round = 0; round < ms / 50 + 10 && Date.now() < end; round++) {
      const batch: Sample[] = [];
      for (let i = 0; i < 20; i++) {
        const n = this.seq++;
        batch.push({ measurement: 'icmp', tags: { device: `sw${n % 4}`, site: 'hq' }, fields: { seq: BigInt(n), up: true, rtt_avg_ms: 1.5 }, time: new Date(this.t0 + n) });
      }
      await sink().write(batch);
      await sleep(50);
    }
  }
}

function settingsFor(database: string): InfluxSection {
  return influxSectionSchema.parse({ url: influxd.url, database, precision: 'ms', batchSize: 500, flushInterval: '200ms', timeout: '2s' });
}

async function drained(sink: InfluxSink): Promise<void> {
  await sink.flush();
  await vi.waitFor(() => {
    const s = sink.stats();
    expect([s.spoolPoints, s.queuedPoints, s.state]).toEqual([0, 0, 'writing']);
  }, { timeout: 40_000, interval: 250 });
}

async function countsIn(settings: InfluxSection, from: number, to: number): Promise<{ total: number; distinct: number; window: number }> {
  const reader = createInfluxReader(settings);
  const [all, win] = await reader.query(
    `SELECT count("seq") AS n, count(distinct("seq")) AS d FROM "icmp"; SELECT count("seq") FROM "icmp" WHERE "seq" >= ${from} AND "seq" < ${to}`,
  );
  const row = all?.series?.[0]?.values[0] ?? [0, 0, 0];
  return { total: row[1] as number, distinct: row[2] as number, window: (win?.series?.[0]?.values[0]?.[1] as number | undefined) ?? 0 };
}

describe('nothing is lost when InfluxDB goes away', () => {
  it('every point produced during a 20 s influxd outage is queryable afterwards, exactly once', async () => {
    const settings = settingsFor('outage');
    const state = tempDir('noctua-state-');
    cleanups.push(state.cleanup);
    const { log, records } = capturedLogger();
    const sink = await createInfluxSink({ settings, stateDir: state.dir, log });
    const p = new Producer();
    await p.run(() => sink, 1500);
    await influxd.stop();
    const outageFrom = p.seq;
    await p.run(() => sink, 21_000);
    const outageTo = p.seq;
    expect(sink.stats().spoolPoints).toBeGreaterThan(0);
    expect(sink.readiness()).toMatchObject({ ready: true, influx: 'unreachable', spooling: true });
    await influxd.restart();
    await p.run(() => sink, 1500);
    await drained(sink);
    await sink.close();
    const c = await countsIn(settings, outageFrom, outageTo);
    expect(c).toEqual({ total: p.seq, distinct: p.seq, window: outageTo - outageFrom });
    expect(sink.stats()).toMatchObject({ droppedPoints: 0, deadLetteredPoints: 0 });
    expect(records.some((r) => r.level === 40 && r.msg.includes('spooling to disk'))).toBe(true);
    expect(records.some((r) => r.level === 30 && r.msg.includes('replaying the spool'))).toBe(true);
  }, 90_000);

  it('a Noctua restart while influxd is down replays the spool of the previous run, exactly once', async () => {
    const settings = settingsFor('outage_restart');
    const state = tempDir('noctua-state-');
    cleanups.push(state.cleanup);
    const { log } = capturedLogger();
    let sink = await createInfluxSink({ settings, stateDir: state.dir, log });
    const p = new Producer();
    await p.run(() => sink, 1000);
    await influxd.stop();
    const outageFrom = p.seq;
    await p.run(() => sink, 10_000);
    await sink.close();
    const spooled = p.seq - outageFrom;
    sink = await createInfluxSink({ settings, stateDir: state.dir, log });
    expect(sink.stats().spoolPoints).toBeGreaterThanOrEqual(spooled);
    await p.run(() => sink, 10_000);
    const outageTo = p.seq;
    await influxd.restart();
    await p.run(() => sink, 1000);
    await drained(sink);
    await sink.close();
    const c = await countsIn(settings, outageFrom, outageTo);
    expect(c).toEqual({ total: p.seq, distinct: p.seq, window: outageTo - outageFrom });
    expect(sink.stats().droppedPoints).toBe(0);
  }, 90_000);

  it('a frozen influxd (writes time out) is treated as down: spooled, then replayed once it answers', async () => {
    const settings = { ...settingsFor('outage_slow'), timeout: 1000 };
    const state = tempDir('noctua-state-');
    cleanups.push(state.cleanup);
    const { log, records } = capturedLogger();
    const sink = await createInfluxSink({ settings, stateDir: state.dir, log });
    const p = new Producer();
    await p.run(() => sink, 1000);
    await drained(sink);
    // SIGSTOP keeps the socket open but nothing answers: the slow case, not the refused one.
    process.kill(-influxd.process.pid, 'SIGSTOP');
    try {
      await p.run(() => sink, 5000);
      expect(sink.stats().spoolPoints).toBeGreaterThan(0);
    } finally {
      process.kill(-influxd.process.pid, 'SIGCONT');
    }
    await p.run(() => sink, 1000);
    await drained(sink);
    await sink.close();
    const c = await countsIn(settings, 0, p.seq);
    expect(c).toEqual({ total: p.seq, distinct: p.seq, window: p.seq });
    expect(records.some((r) => r.msg.includes('spooling to disk') && String(r.error).includes('timed out'))).toBe(true);
  }, 60_000);
});
