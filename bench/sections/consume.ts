import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { encodeBatch } from '../../src/cluster/batch-codec.js';
import { CORE_CONSUMER_GROUP, ClusterKeys, ENGINE_CONSUMER_GROUP } from '../../src/cluster/keys.js';
import { loadConfig } from '../../src/config/loader.js';
import { createLogger } from '../../src/core/log.js';
import type { Sample } from '../../src/core/sample.js';
import { influxQuery } from '../../src/lab/influxd.js';
import { labInventoryYaml } from '../../src/lab/inventory.js';
import { repoRoot } from '../../src/lab/paths.js';
import { waitFor } from '../../src/lab/ports.js';
import { createSnmpPoller } from '../../src/pollers/snmp/index.js';
import type { BenchContext } from '../context.js';
import { startClusterParts } from '../sims/cluster-parts.js';
import { procCpuSeconds, procPeakRssMiB, summarize, type RunFigures } from '../measure.js';

/** One consume setup: how the cores consume (cluster.consume) and how many core processes run. */
interface Setup { consume: 'single' | 'split'; cores: number }
interface Plan { recordings: number; batches: number; setups: Setup[] }

const QUICK: Plan = { recordings: 6, batches: 3000, setups: [{ consume: 'single', cores: 1 }, { consume: 'split', cores: 1 }, { consume: 'split', cores: 2 }] };
const FULL: Plan = { recordings: Infinity, batches: 24_000, setups: [{ consume: 'single', cores: 1 }, { consume: 'split', cores: 1 }, { consume: 'split', cores: 2 }, { consume: 'split', cores: 4 }] };
const WINDOWS = 3;

interface CoreProc { id: string; child: ChildProcess; exited: Promise<void> }
/** Progress at one moment: entries acknowledged by the writers' and the engine's groups, CPU of every core, redis and influxd. */
interface Mark { t: number; written: number; fed: number; cpu: number[]; redis: number; influx: number }

/** redis-server's own CPU (user+sys) in seconds, from INFO. */
async function redisCpuS(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_sys') + get('used_cpu_user');
}

/** Entries a consumer group has acknowledged (read minus pending); 0 before the group exists. */
function acked(groups: Record<string, unknown>[], name: string): number {
  const g = groups.find((x) => x.name === name);
  return g ? Number(g['entries-read'] ?? 0) - Number(g.pending ?? 0) : 0;
}

function record(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/**
 * Section 9: the consume path (docs/SCALE.md, "Split consume"). A stream holding N device-poll batches of the
 * shared recordings (each batch its own id and time, 2.1 KiB on the wire) is consumed by 1, 2 and 4 `noctua start`
 * core processes with `cluster.consume: split`, and by one core with today's `single`, all writing to one influxd
 * through one redis-server. Batches/s is what the writers' group acknowledged per second (a delivery is
 * acknowledged only once InfluxDB or the writer's spool holds it); "engine batches/s" is the leader's engine
 * group over the whole drain. CPU is per process (the leader first), from /proc.
 */
export async function consumeSection(ctx: BenchContext): Promise<void> {
  const plan = ctx.quick ? QUICK : FULL;
  const dir = ctx.dir('consume');
  const { facts, redisInst, influx, sim, redis } = await startClusterParts(ctx, 'consume', dir, plan.recordings);
  const inventory = labInventoryYaml(facts, sim.port);
  const polls = await recordedPolls(dir, inventory);
  await sim.stop();
  const show = [
    { key: 'batchesPerS', label: 'batches/s', digits: 0 },
    { key: 'engineBatchesPerS', label: 'engine batches/s', digits: 0 },
    { key: 'leaderCpuS', label: 'leader CPU s/s', digits: 2 },
    { key: 'otherCpuS', label: 'other core CPU s/s', digits: 2 },
    { key: 'coreMsPerBatch', label: 'core CPU ms/batch', digits: 2 },
    { key: 'influxMsPerBatch', label: 'influxd ms/batch', digits: 2 },
    { key: 'redisMsPerBatch', label: 'redis ms/batch', digits: 2 },
    { key: 'rssMiB', label: 'RSS MiB per process', digits: 0 },
  ];
  const rates: Record<string, number> = {};
  const perProcess: Record<string, { cpuS: number[]; rssMiB: number[]; drainS: number }> = {};
  for (const setup of plan.setups) {
    const name = `${setup.consume}, ${setup.cores} core${setup.cores > 1 ? 's' : ''}`;
    ctx.say(`consume: ${name}: ${plan.batches} batches`);
    const { runs, cpuS, rssMiB, drainS } = await drain(ctx, { dir, redis, redisUrl: redisInst.url, influxUrl: influx.url, influxPid: influx.process.pid, inventory, polls, batches: plan.batches, setup });
    const summary = summarize(runs);
    ctx.rows.push({ section: 'consume', case: `${plan.batches} device-poll batches (${facts.length} recordings, ${(polls.reduce((n, p) => n + p.length, 0) / polls.length).toFixed(0)} samples each) in one stream`, contender: name, ...(name !== 'single, 1 core' ? { peer: 'single, 1 core' } : {}), summary, show });
    rates[name] = Math.round(summary.median.extra?.batchesPerS ?? NaN);
    perProcess[name] = { cpuS: cpuS.map((x) => Math.round(x * 10) / 10), rssMiB: rssMiB.map((x) => Math.round(x)), drainS: Math.round(drainS * 10) / 10 };
  }
  ctx.facts['consume batches/s (median window)'] = rates;
  ctx.facts['consume CPU s and peak RSS MiB per core process over the whole drain (leader first)'] = perProcess;
}

/** Second SNMP polls (with rates) of every recording: what a poller's batch holds. */
async function recordedPolls(dir: string, inventory: string): Promise<Sample[][]> {
  const cfgDir = join(dir, 'poll-config');
  mkdirSync(cfgDir, { recursive: true });
  writeFileSync(join(cfgDir, 'devices.yaml'), inventory);
  writeFileSync(join(cfgDir, 'noctua.yaml'), `stateDir: ${join(dir, 'poll-state')}\n`);
  const devices = loadConfig(cfgDir).devices.filter((d) => d.snmp !== false);
  const snmp = createSnmpPoller({ log: createLogger({ level: 'fatal' }) });
  const out: Sample[][] = [];
  try {
    for (const d of devices) {
      await snmp.poll(d, AbortSignal.timeout(10_000));
      out.push((await snmp.poll(d, AbortSignal.timeout(10_000))).samples);
    }
  } finally { await snmp.close(); }
  return out.filter((s) => s.length > 0);
}

/** One setup: fills a stream, starts its cores, measures until both groups drained it, stops them and checks InfluxDB. */
async function drain(ctx: BenchContext, o: { dir: string; redis: Redis; redisUrl: string; influxUrl: string; influxPid: number; inventory: string; polls: Sample[][]; batches: number; setup: Setup }): Promise<{ runs: RunFigures[]; cpuS: number[]; rssMiB: number[]; drainS: number }> {
  const { setup, redis } = o;
  const db = `${setup.consume}${setup.cores}`;
  const keys = new ClusterKeys(db);
  // Filled first, announced to the cores only once all of them read: the drain starts with every core up.
  const stream = keys.stream('default');
  const start0 = Date.now() - 86_400_000;
  let expectedPolls = 0;
  for (let i = 0; i < o.batches; i += 200) {
    const tx = redis.pipeline();
    for (let k = i; k < Math.min(o.batches, i + 200); k++) {
      const poll = o.polls[k % o.polls.length]!;
      const at = new Date(start0 + Math.floor(k / o.polls.length) * 1000);
      expectedPolls += poll.filter((s) => s.measurement === 'snmp_poll').length;
      const id = `bench-poller:${db}:${k}`;
      tx.xadd(stream, '*', 'b', id, 'd', encodeBatch({ id, samples: poll.map((s) => ({ ...s, time: at })) }));
    }
    await tx.exec();
  }
  await redis.sadd(keys.groups(), 'warm');
  const cores: CoreProc[] = [];
  const cfgOf = (id: string) => join(o.dir, db, id);
  for (let c = 1; c <= setup.cores; c++) {
    const id = `core-${c}`;
    const cfg = cfgOf(id);
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'devices.yaml'), o.inventory);
    writeFileSync(join(cfg, 'alerts.yaml'), stringify({ rules: [{ name: 'snmp-unreachable', severity: 'P3', select: { measurement: 'snmp_poll', match: { kind: 'snmp' } }, condition: { threshold: { field: 'ok', op: '==', value: false } }, consecutive: 2, summary: { en: '{{device}} answers no SNMP', 'zh-CN': '{{device}} SNMP 无响应' } }] }));
    writeFileSync(join(cfg, 'noctua.yaml'), stringify({
      stateDir: join(o.dir, db, 'state'), logLevel: 'warn', api: { enabled: false },
      influx: { url: o.influxUrl, database: db, precision: 'ms' },
      scheduler: { instance: id, selfInterval: '10s', drainTimeout: '1s' },
      cluster: { role: 'core', consume: setup.consume, redis: { url: o.redisUrl, keyPrefix: db }, heartbeat: '2s', leaderLease: '6s' },
    }));
    const fd = openSync(join(o.dir, `${db}-${id}.log`), 'a');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', cfg], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const p: CoreProc = { id, child, exited: new Promise((r) => child.once('exit', () => r())) };
    cores.push(p);
    ctx.onCleanup(async () => { if (child.exitCode === null && child.signalCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } await p.exited; } });
    // The first core leads: the leader column is core-1.
    if (c === 1) await waitFor(`${db}: core-1 leading (log: ${o.dir}/${db}-core-1.log)`, async () => (await redis.get(keys.leader())) === 'core-1', 90_000, 200);
  }
  const alive = () => { for (const c of cores) if (c.child.exitCode !== null) throw new Error(`${c.id} exited early (log: ${o.dir}/${db}-${c.id}.log)`); };
  const readers = async (group: string) => ((await redis.xinfo('CONSUMERS', keys.stream('warm'), group).catch(() => [])) as unknown[][]).length;
  await waitFor(`${db}: every core reading`, async () => {
    alive();
    return (await readers(CORE_CONSUMER_GROUP)) >= (setup.consume === 'split' ? setup.cores : 1) && (setup.consume === 'single' || (await readers(ENGINE_CONSUMER_GROUP)) >= 1);
  }, 90_000, 200);
  await redis.sadd(keys.groups(), 'default');
  const marks: Mark[] = [];
  const mark = async () => {
    alive();
    const groups = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map(record);
    const written = acked(groups, CORE_CONSUMER_GROUP);
    marks.push({ t: Date.now(), written, fed: setup.consume === 'split' ? acked(groups, ENGINE_CONSUMER_GROUP) : written, cpu: cores.map((c) => procCpuSeconds(c.child.pid!)), redis: await redisCpuS(redis), influx: procCpuSeconds(o.influxPid) });
  };
  await waitFor(`${db}: ${o.batches} batches written and fed to the engine`, async () => {
    await mark();
    const m = marks.at(-1)!;
    return m.written >= o.batches && m.fed >= o.batches;
  }, Math.max(120_000, o.batches * 20), 250);
  const rss = cores.map((c) => procPeakRssMiB(c.child.pid!));
  for (const c of cores) c.child.kill('SIGTERM');
  await Promise.all(cores.map((c) => c.exited));
  const stored = Number((await influxQuery(o.influxUrl, `SELECT count("ok") FROM "snmp_poll"`, db))[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  if (stored !== expectedPolls) throw new Error(`${db}: ${stored} snmp_poll points in InfluxDB, expected ${expectedPolls}`);
  const first = marks[Math.max(0, marks.findIndex((m) => m.written > 0) - 1)]!;
  const end = marks.at(-1)!;
  return { runs: windows(marks, o.batches, rss), cpuS: end.cpu.map((x, i) => x - first.cpu[i]!), rssMiB: rss, drainS: (end.t - first.t) / 1000 };
}

/** Splits the drain (first acknowledgement to the last) into equal windows, each one run's figures. */
function windows(marks: Mark[], batches: number, rss: number[]): RunFigures[] {
  const first = marks.findIndex((m) => m.written > 0);
  const last = marks.findIndex((m) => m.written >= batches);
  const a0 = marks[Math.max(0, first - 1)]!;
  const z = marks[last]!;
  const engineFirst = marks[Math.max(0, marks.findIndex((m) => m.fed > 0) - 1)]!;
  const engineLast = marks.find((m) => m.fed >= batches)!;
  const engineBatchesPerS = batches / ((engineLast.t - engineFirst.t) / 1000);
  const at = (t: number) => marks.reduce((best, m) => (Math.abs(m.t - t) < Math.abs(best.t - t) ? m : best));
  const out: RunFigures[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const a = at(a0.t + ((z.t - a0.t) * w) / WINDOWS);
    const b = at(a0.t + ((z.t - a0.t) * (w + 1)) / WINDOWS);
    const n = b.written - a.written;
    const s = (b.t - a.t) / 1000;
    if (n <= 0 || s <= 0) continue;
    const cpu = b.cpu.map((x, i) => x - a.cpu[i]!);
    const coreS = cpu.reduce((x, y) => x + y, 0);
    out.push({
      wallS: s, cpuS: coreS, peakRssMiB: Math.max(...rss),
      extra: {
        batchesPerS: n / s, engineBatchesPerS, leaderCpuS: cpu[0]! / s, otherCpuS: cpu.length > 1 ? cpu.slice(1).reduce((x, y) => x + y, 0) / (cpu.length - 1) / s : 0,
        coreMsPerBatch: (coreS * 1000) / n, influxMsPerBatch: ((b.influx - a.influx) * 1000) / n, redisMsPerBatch: ((b.redis - a.redis) * 1000) / n, rssMiB: rss.reduce((x, y) => x + y, 0) / rss.length,
      },
    });
  }
  if (out.length === 0) throw new Error('the drain was too short to measure: raise the batches');
  return out;
}
