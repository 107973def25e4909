import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import { fixturesDir } from '../../src/lab/paths.js';
import { waitFor } from '../../src/lab/ports.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { systemClock } from '../../src/core/clock.js';
import { buildPollers, startNoctua, type NoctuaRuntime } from '../../src/main.js';
import { loopbackBlock, startAgents } from '../discovery/agents.js';
import { snmpsimWith } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { answeringPinger } from './answering-pinger.js';

/**
 * Scheduled discovery in a cluster runs on the leading core only: two cores (one waits as standby) and a pure poller
 * share a real Redis, each with the same `discovery:` section. Only the leader arms the schedule and answers
 * /api/v1/discovery; a run asked for there sweeps real snmpsimd agents on loopback and writes discovered.yaml in the
 * leader's config directory alone. When the leader stops, the standby takes the lease and the schedule with it.
 * The leader also keeps the topology the discovery's neighbour seeds come from, fed by the poller's stream.
 */

const TOKEN = 'discovery-operator-token';
const net = loopbackBlock();
const at = (n: number) => `${net}.${n}`;

function memoryLog() {
  const lines: { msg: string; component?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as { msg: string }); } });
  return { log, lines };
}

describe('scheduled discovery in a cluster', () => {
  const tmp = tempDir('noctua-cluster-discovery-');
  let redis: RedisInstance;
  let agents: Awaited<ReturnType<typeof startAgents>>;
  // Its own snmpsimd: the poller's inventory walks of it must not slow the discovery agents' answers.
  let h3c: Awaited<ReturnType<typeof snmpsimWith>>;
  const runtimes: NoctuaRuntime[] = [];
  const standby = new AbortController();
  const logs = { a: memoryLog(), b: memoryLog(), p: memoryLog() };
  const dirOf = (id: string) => join(tmp.dir, id);
  let a: NoctuaRuntime;
  let b: Promise<NoctuaRuntime>;

  const config = (id: string, role: 'poller' | 'core') => {
    const dir = dirOf(id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'devices.yaml'), stringify({
      defaults: { intervals: { icmp: '1s', snmp: '1m', inventory: '1h' } },
      devices: [
        { name: 'known-1', address: '10.254.9.1', class: 'switch', snmp: false, icmp: false },
        // Polled by the poller (inventory every 10s): its LLDP and FDB rows reach the core through the group stream.
        { name: 'edge-h3c', address: '127.0.0.1', class: 'switch', icmp: false, intervals: { inventory: '20s' }, snmp: { community: 'h3c', port: h3c.port, timeoutMs: 4000, retries: 1 } },
      ],
    }));
    writeFileSync(join(dir, 'noctua.yaml'), stringify({
      stateDir: join(tmp.dir, `${id}-state`), logLevel: 'info',
      api: { enabled: true, host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', role: 'operator', sha256: createHash('sha256').update(TOKEN).digest('hex') }] },
      scheduler: { instance: id, selfInterval: '1s', drainTimeout: '1s' },
      cluster: { role, redis: { url: redis.url, keyPrefix: 'disc' }, heartbeat: '500ms', leaderLease: '1500ms' },
      discovery: {
        ranges: [`${net}.0/29`], credentials: [{ name: 'lab-ro', version: '2c', community: 'lab' }], ports: [agents.port],
        interval: '10m', timeoutMs: 1500, retries: 1,
      },
    }));
    return loadFullConfig(dir);
  };
  const api = (rt: NoctuaRuntime, method: 'GET' | 'POST', url: string) => rt.api!.app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` } });
  const discovered = (id: string) => join(dirOf(id), 'discovered.yaml');
  const discoveryLines = (l: { lines: { msg: string; component?: string }[] }) => l.lines.filter((x) => x.component === 'discovery');

  beforeAll(async () => {
    redis = await startRedis({ dir: join(tmp.dir, 'redis') });
    agents = await startAgents([
      { address: at(1), recording: 'cisco-c3560', community: 'lab' },
      { address: at(2), recording: 'huawei-s5720', community: 'lab' },
    ]);
    h3c = await snmpsimWith({ h3c: readFileSync(join(fixturesDir(), 'snmprec', 'h3c-e528-2.snmprec'), 'utf8') });
    a = await startNoctua(config('core-a', 'core'), logs.a.log, { noStorage: true, onLeadershipLost: () => {} });
    runtimes.push(a);
    // Resolves only once it leads.
    b = startNoctua(config('core-b', 'core'), logs.b.log, { noStorage: true, standbySignal: standby.signal, onLeadershipLost: () => {} });
    b.catch(() => {});
    // The poller's own SNMP pollers (ICMP answered in-process): it reads edge-h3c for real.
    const pcfg = config('poller-p', 'poller');
    const p = await startNoctua(pcfg, logs.p.log, { pollers: { ...buildPollers(pcfg, logs.p.log, systemClock), icmp: answeringPinger([]) }, noStorage: true });
    runtimes.push(p);
    await waitFor('the standby core to wait for the lease', async () => logs.b.lines.some((l) => l.msg === 'standby core: waiting for the leader lease'), 15_000, 100);
  }, 60_000);

  afterAll(async () => {
    standby.abort();
    for (const r of runtimes.reverse()) await r.stop().catch(() => {});
    await b?.then((r) => r.stop()).catch(() => {});
    await agents?.cleanup();
    await h3c?.cleanup();
    await redis?.stop();
    tmp.cleanup();
  });

  it('only the leading core arms the schedule and answers /api/v1/discovery; the poller has no API, the standby no schedule yet', async () => {
    const res = await api(a, 'GET', '/api/v1/discovery');
    expect(res.statusCode).toBe(200);
    const status = res.json<{ scheduled: boolean; intervalMs: number; nextRunAt: string; running: boolean }>();
    expect(status).toMatchObject({ scheduled: true, intervalMs: 600_000, running: false });
    // The first run is one interval after the leader started.
    expect(Date.parse(status.nextRunAt) - Date.now()).toBeGreaterThan(500_000);
    expect(runtimes[1]!.api).toBeUndefined();
    expect(runtimes[1]!.alerts).toBeUndefined();
    for (const id of ['core-a', 'core-b', 'poller-p']) expect(existsSync(discovered(id)), id).toBe(false);
  });

  it("the leader builds the topology from the poller's stream: the device's LLDP neighbour and a MAC of its FDB", async () => {
    type Topo = { unmanaged: { sysName: string; seenBy: { device: string; port: string }[] }[] };
    let topo: Topo | undefined;
    await waitFor('the neighbour of edge-h3c on the core', async () => {
      topo = (await api(a, 'GET', '/api/v1/topology')).json<Topo>();
      return topo.unmanaged.some((u) => u.sysName === 'WRD-Huiju-2');
    }, 50_000, 250);
    expect(topo!.unmanaged.find((u) => u.sysName === 'WRD-Huiju-2')!.seenBy).toContainEqual(expect.objectContaining({ device: 'edge-h3c', port: 'GigabitEthernet1/0/24' }));
    // dot1qTpFdbPort.1.56.145.213.251.116.117 = 24 in the recording: bridge port 24 is GigabitEthernet1/0/24.
    const located = (await api(a, 'GET', '/api/v1/locate?mac=38:91:d5:fb:74:75')).json<{ hosts: { best?: { device: string; ifName: string } }[] }>();
    expect(located.hosts[0]!.best).toMatchObject({ device: 'edge-h3c', ifName: 'GigabitEthernet1/0/24' });
  }, 70_000);

  it('POST /api/v1/discovery/run on the leader sweeps the agents once and writes discovered.yaml there alone', async () => {
    const res = await api(a, 'POST', '/api/v1/discovery/run');
    expect(res.statusCode).toBe(202);
    await waitFor('the run to finish', async () => logs.a.lines.some((l) => l.msg === 'discovery run finished'), 60_000, 200);
    const last = (await api(a, 'GET', '/api/v1/discovery')).json<{ last: { proposed: { address: string; vendor: string }[] } }>().last;
    expect(last.proposed.map((d) => [d.address, d.vendor]).sort()).toEqual([[at(1), 'cisco'], [at(2), 'huawei']]);
    expect(readFileSync(discovered('core-a'), 'utf8')).toContain(`address: ${at(2)}`);
    expect(existsSync(discovered('core-b'))).toBe(false);
    expect(existsSync(discovered('poller-p'))).toBe(false);
    expect(discoveryLines(logs.a).filter((l) => l.msg === 'discovery run finished')).toHaveLength(1);
    expect(discoveryLines(logs.b)).toEqual([]);
    expect(discoveryLines(logs.p)).toEqual([]);
  }, 90_000);

  it('when the leader stops, the standby takes the lease and the schedule, and runs there on demand', async () => {
    await a.stop();
    runtimes.splice(runtimes.indexOf(a), 1);
    const leader = await b;
    runtimes.push(leader);
    const status = (await api(leader, 'GET', '/api/v1/discovery')).json<{ scheduled: boolean; nextRunAt: string }>();
    expect(status.scheduled).toBe(true);
    expect(Date.parse(status.nextRunAt) - Date.now()).toBeGreaterThan(500_000);
    expect((await api(leader, 'POST', '/api/v1/discovery/run')).statusCode).toBe(202);
    await waitFor('the run on the new leader', async () => existsSync(discovered('core-b')), 60_000, 200);
    expect(discoveryLines(logs.p)).toEqual([]);
  }, 90_000);
});
