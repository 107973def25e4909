import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { influxQuery } from '../../src/lab/influxd.js';
import { waitFor } from '../../src/lab/ports.js';
import { labInventoryYaml } from '../../src/lab/inventory.js';
import { repoRoot } from '../../src/lab/paths.js';
import type { BenchContext } from '../context.js';
import { startClusterParts } from '../sims/cluster-parts.js';
import { procCpuSeconds, procPeakRssMiB, summarize, type RunFigures } from '../measure.js';

/** How one mode runs: recordings polled, how long each setup runs on once its polls reach InfluxDB, and its measured windows. */
interface Plan { recordings: number; pollers: number[]; warmS: number; windowS: number; windows: number }

const QUICK: Plan = { recordings: 6, pollers: [0, 1], warmS: 0.5, windowS: 1.5, windows: 3 };
const FULL: Plan = { recordings: Infinity, pollers: [0, 1, 2, 3], warmS: 8, windowS: 8, windows: 3 };
/** Every device's SNMP and ICMP interval: short, so a window holds many polls. */
const INTERVAL = '2s';

interface Member { role: 'standalone' | 'poller' | 'core'; child: ChildProcess; exited: Promise<void> }

/** redis-server's own CPU (user+sys) in seconds, from INFO. */
async function redisCpuS(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_sys') + get('used_cpu_user');
}

/**
 * Section 6: what the cluster costs per device-poll. The same snmpsimd recordings polled by `noctua start` as a
 * standalone process, then by 1, 2 and 3 poller processes plus a core through a real redis-server, every setup
 * writing to InfluxDB. CPU of every Noctua process and of redis-server is read at the edges of consecutive
 * windows; polls are counted in InfluxDB per window. The cluster rows' peer is standalone, so "× peer" on
 * "CPU ms/poll" is the coordination overhead per device-poll as a ratio.
 */
export async function clusterSection(ctx: BenchContext): Promise<void> {
  const plan = ctx.quick ? QUICK : FULL;
  const dir = ctx.dir('cluster');
  const { facts, redisInst, influx, sim, redis } = await startClusterParts(ctx, 'cluster', dir, plan.recordings);
  const inventory = labInventoryYaml(facts, sim.port, { icmp: INTERVAL, snmp: INTERVAL });
  const devices = facts.length + 2;
  const show = [
    { key: 'cpuMsPerPoll', label: 'CPU ms/poll', digits: 2 },
    { key: 'pollerMsPerPoll', label: 'pollers', digits: 2 },
    { key: 'coreMsPerPoll', label: 'core', digits: 2 },
    { key: 'redisMsPerPoll', label: 'redis', digits: 2 },
    { key: 'pollsPerS', label: 'device-polls/s', digits: 1 },
  ];
  const overhead: Record<string, number> = {};
  for (const pollers of plan.pollers) {
    const name = pollers === 0 ? 'standalone' : `${pollers} poller${pollers > 1 ? 's' : ''} + core`;
    ctx.say(`cluster: ${name}: until polls arrive, ${plan.warmS} s more, then ${plan.windows} × ${plan.windowS} s`);
    const runs = await scenario(ctx, { dir, redis, redisUrl: redisInst.url, influxUrl: influx.url, inventory, pollers, plan });
    const summary = summarize(runs);
    ctx.rows.push({ section: 'cluster', case: `${devices} devices (${facts.length} snmpsim + 2 ICMP-only), SNMP and ICMP every ${INTERVAL}`, contender: name, ...(pollers > 0 ? { peer: 'standalone' } : {}), summary, show });
    overhead[name] = summary.median.extra?.cpuMsPerPoll ?? NaN;
  }
  const base = overhead.standalone!;
  ctx.facts['cluster CPU per device-poll vs standalone'] = Object.fromEntries(Object.entries(overhead).filter(([k]) => k !== 'standalone').map(([k, v]) => [k, Math.round((v / base) * 100) / 100]));
}

/** Starts one setup as `noctua start` processes, measures its windows, stops it and counts the polls of each window. */
async function scenario(ctx: BenchContext, o: { dir: string; redis: Redis; redisUrl: string; influxUrl: string; inventory: string; pollers: number; plan: Plan }): Promise<RunFigures[]> {
  const db = o.pollers === 0 ? 'standalone' : `p${o.pollers}`;
  const members: Member[] = [];
  const start = (id: string, role: Member['role']) => {
    const cfg = join(o.dir, db, id);
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'devices.yaml'), o.inventory);
    writeFileSync(join(cfg, 'noctua.yaml'), stringify({
      stateDir: join(cfg, 'state'), logLevel: 'warn', api: { enabled: false },
      influx: { url: o.influxUrl, database: db, precision: 'ms' },
      scheduler: { instance: id, selfInterval: '10s', drainTimeout: '1s' },
      cluster: role === 'standalone' ? { role } : { role, redis: { url: o.redisUrl, keyPrefix: db }, heartbeat: '2s', leaderLease: '6s' },
    }));
    const fd = openSync(join(o.dir, `${db}-${id}.log`), 'a');
    // Its own process group: a clean-up after a failure takes fping children with it.
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', cfg], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const m: Member = { role, child, exited: new Promise((r) => child.once('exit', () => r())) };
    members.push(m);
    ctx.onCleanup(async () => { if (child.exitCode === null && child.signalCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } await m.exited; } });
  };
  if (o.pollers === 0) start('standalone', 'standalone');
  else {
    start('core', 'core');
    for (let i = 1; i <= o.pollers; i++) start(`poller-${i}`, 'poller');
  }
  const count = async (q: string) => Number((await influxQuery(o.influxUrl, q, db).catch(() => []))[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  // Start-up (tsx, leases, the leader lease) takes seconds on a loaded machine: measure once SNMP and ICMP polls arrive.
  await waitFor(`${db}: polls in InfluxDB (logs: ${o.dir}/${db}-*.log)`, async () => {
    for (const m of members) if (m.child.exitCode !== null) throw new Error(`a ${m.role} process exited early (log: ${o.dir}/${db}-*.log)`);
    return (await count(`SELECT count("ok") FROM "snmp_poll" WHERE "kind" = 'snmp' AND time > now() - 5s`)) > 0 && (await count(`SELECT count("up") FROM "icmp" WHERE time > now() - 5s`)) > 0;
  }, 90_000, 250);
  await new Promise((r) => setTimeout(r, o.plan.warmS * 1000));
  const edges: { t: number; cpu: number[]; redis: number }[] = [];
  const edge = async () => {
    for (const m of members) if (m.child.exitCode !== null) throw new Error(`a ${m.role} process exited early (log: ${o.dir}/${db}-*.log)`);
    edges.push({ t: Date.now(), cpu: members.map((m) => procCpuSeconds(m.child.pid!)), redis: o.pollers === 0 ? 0 : await redisCpuS(o.redis) });
  };
  await edge();
  for (let w = 0; w < o.plan.windows; w++) { await new Promise((r) => setTimeout(r, o.plan.windowS * 1000)); await edge(); }
  const rss = members.reduce((n, m) => n + procPeakRssMiB(m.child.pid!), 0);
  // SIGTERM: the writers flush what they hold before the polls are counted.
  for (const m of members) m.child.kill('SIGTERM');
  await Promise.all(members.map((m) => m.exited));
  const runs: RunFigures[] = [];
  for (let w = 0; w + 1 < edges.length; w++) {
    const [a, b] = [edges[w]!, edges[w + 1]!];
    const span = `time >= ${a.t}ms AND time < ${b.t}ms`;
    const polls = await count(`SELECT count("ok") FROM "snmp_poll" WHERE "kind" = 'snmp' AND ${span}`) + await count(`SELECT count("up") FROM "icmp" WHERE ${span}`);
    const cpuOf = (role: Member['role']) => members.reduce((n, m, i) => n + (m.role === role ? b.cpu[i]! - a.cpu[i]! : 0), 0);
    const pollerS = cpuOf('standalone') + cpuOf('poller');
    const coreS = cpuOf('core');
    const redisS = b.redis - a.redis;
    const totalS = pollerS + coreS + redisS;
    const ms = (s: number) => (polls > 0 ? (s * 1000) / polls : NaN);
    runs.push({
      wallS: (b.t - a.t) / 1000, cpuS: totalS, peakRssMiB: rss,
      extra: { pollsPerS: polls / ((b.t - a.t) / 1000), cpuMsPerPoll: ms(totalS), pollerMsPerPoll: ms(pollerS), coreMsPerPoll: ms(coreS), redisMsPerPoll: ms(redisS) },
    });
  }
  return runs;
}
