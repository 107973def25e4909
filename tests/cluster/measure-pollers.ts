/**
 * The cluster benchmark, run by hand until it joins `npm run bench`: standalone Noctua versus 1, 2 and 3
 * poller processes plus a core, all as `noctua start` processes against the same snmpsimd fleet, InfluxDB and
 * Redis. Reports polls/s and CPU per device poll (poller processes, the core, redis-server, all together) and
 * the ratio of the cluster's total CPU per poll to standalone's.
 * Run: `npx tsx tests/cluster/measure-pollers.ts` (about three minutes; everything on loopback).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { influxQuery, startInfluxd } from '../../src/lab/influxd.js';
import { labAddress, labInventoryYaml, readFixtures } from '../../src/lab/inventory.js';
import { fixturesDir, repoRoot } from '../../src/lab/paths.js';
import { startRedis } from '../../src/lab/redis.js';
import { startSnmpsim } from '../../src/lab/snmpsim.js';
import { tempDir } from '../helpers/tmp.js';

const INTERVAL = '2s';
const WARM_MS = 12_000;
const WINDOW_MS = 24_000;
const TICK = 100; // USER_HZ on Linux

/** CPU ms a process and its waited-for children used so far, from /proc. */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // Fields after "comm)": state is [0], utime [11], stime [12], cutime [13], cstime [14].
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * (1000 / TICK);
}

const tmp = tempDir('noctua-measure-pollers-');
const fixtures = fixturesDir();
const facts = readFixtures(fixtures);
const [redisInst, influx, sim] = await Promise.all([
  startRedis({ dir: join(tmp.dir, 'redis') }),
  startInfluxd({ dir: join(tmp.dir, 'influx') }),
  startSnmpsim({ dataDir: join(fixtures, 'snmprec'), workDir: tmp.dir, probeCommunity: facts[0]!.community, addresses: facts.map((_, i) => labAddress(i)) }),
]);
const redis = new Redis(redisInst.url);
const redisCpu = async () => {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (get('used_cpu_sys') + get('used_cpu_user')) * 1000;
};
const inventory = labInventoryYaml(facts, sim.port, { icmp: INTERVAL, snmp: INTERVAL });
const rows: string[] = [];
let baseline = 0;

async function scenario(name: string, pollers: number): Promise<void> {
  const db = `m_${name.replace(/\W/g, '_')}`;
  const procs: { role: string; child: ChildProcess }[] = [];
  const member = (id: string, role: 'standalone' | 'poller' | 'core') => {
    const dir = join(tmp.dir, db, id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'devices.yaml'), inventory);
    writeFileSync(join(dir, 'noctua.yaml'), stringify({
      stateDir: join(dir, 'state'), logLevel: 'warn', api: { enabled: false },
      influx: { url: influx.url, database: db, precision: 'ms' },
      scheduler: { instance: id, selfInterval: '10s' },
      cluster: role === 'standalone' ? { role } : { role, redis: { url: redisInst.url, keyPrefix: db }, heartbeat: '2s', leaderLease: '6s' },
    }));
    const fd = openSync(join(tmp.dir, `${db}-${id}.log`), 'a');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', dir], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    procs.push({ role, child });
  };
  if (pollers === 0) member('standalone', 'standalone');
  else {
    member('core', 'core');
    for (let i = 1; i <= pollers; i++) member(`poller-${i}`, 'poller');
  }
  await new Promise((r) => setTimeout(r, WARM_MS));
  const t0 = Date.now();
  const c0 = procs.map((p) => cpuMs(p.child.pid!));
  const r0 = await redisCpu();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const t1 = Date.now();
  const c1 = procs.map((p) => cpuMs(p.child.pid!));
  const r1 = await redisCpu();
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => p.child.once('exit', r))));
  const count = async (q: string) => Number((await influxQuery(influx.url, q, db))[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  const snmp = await count(`SELECT count("ok") FROM "snmp_poll" WHERE "kind" = 'snmp' AND time >= ${t0}ms AND time < ${t1}ms`);
  const icmp = await count(`SELECT count("up") FROM "icmp" WHERE time >= ${t0}ms AND time < ${t1}ms`);
  const polls = snmp + icmp;
  const cpu = (role: string) => procs.reduce((n, p, i) => n + (p.role === role ? c1[i]! - c0[i]! : 0), 0);
  const pollerCpu = pollers === 0 ? cpu('standalone') : cpu('poller');
  const coreCpu = cpu('core');
  const redisMs = pollers === 0 ? 0 : r1 - r0;
  const total = pollerCpu + coreCpu + redisMs;
  const perPoll = total / polls;
  if (pollers === 0) baseline = perPoll;
  rows.push(`| ${name} | ${(snmp / (WINDOW_MS / 1000)).toFixed(1)} | ${(icmp / (WINDOW_MS / 1000)).toFixed(1)} | ${(pollerCpu / polls).toFixed(2)} | ${(coreCpu / polls).toFixed(2)} | ${(redisMs / polls).toFixed(2)} | ${perPoll.toFixed(2)} | ${(perPoll / baseline).toFixed(2)} |`);
  console.log(rows.at(-1));
}

try {
  console.log(`| setup | SNMP polls/s | ICMP polls/s | poller CPU ms/poll | core CPU ms/poll | redis CPU ms/poll | total CPU ms/poll | vs standalone |\n|---|---|---|---|---|---|---|---|`);
  await scenario('standalone', 0);
  for (const n of [1, 2, 3]) await scenario(`${n} poller${n > 1 ? 's' : ''} + core`, n);
} finally {
  redis.disconnect();
  await Promise.all([redisInst.stop(), influx.stop(), sim.stop()]);
  tmp.cleanup();
}
