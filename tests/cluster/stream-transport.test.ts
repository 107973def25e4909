import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../src/cluster/batch-codec.js';
import { ClusterKeys } from '../../src/cluster/keys.js';
import { createSampleForwarder, type SampleForwarder } from '../../src/cluster/sample-forwarder.js';
import { StreamConsumer } from '../../src/cluster/stream-consumer.js';
import { systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/log.js';
import type { Sample } from '../../src/core/sample.js';
import { waitFor } from '../../src/lab/ports.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { tempDir } from '../helpers/tmp.js';

const log = createLogger({ level: 'fatal' });
const sample = (seq: number): Sample => ({ measurement: 'icmp', tags: { device: `sw-${seq % 7}` }, fields: { seq, octets: BigInt(seq) * 1000n }, time: new Date(1795420800000 + seq * 1000) });

describe('sample transport through a Redis Stream', () => {
  const tmp = tempDir('noctua-stream-');
  let redis: RedisInstance;
  let conn: Redis;
  let n = 0;
  /** A fresh key prefix per test, so tests do not see each other's streams. */
  const fresh = () => new ClusterKeys(`t${n++}`);
  const connect = () => { const r = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000 }); r.on('error', () => {}); return r; };
  const ready = (r: Redis) => waitFor('redis connection', async () => r.status === 'ready', 5000, 20);

  beforeAll(async () => {
    redis = await startRedis({ dir: `${tmp.dir}/redis` });
    conn = connect();
    await ready(conn);
  }, 30_000);
  afterAll(async () => {
    conn?.disconnect();
    await redis?.stop();
    tmp.cleanup();
  });

  const forwarder = async (keys: ClusterKeys, opts: { maxLen?: number; r?: Redis; dir?: string } = {}): Promise<SampleForwarder> => {
    await conn.sadd(keys.groups(), 'g');
    return createSampleForwarder({ redis: opts.r ?? conn, stream: keys.stream('g'), member: 'p1', maxLen: opts.maxLen ?? 1000, stateDir: opts.dir ?? `${tmp.dir}/${n}-${Math.random()}`, spoolMaxBytes: 1 << 24, spoolSegmentBytes: 1 << 20, clock: systemClock, log });
  };
  const consumer = (keys: ClusterKeys, deliver: (s: Sample[]) => Promise<void>, name = 'core-a', claimIdleMs = 60_000) => {
    const r = connect();
    return { r, c: new StreamConsumer({ redis: r, keys, consumer: name, readCount: 100, claimIdleMs, dedupWindowMs: 60_000, lingerMs: 0, deliver, log }) };
  };
  const roundsUntil = async (c: StreamConsumer, pred: () => boolean) => {
    for (let i = 0; i < 20 && !pred(); i++) await c.round();
  };

  it('a batch added twice (its XADD answer lost, then replayed) reaches the core once', async () => {
    const keys = fresh();
    const f = await forwarder(keys);
    await f.write([sample(1), sample(2)]);
    const fields = (await conn.xrange(keys.stream('g'), '-', '+'))[0]![1];
    // The same entry again, as a poller's replay of a batch whose first XADD did land.
    await conn.xadd(keys.stream('g'), '*', ...fields);
    await f.write([sample(3)]);
    const got: Sample[] = [];
    const { r, c } = consumer(keys, async (s) => { got.push(...s); });
    await ready(r);
    await roundsUntil(c, () => got.length >= 3 && c.counts.duplicates >= 1);
    expect(got.map((s) => s.fields.seq)).toEqual([1, 2, 3]);
    expect(got[0]!.fields.octets).toBe(1000n);
    expect(c.counts.duplicates).toBe(1);
    // Acknowledged entries are trimmed.
    expect(await conn.xlen(keys.stream('g'))).toBe(0);
    // A copy arriving long after its original was applied (a replay after an outage) is skipped as well.
    await conn.xadd(keys.stream('g'), '*', ...fields);
    await roundsUntil(c, () => c.counts.duplicates >= 2);
    expect(c.counts.duplicates).toBe(2);
    expect(got).toHaveLength(3);
    // What the core keeps for this: one small key per poller run, not one per batch.
    expect(await conn.keys(`${keys.applied('*')}`)).toHaveLength(1);
    r.disconnect();
    await f.close();
  });

  it('a delivery that fails leaves the entries pending; the next round delivers them, in order', async () => {
    const keys = fresh();
    const f = await forwarder(keys);
    for (let i = 0; i < 5; i++) await f.write([sample(i)]);
    let fail = true;
    const got: number[] = [];
    const { r, c } = consumer(keys, async (s) => { if (fail) throw new Error('influx writer refused'); got.push(...s.map((x) => Number(x.fields.seq))); });
    await ready(r);
    await expect(c.round()).rejects.toThrow('influx writer refused');
    expect(Number(((await conn.xpending(keys.stream('g'), 'core')) as unknown[])[0])).toBe(5);
    fail = false;
    // What the loop does after a failed round: read its own pending entries first.
    (c as unknown as { needPending: boolean }).needPending = true;
    await roundsUntil(c, () => got.length >= 5);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(Number(((await conn.xpending(keys.stream('g'), 'core')) as unknown[])[0])).toBe(0);
    r.disconnect();
    await f.close();
  });

  it('a standby claims what a dead core left pending and delivers it', async () => {
    const keys = fresh();
    const f = await forwarder(keys);
    for (let i = 0; i < 3; i++) await f.write([sample(i)]);
    const dead = consumer(keys, async () => { throw new Error('killed mid-delivery'); }, 'core-a', 200);
    await ready(dead.r);
    await expect(dead.c.round()).rejects.toThrow();
    dead.r.disconnect();
    const got: number[] = [];
    const standby = consumer(keys, async (s) => { got.push(...s.map((x) => Number(x.fields.seq))); }, 'core-b', 200);
    await ready(standby.r);
    await new Promise((r) => setTimeout(r, 300));
    await roundsUntil(standby.c, () => got.length >= 3);
    expect(got).toEqual([0, 1, 2]);
    standby.r.disconnect();
    await f.close();
  });

  it('at the stream cap a poller spools to disk instead of trimming unread entries, and forwards once the core caught up', async () => {
    const keys = fresh();
    const f = await forwarder(keys, { maxLen: 3 });
    for (let i = 0; i < 6; i++) await f.write([sample(i)]);
    expect(await conn.xlen(keys.stream('g'))).toBe(3);
    expect(f.stats().records).toBe(3);
    const got: number[] = [];
    const { r, c } = consumer(keys, async (s) => { got.push(...s.map((x) => Number(x.fields.seq))); });
    await ready(r);
    await roundsUntil(c, () => got.length >= 3);
    // Delivered entries are trimmed, which makes room: the spool replays, oldest first, as the core reads.
    await roundsUntil(c, () => got.length >= 6);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await f.drained(5000)).toBe(true);
    r.disconnect();
    await f.close();
  });

  it('while Redis is down batches go to the disk spool and come back in order, each once', async () => {
    const keys = fresh();
    const r = connect();
    await ready(r);
    const f = await forwarder(keys, { r });
    await f.write([sample(0)]);
    await redis.stop();
    await waitFor('the client to notice', async () => r.status !== 'ready', 5000, 20);
    for (let i = 1; i < 4; i++) await f.write([sample(i)]);
    expect(f.stats()).toMatchObject({ records: 3, online: false });
    await redis.restart();
    expect(await f.drained(15_000)).toBe(true);
    await f.write([sample(4)]);
    const got: number[] = [];
    const cons = consumer(keys, async (s) => { got.push(...s.map((x) => Number(x.fields.seq))); });
    await ready(cons.r);
    await ready(conn);
    await roundsUntil(cons.c, () => got.length >= 5);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    cons.r.disconnect();
    r.disconnect();
    await f.close();
  }, 40_000);

  it('refuses nothing silently: an undecodable entry is acknowledged, counted and skipped', async () => {
    const keys = fresh();
    await conn.sadd(keys.groups(), 'g');
    await conn.xadd(keys.stream('g'), '*', 'b', 'x', 'd', 'not a batch');
    await conn.xadd(keys.stream('g'), '*', 'b', 'p:1:0', 'd', encodeBatch({ id: 'p:1:0', samples: [sample(9)] }));
    const got: number[] = [];
    const { r, c } = consumer(keys, async (s) => { got.push(...s.map((x) => Number(x.fields.seq))); });
    await ready(r);
    await roundsUntil(c, () => got.length >= 1);
    expect(got).toEqual([9]);
    expect(c.counts.undecodable).toBe(1);
    r.disconnect();
  });
});
