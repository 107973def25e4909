import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import { createLogger } from '../../src/core/log.js';
import { waitFor } from '../../src/lab/ports.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { startNoctua, type NoctuaRuntime } from '../../src/main.js';
import { tempDir } from '../helpers/tmp.js';
import { answeringPinger } from './answering-pinger.js';

describe('one process holding both roles, [poller, core]', () => {
  const tmp = tempDir('noctua-both-');
  let redis: RedisInstance;
  const runtimes: NoctuaRuntime[] = [];
  const polled: Record<string, string[]> = { a: [], b: [] };
  const standby = new AbortController();

  const config = (id: string) => {
    const dir = join(tmp.dir, id);
    mkdirSync(dir);
    writeFileSync(join(dir, 'devices.yaml'), stringify({
      defaults: { intervals: { icmp: '1s', snmp: '1m', inventory: '1h' } },
      devices: Array.from({ length: 6 }, (_, i) => ({ name: `srv-${i}`, address: `127.0.5.${i + 1}`, class: 'server', snmp: false })),
    }));
    writeFileSync(join(dir, 'noctua.yaml'), stringify({
      stateDir: join(tmp.dir, 'state-shared'), logLevel: 'error', api: { enabled: false },
      scheduler: { instance: id, selfInterval: '1s' },
      cluster: { role: ['poller', 'core'], redis: { url: redis.url }, heartbeat: '500ms', leaderLease: '1500ms' },
    }));
    return loadFullConfig(dir);
  };

  beforeAll(async () => {
    redis = await startRedis({ dir: join(tmp.dir, 'redis') });
  }, 30_000);
  afterAll(async () => {
    standby.abort();
    for (const r of runtimes) await r.stop().catch(() => {});
    await redis?.stop();
    tmp.cleanup();
  });

  it('polls, forwards to its own stream, consumes it as the leader, and shows the device states', async () => {
    const log = createLogger({ level: 'error' });
    const a = await startNoctua(config('a'), log, { pollers: { icmp: answeringPinger(polled.a!) }, noStorage: true, noApi: true, onLeadershipLost: () => {} });
    runtimes.push(a);
    await waitFor('every device up on the core', async () => a.devices.list().length === 6 && a.devices.list().every((d) => d.status === 'up'), 15_000, 100);
  }, 30_000);

  it('a second such process polls its share while it waits as standby; the two split the devices with no overlap', async () => {
    const log = createLogger({ level: 'error' });
    // Resolves only when it leads; until then its poller half already works.
    const b = startNoctua(config('b'), log, { pollers: { icmp: answeringPinger(polled.b!) }, noStorage: true, noApi: true, standbySignal: standby.signal, onLeadershipLost: () => {} });
    b.catch(() => {});
    await waitFor('b to poll', async () => polled.b!.length > 3, 15_000, 100);
    const since = { a: polled.a!.length, b: polled.b!.length };
    await new Promise((r) => setTimeout(r, 2500));
    const ofA = new Set(polled.a!.slice(since.a));
    const ofB = new Set(polled.b!.slice(since.b));
    expect(ofA.size + ofB.size).toBe(6);
    expect([...ofA].filter((d) => ofB.has(d))).toEqual([]);
    standby.abort();
    await expect(b).rejects.toThrow(/standby core stopped/);
  }, 30_000);
});
