import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, InflateLimitError, MAX_BATCH_JSON_BYTES } from '../../src/cluster/batch-codec.js';
import { CounterHandoff, MAX_COUNTER_STATE_BYTES } from '../../src/cluster/counter-handoff.js';
import { ClusterKeys, CORE_CONSUMER_GROUP } from '../../src/cluster/keys.js';
import { createClusterRedis } from '../../src/cluster/redis-client.js';
import { StreamConsumer } from '../../src/cluster/stream-consumer.js';
import type { Sample } from '../../src/core/sample.js';
import { repoRoot } from '../../src/lab/paths.js';
import { freeTcpPort, waitFor } from '../../src/lab/ports.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import type { SnmpPoller } from '../../src/pollers/snmp/index.js';
import { tempDir } from '../helpers/tmp.js';

/** A log that keeps every line as written (the text a log shipper would see). */
function memoryLog() {
  const raw: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { raw.push(s); } });
  return { log, raw, lines: () => raw.map((s) => JSON.parse(s) as { msg: string; [k: string]: unknown }) };
}

/** Zeros, gzipped: ~100 KiB on the wire that inflates to `mib` MiB. */
const bomb = (mib: number) => gzipSync(Buffer.alloc(mib * 1048576), { level: 9 });
const sample = (i: number): Sample => ({ measurement: 'icmp', tags: { device: `sw-${i}` }, fields: { up: true }, time: new Date(1795420800000 + i) });

describe('cluster inputs that are corrupt or hostile', () => {
  const tmp = tempDir('noctua-hostile-');
  let redis: RedisInstance;
  let conn: Redis;

  beforeAll(async () => {
    redis = await startRedis({ dir: join(tmp.dir, 'redis') });
    conn = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    conn.on('error', () => {});
  }, 30_000);
  afterAll(async () => {
    conn?.disconnect();
    await redis?.stop();
    tmp.cleanup();
  });

  it('a sample batch that inflates beyond the bound is refused with a clear error, not inflated', () => {
    const text = `nb1 p1:run:0 ${bomb(100).toString('base64')}`;
    expect(text.length).toBeLessThan(200_000);
    expect(() => decodeBatch(text)).toThrow(InflateLimitError);
    expect(() => decodeBatch(text)).toThrow(`sample batch p1:run:0 inflates beyond ${MAX_BATCH_JSON_BYTES / 1048576} MiB: refused as corrupt or hostile`);
    // An ordinary batch still decodes.
    expect(decodeBatch(encodeBatch({ id: 'p1:run:1', samples: [sample(1)] })).samples).toHaveLength(1);
  });

  it('the core counts such a stream entry, acknowledges it and goes on with the next batch', async () => {
    const keys = new ClusterKeys('bomb');
    await conn.sadd(keys.groups(), 'g');
    await conn.xadd(keys.stream('g'), '*', 'b', 'p1:run:0', 'd', `nb1 p1:run:0 ${bomb(100).toString('base64')}`);
    await conn.xadd(keys.stream('g'), '*', 'b', 'p1:run:1', 'd', encodeBatch({ id: 'p1:run:1', samples: [sample(1), sample(2)] }));
    const { log, lines } = memoryLog();
    const got: Sample[] = [];
    const r = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    r.on('error', () => {});
    const consumer = new StreamConsumer({ redis: r, keys, consumer: 'core-a', readCount: 100, claimIdleMs: 60_000, dedupWindowMs: 60_000, lingerMs: 0, deliver: async (s) => { got.push(...s); }, log });
    try {
      for (let i = 0; i < 10 && got.length < 2; i++) await consumer.round();
      expect(got.map((s) => s.tags.device)).toEqual(['sw-1', 'sw-2']);
      expect(consumer.counts.undecodable).toBe(1);
      const pending = (await conn.xpending(keys.stream('g'), CORE_CONSUMER_GROUP)) as [number, ...unknown[]];
      expect(Number(pending[0])).toBe(0);
      const dropped = lines().find((l) => l.msg === 'stream entry is not a sample batch; dropped');
      expect(JSON.stringify(dropped?.err)).toMatch(/inflates beyond 64 MiB/);
    } finally {
      r.disconnect();
    }
  }, 30_000);

  it('counter state in Redis that inflates beyond its bound is refused; the device\'s rates restart, others are adopted', async () => {
    const keys = new ClusterKeys('counters');
    await conn.set(keys.counters('evil'), bomb(40));
    await conn.set(keys.counters('fine'), gzipSync(JSON.stringify({ v: 1 })));
    const imported: string[] = [];
    const snmp = { importCounterState: (d: string) => { imported.push(d); }, exportCounterState: () => undefined } as unknown as SnmpPoller;
    const { log, lines } = memoryLog();
    const handoff = new CounterHandoff(conn, keys, snmp, log);
    expect(await handoff.adopt(['evil', 'fine'])).toBe(1);
    expect(imported).toEqual(['fine']);
    const warn = lines().find((l) => l.msg === 'counter state in Redis is unusable; rates of this device restart');
    expect(warn).toMatchObject({ device: 'evil', err: `counter state of evil inflates beyond ${MAX_COUNTER_STATE_BYTES / 1048576} MiB: refused as corrupt or hostile` });
  }, 30_000);

  it('noctua cluster status never prints the Redis password when Redis does not answer', async () => {
    const port = await freeTcpPort();
    const dir = join(tmp.dir, 'status-config');
    mkdirSync(dir);
    writeFileSync(join(dir, 'devices.yaml'), stringify({ devices: [] }));
    writeFileSync(join(dir, 'noctua.yaml'), stringify({
      stateDir: join(tmp.dir, 'status-state'),
      cluster: { role: 'poller', redis: { url: `redis://noctua:Tr0ub4dor-s3cret@127.0.0.1:${port}/0`, commandTimeout: '300ms' } },
    }));
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'cluster', 'status', '--config', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain(`Redis at redis://***@127.0.0.1:${port}/0 did not answer`);
    expect(out).not.toContain('Tr0ub4dor-s3cret');
  }, 60_000);

  it('the cluster connection logs where Redis is unreachable without its password', async () => {
    const port = await freeTcpPort();
    const { log, raw, lines } = memoryLog();
    const url = `redis://noctua:Tr0ub4dor-s3cret@127.0.0.1:${port}`;
    const client = createClusterRedis({ url, keyPrefix: 'x', commandTimeout: 300 }, log, 'noctua-test');
    try {
      await waitFor('the unreachable warning', async () => lines().some((l) => l.msg === 'Redis unreachable; retrying in the background'), 10_000, 50);
      expect(lines().find((l) => l.msg === 'Redis unreachable; retrying in the background')).toMatchObject({ url: `redis://***@127.0.0.1:${port}` });
      expect(raw.join('')).not.toContain('Tr0ub4dor-s3cret');
    } finally {
      client.disconnect();
    }
  }, 30_000);
});
