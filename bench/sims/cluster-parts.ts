import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startInfluxd } from '../../src/lab/influxd.js';
import { labAddress, readFixtures } from '../../src/lab/inventory.js';
import { fixturesDir } from '../../src/lab/paths.js';
import { startRedis } from '../../src/lab/redis.js';
import { startSnmpsim } from '../../src/lab/snmpsim.js';
import type { BenchContext } from '../context.js';

/**
 * The real parts a cluster benchmark section runs against: a redis-server, an influxd and snmpsimd serving the first
 * `recordings` shared recordings, each on its lab address; every one stopped at the bench's cleanup.
 */
export async function startClusterParts(ctx: BenchContext, section: string, dir: string, recordings: number) {
  const facts = readFixtures(fixturesDir()).slice(0, recordings);
  const data = join(dir, 'snmprec');
  mkdirSync(data, { recursive: true });
  for (const f of facts) copyFileSync(join(fixturesDir(), 'snmprec', `${f.community}.snmprec`), join(data, `${f.community}.snmprec`));
  ctx.say(`${section}: starting redis-server, influxd and snmpsimd (${facts.length} recordings)`);
  const [redisInst, influx, sim] = await Promise.all([
    startRedis({ dir: join(dir, 'redis') }),
    startInfluxd({ dir: join(dir, 'influxdb') }),
    startSnmpsim({ dataDir: data, workDir: dir, probeCommunity: facts[0]!.community, addresses: facts.map((_, i) => labAddress(i)) }),
  ]);
  ctx.onCleanup(() => redisInst.stop());
  ctx.onCleanup(() => influx.stop());
  ctx.onCleanup(() => sim.stop());
  const redis = new Redis(redisInst.url);
  ctx.onCleanup(() => { redis.disconnect(); });
  return { facts, redisInst, influx, sim, redis };
}
