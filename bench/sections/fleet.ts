import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Device } from '../../src/config/inventory-schema.js';
import { influxQuery, startInfluxd, type InfluxdInstance } from '../../src/lab/influxd.js';
import { readFixtures } from '../../src/lab/inventory.js';
import { fixturesDir, repoRoot } from '../../src/lab/paths.js';
import { startSnmpsim } from '../../src/lab/snmpsim.js';
import { createSnmpPoller } from '../../src/pollers/snmp/index.js';
import type { BenchContext } from '../context.js';
import { measureInProcess, median, percentile, procCpuSeconds, procRssMiB, summarize, treeCpuSeconds, type RunFigures } from '../measure.js';
import { startSnmpdFleet, type FleetAgent } from '../sims/snmpd-fleet.js';
import { withConcurrency } from './snmp.js';
import { meetsInterval } from '../targets.js';

/**
 * Open files `noctua start` needs for `devices`: two UDP sockets per SNMP device (the metrics and the inventory
 * poller each keep a session) and a margin for fping pipes, the state database, influx and the API.
 */
export function openFilesNeeded(devices: number): number {
  return devices * 2 + 1024;
}

/** This process's soft open-file limit (children inherit it), from /proc; Infinity when unlimited or unreadable. */
function openFileLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m && m[1] !== 'unlimited' ? Number(m[1]) : Infinity;
}

/** The snmpsim slice's addresses: 127.61.x.y, one per device. */
function sliceAddress(i: number): string {
  return `127.61.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** Points influxd has accepted so far (its /debug/vars write statistics). */
async function influxPointsWritten(url: string): Promise<number> {
  const vars = await (await fetch(`${url}/debug/vars`)).json() as Record<string, { name?: string; values?: Record<string, number> }>;
  return Object.values(vars).filter((v) => v?.name === 'write').reduce((s, v) => s + (v.values?.pointReq ?? 0), 0);
}

/** What one snmpd process serving `perProcess` addresses costs per full-profile device-poll, with Noctua's poller. */
interface SnmpdCapacity { perProcess: number; agentCpuMsPerPoll: number; noctuaCpuMsPerPoll: number; pollsPerS: number; varbindsPerPoll: number }

/**
 * Measures one snmpd with `perProcess` addresses (and as many communities): its CPU per poll grows with both (it
 * scans its community list and its sockets per request: 2.2 ms at 50, 4.6 ms at 245 measured), so the probe must
 * use the size the run will use.
 */
async function snmpdCapacity(ctx: BenchContext, perProcess: number): Promise<SnmpdCapacity> {
  const fleet = await startSnmpdFleet(ctx.dir(`fleet-capacity-${perProcess}`), 1, perProcess);
  try {
    const poller = createSnmpPoller();
    // At most 100 of its addresses polled (twice, after a warm-up pass): enough for a figure, short for 250.
    const devs = fleet.agents.slice(0, 100).map((a, i) => snmpdDevice(`cap-${i}`, a));
    await withConcurrency(devs, 16, async (d) => { await poller.poll(d, AbortSignal.timeout(30_000)); });
    const pid = fleet.processes[0]!.pid;
    const a0 = treeCpuSeconds([pid]);
    let varbinds = 0;
    const f = await measureInProcess(async () => {
      for (let pass = 0; pass < 2; pass++) {
        await withConcurrency(devs, 16, async (d) => {
          const r = await poller.poll(d, AbortSignal.timeout(30_000));
          varbinds += Number(r.samples.find((s) => s.measurement === 'snmp_poll')?.fields.varbinds ?? 0);
        });
      }
    }, { children: false });
    const n = devs.length * 2;
    const agentCpu = treeCpuSeconds([pid]) - a0;
    await poller.close();
    return { perProcess, agentCpuMsPerPoll: (agentCpu * 1000) / n, noctuaCpuMsPerPoll: (f.cpuS * 1000) / n, pollsPerS: n / f.wallS, varbindsPerPoll: varbinds / n };
  } finally {
    await fleet.stop();
  }
}

/** Addresses per snmpd the probe tries (full mode): the cheapest per poll that keeps processes ≤ MAX_PROCESSES wins. */
const PROBE_SIZES = [50, 100, 200];
/** snmpd processes at most (each ~5 MiB and a start-up of its own). */
const MAX_PROCESSES = 120;
/** Share of a core one snmpd (one thread) may need at the fleet's poll rate. */
const AGENT_CORE_SHARE = 0.4;

/** Capacity probes by addresses per process, measured once per bench run. */
type Probes = Map<number, SnmpdCapacity>;

async function probe(ctx: BenchContext, probes: Probes, perProcess: number): Promise<SnmpdCapacity> {
  let c = probes.get(perProcess);
  if (!c) {
    ctx.say(`fleet: measuring one snmpd with ${perProcess} addresses`);
    c = await snmpdCapacity(ctx, perProcess);
    probes.set(perProcess, c);
  }
  return c;
}

/**
 * snmpd processes and addresses each for `devices` snmpd devices at `ratePerS` polls/s: of the probed sizes that keep
 * processes ≤ MAX_PROCESSES, the one cheapest per poll; enough processes that none needs more than AGENT_CORE_SHARE
 * of a core; and, when that changes the addresses per process, that size probed too, so the sizing rests on a
 * measurement with the addresses per process the run uses.
 */
async function sizeAgents(ctx: BenchContext, probes: Probes, devices: number, ratePerS: number): Promise<{ processes: number; perProcess: number; cap: SnmpdCapacity }> {
  const least = Math.ceil(devices / MAX_PROCESSES);
  const sizes = ctx.quick ? [20] : PROBE_SIZES;
  const fits = sizes.filter((s) => s >= least && s <= 250);
  const candidates = fits.length > 0 ? fits : [Math.min(250, least)];
  let best: SnmpdCapacity | undefined;
  for (const size of candidates) {
    const c = await probe(ctx, probes, size);
    if (!best || c.agentCpuMsPerPoll < best.agentCpuMsPerPoll) best = c;
  }
  const forCpu = (c: SnmpdCapacity) => Math.ceil((ratePerS * c.agentCpuMsPerPoll) / 1000 / AGENT_CORE_SHARE);
  let processes = Math.min(Math.max(Math.ceil(devices / best!.perProcess), forCpu(best!), 2), Math.max(MAX_PROCESSES, least));
  let perProcess = Math.ceil(devices / processes);
  if (perProcess !== best!.perProcess) {
    best = await probe(ctx, probes, perProcess);
    processes = Math.min(Math.max(Math.ceil(devices / perProcess), forCpu(best), 2), Math.max(MAX_PROCESSES, least));
    perProcess = Math.ceil(devices / processes);
  }
  return { processes, perProcess, cap: best! };
}

function snmpdDevice(name: string, a: FleetAgent): Device {
  return {
    name, address: a.address, class: 'server', site: 'bench', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community: a.community, port: a.port, timeoutMs: 2000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 21_600_000 },
  };
}

interface Tick { t: number; at: number; noctuaCpu: number; noctuaRss: number; simCpu: number; influxCpu: number; points: number }

/**
 * Section 3: a fleet run by `noctua start` (a process of its own) with InfluxDB writing and the example alert
 * rules evaluating: mostly Debian snmpd agents plus a slice of snmpsim recordings, every device also pinged.
 */
export async function fleetSection(ctx: BenchContext): Promise<void> {
  const snmpMs = ctx.quick ? 15_000 : 60_000;
  const icmpMs = ctx.quick ? 10_000 : 30_000;
  const probes: Probes = new Map();
  // 2,000 devices for 5 minutes (the cost per device-poll target), the issue's 5,000 for 5 minutes, then larger fleets
  // for three SNMP intervals each: the largest that meets the interval. About 19 minutes in all: 960 s of runs plus
  // ~30–60 s each to start and stop its agents, influxd and Noctua and read the figures back, and the probes.
  const runs = ctx.fleet?.map((f) => ({ total: f.devices, slice: Math.min(ctx.quick ? 8 : 100, Math.floor(f.devices / 10)), runS: f.seconds }))
    ?? (ctx.quick ? [{ total: 200, slice: 8, runS: 20 }] : [
      { total: 2000, slice: 100, runS: 300 }, { total: 5000, slice: 100, runS: 300 }, { total: 7500, slice: 100, runS: 180 }, { total: 10_000, slice: 100, runS: 180 },
    ]);
  const met: number[] = [];
  for (const r of runs) {
    if (openFilesNeeded(r.total) > openFileLimit()) {
      // Out of descriptors Noctua fails ICMP cycles and cannot open sessions: say so rather than measure that.
      ctx.facts[`fleet ${r.total}`] = `not run: ${r.total} devices need about ${openFilesNeeded(r.total)} open files (two UDP sockets per SNMP device) and this shell allows ${openFileLimit()}; raise \`ulimit -n\` (docs/SCALE.md, "Open files")`;
      ctx.say(`fleet: ${String(ctx.facts[`fleet ${r.total}`])}`);
      continue;
    }
    const stops: (() => Promise<void>)[] = [];
    try {
      if (await runFleet(ctx, probes, { ...r, snmpMs, icmpMs }, (fn) => { stops.push(fn); })) met.push(r.total);
    } finally {
      // Stop this fleet's agents, influxd and Noctua before a larger one starts: they share the same two cores.
      for (const fn of stops.reverse()) { try { await fn(); } catch { /* reported by the supervisor */ } }
    }
  }
  ctx.facts['fleet largest meeting the interval'] = met.length > 0
    ? `${Math.max(...met)} devices (of ${runs.map((r) => r.total).join(', ')} run): every poll completed, 0 overruns, SNMP p99 below the interval`
    : `none of ${runs.map((r) => r.total).join(', ')} met it (see each run's failures: Noctua's own vs the agents')`;
}

/** One fleet run: agents sized from the measured capacity, `noctua start` over them for `runS` seconds; whether it met the interval. */
async function runFleet(ctx: BenchContext, probes: Probes, o: { total: number; slice: number; runS: number; snmpMs: number; icmpMs: number }, onStop: (fn: () => Promise<void>) => void): Promise<boolean> {
  const { total, runS, snmpMs, icmpMs } = o;
  const sliceSize = o.slice;
  const dir = ctx.dir(`fleet-${total}`);
  const snmpdDevices = total - sliceSize;
  const ratePerS = snmpdDevices / (snmpMs / 1000);
  // Each snmpd is one thread: keep every process under 40 % of a core at the fleet's poll rate, few addresses each.
  const { processes, perProcess, cap } = await sizeAgents(ctx, probes, snmpdDevices, ratePerS);
  ctx.facts[`fleet ${total} snmpd sizing`] = {
    probed: Object.fromEntries([...probes.values()].map((c) => [`${c.perProcess} addresses`, `${round(c.agentCpuMsPerPoll)} ms agent CPU per poll`])),
    probedPerProcess: cap.perProcess, agentCpuMsPerPoll: round(cap.agentCpuMsPerPoll), maxPollsPerSPerProcess: round(1000 / cap.agentCpuMsPerPoll), measuredPollsPerS: round(cap.pollsPerS),
    varbindsPerPoll: Math.round(cap.varbindsPerPoll), needed: `${round(ratePerS)} polls/s over ${snmpdDevices} snmpd devices → ${processes} processes × ${perProcess} addresses`,
  };
  ctx.say(`fleet: snmpd ${round(cap.agentCpuMsPerPoll)} ms CPU per poll → ${processes} snmpd × ${perProcess}; starting influxd, snmpd fleet, snmpsim slice`);

  const influx: InfluxdInstance = await startInfluxd({ dir: join(dir, 'influxdb') });
  onStop(() => influx.stop());
  const fleet = await startSnmpdFleet(join(dir, 'snmpd'), processes, perProcess);
  onStop(() => fleet.stop());
  const fixtures = fixturesDir();
  const recordings = readFixtures(fixtures).map((f) => f.community);
  const slice = ctx.quick ? recordings.slice(0, 4) : recordings;
  const data = join(dir, 'snmprec');
  mkdirSync(data, { recursive: true });
  for (const r of slice) copyFileSync(join(fixtures, 'snmprec', `${r}.snmprec`), join(data, `${r}.snmprec`));
  const sim = await startSnmpsim({ dataDir: data, workDir: dir, probeCommunity: slice[0]!, addresses: Array.from({ length: sliceSize }, (_, i) => sliceAddress(i)) });
  onStop(() => sim.stop());

  const devices = [
    ...fleet.agents.slice(0, snmpdDevices).map((a, i) => ({ name: `srv-${String(i).padStart(4, '0')}`, address: a.address, class: 'server', site: 'bench', snmp: { community: a.community, port: a.port } })),
    ...Array.from({ length: sliceSize }, (_, i) => ({ name: `sim-${String(i).padStart(3, '0')}-${slice[i % slice.length]}`, address: sliceAddress(i), class: 'switch', site: 'bench', snmp: { community: slice[i % slice.length], port: sim.port } })),
  ];
  const config = join(dir, 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, 'devices.yaml'), stringify({
    defaults: { snmp: { version: '2c', timeoutMs: 2000, retries: 1, maxRepetitions: 25 }, intervals: { icmp: `${icmpMs / 1000}s`, snmp: `${snmpMs / 1000}s`, inventory: '6h' } },
    sites: [{ name: 'bench', description: 'Noctua bench fleet on loopback' }],
    devices,
  }));
  writeFileSync(join(config, 'noctua.yaml'), stringify({
    stateDir: join(dir, 'state'), locale: 'en', logLevel: 'warn',
    influx: { url: influx.url, database: 'noctua_bench' },
    scheduler: { icmpBackend: 'fping', selfInterval: '10s' },
    api: { enabled: false },
  }));
  // The shipped example rules: what an operator starts with. No notify.yaml: incidents are recorded, nobody is paged.
  copyFileSync(join(repoRoot, 'config', 'alerts.example.yaml'), join(config, 'alerts.yaml'));

  const simPids = [...fleet.processes.map((p) => p.pid), sim.process.pid];
  const logFd = openSync(join(dir, 'noctua.log'), 'a');
  const prof = ctx.profileDir ? [`--cpu-prof`, `--cpu-prof-dir=${join(ctx.profileDir, `fleet-${total}`)}`] : [];
  const child = spawn(process.execPath, [...prof, join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', config], { stdio: ['ignore', logFd, logFd], cwd: repoRoot });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onStop(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  const pid = child.pid!;
  ctx.say(`fleet: noctua start (pid ${pid}) with ${devices.length} devices, SNMP every ${snmpMs / 1000} s, ICMP every ${icmpMs / 1000} s, for ${runS} s`);

  const ticks: Tick[] = [];
  const sample = async (): Promise<Tick> => ({
    t: performance.now() / 1000, at: Date.now(), noctuaCpu: procCpuSeconds(pid), noctuaRss: procRssMiB(pid),
    simCpu: treeCpuSeconds(simPids), influxCpu: treeCpuSeconds([influx.process.pid]), points: await influxPointsWritten(influx.url),
  });
  const startedAt = new Date();
  ticks.push(await sample());
  const stepMs = 5000;
  for (let elapsed = 0; elapsed < runS * 1000; elapsed += stepMs) {
    await new Promise((r) => setTimeout(r, stepMs));
    if (child.exitCode !== null) throw new Error(`noctua start exited early (code ${child.exitCode}); see ${join(dir, 'noctua.log')}:\n${readFileSync(join(dir, 'noctua.log'), 'utf8').slice(-1500)}`);
    ticks.push(await sample());
  }
  const peakRss = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const endedAt = new Date();
  child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
  if (code === 'hung') { child.kill('SIGKILL'); await exited; }

  // Figures from what Noctua wrote: its own noctua_self periods and every snmp_poll, read back from InfluxDB.
  const q = async (sql: string) => (await influxQuery(influx.url, sql, 'noctua_bench'))[0]?.series ?? [];
  // Noctua reports a period when it ends: count everything up to its last report, so polls and periods cover the same span.
  // influxQuery answers times as epoch milliseconds.
  const at = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v)));
  const lastSelf = new Date(at((await q(`SELECT last(due) FROM noctua_self WHERE component = 'scheduler' AND kind = 'snmp'`))[0]?.values[0]?.[0] ?? endedAt.getTime())).toISOString();
  const range = `time >= '${startedAt.toISOString()}' AND time <= '${lastSelf}'`;
  const spanS = (Date.parse(lastSelf) - startedAt.getTime()) / 1000;
  const self = await q(`SELECT sum(due), sum(completed), sum(overruns), sum(polls_ok), sum(polls_failed), max(queue_lag_ms), max(cycle_ms) FROM noctua_self WHERE component = 'scheduler' AND ${range} GROUP BY kind`);
  const byKind: Record<string, Record<string, number>> = {};
  for (const s of self) {
    const row = s.values[0]!;
    byKind[s.tags?.kind ?? '?'] = Object.fromEntries(s.columns.slice(1).map((c, i) => [c, Number(row[i + 1] ?? 0)]));
  }
  // Latency over the whole run, and from the second SNMP interval on: the first holds every device's identification.
  const polls = (await q(`SELECT duration_ms FROM snmp_poll WHERE kind = 'snmp' AND ${range}`))[0]?.values.map((v) => ({ t: at(v[0]), ms: Number(v[1]) })) ?? [];
  const durations = polls.map((p) => p.ms);
  const steadyDurations = polls.filter((p) => p.t >= startedAt.getTime() + snmpMs).map((p) => p.ms);
  const okPolls = Number((await q(`SELECT count(duration_ms) FROM snmp_poll WHERE kind = 'snmp' AND ok = true AND ${range}`))[0]?.values[0]?.[1] ?? 0);
  // Which agents the failed polls were asked of, and why they failed: snmpd (class server) or snmpsimd (class switch),
  // and by minute, so a simulator's limit is told apart from Noctua's (issue 23).
  const failedRows = (await q(`SELECT error_kind, duration_ms FROM snmp_poll WHERE kind = 'snmp' AND ok = false AND ${range} GROUP BY class`));
  const failures: Record<string, Record<string, number>> = {};
  const failedByMinute: Record<string, number> = {};
  for (const s of failedRows) {
    const byKind = (failures[s.tags?.class === 'switch' ? 'snmpsim' : 'snmpd'] ??= {});
    for (const v of s.values) {
      const kind = String(v[1] || 'none');
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      const minute = String(Math.floor((at(v[0]) - startedAt.getTime()) / 60_000));
      failedByMinute[minute] = (failedByMinute[minute] ?? 0) + 1;
    }
  }
  ctx.facts[`fleet ${total} failed polls`] = { byAgent: failures, byMinuteOfRun: failedByMinute };
  // The longest wait for a slot per 30 s of the run: start-up only, or all along?
  const lagBy30s = (await q(`SELECT max(queue_lag_ms) FROM noctua_self WHERE component = 'scheduler' AND kind = 'snmp' AND ${range} GROUP BY time(30s)`))[0]?.values.map((v) => Math.round(Number(v[1] ?? 0))) ?? [];
  ctx.facts[`fleet ${total} SNMP queue lag max ms per 30 s`] = lagBy30s;
  // How often the scheduler saw its own event loop lag (it then holds or shrinks the in-flight limit): logged at warn.
  const lagLines = readFileSync(join(dir, 'noctua.log'), 'utf8').split('\n').filter((l) => l.includes('event loop lags'));
  ctx.facts[`fleet ${total} event loop lag episodes`] = { count: lagLines.length, first: lagLines.slice(0, 3).map((l) => l.slice(0, 300)) };
  const icmpCycles = (await q(`SELECT cycle_ms FROM noctua_self WHERE component = 'scheduler' AND kind = 'icmp' AND ${range}`))[0]?.values.map((v) => Number(v[1])).filter((x) => x > 0) ?? [];

  // Windows of one SNMP interval each: the median and spread over them stand in for repetitions of the run.
  const windowS = snmpMs / 1000;
  const windows: RunFigures[] = [];
  const first = ticks[0]!;
  for (let w = 0; ; w++) {
    const a = ticks.find((t) => t.t - first.t >= w * windowS - 0.5);
    const b = ticks.find((t) => t.t - first.t >= (w + 1) * windowS - 0.5);
    if (!a || !b) break;
    const inWindow = ticks.filter((t) => t.t >= a.t && t.t <= b.t);
    const wall = b.t - a.t;
    windows.push({
      wallS: wall, cpuS: b.noctuaCpu - a.noctuaCpu, peakRssMiB: Math.max(...inWindow.map((t) => t.noctuaRss)),
      extra: { cores: (b.noctuaCpu - a.noctuaCpu) / wall, simCores: (b.simCpu - a.simCpu) / wall, influxCores: (b.influxCpu - a.influxCpu) / wall, pointsPerS: (b.points - a.points) / wall },
    });
  }
  const last = ticks.at(-1)!;
  const wall = last.t - first.t;
  const snmp = byKind.snmp ?? {}, icmp = byKind.icmp ?? {};
  const label = `${devices.length.toLocaleString('en-US')} devices (${snmpdDevices} snmpd + ${sliceSize} snmpsim), SNMP ${snmpMs / 1000} s / ICMP ${icmpMs / 1000} s, ${Math.round(wall)} s`;
  // Cost per device-poll: CPU over the span the poll counts cover (read off the 5 s samples, linear in between).
  const spanEnd = Date.parse(lastSelf);
  const cpuAt = (key: 'noctuaCpu' | 'simCpu', ms: number) => {
    const after = ticks.findIndex((t) => t.at >= ms);
    if (after <= 0) return after === 0 ? ticks[0]![key] : last[key];
    const a = ticks[after - 1]!, b = ticks[after]!;
    return a[key] + ((b[key] - a[key]) * (ms - a.at)) / Math.max(1, b.at - a.at);
  };
  const spanNoctuaCpuS = cpuAt('noctuaCpu', spanEnd) - first.noctuaCpu;
  const spanSimCpuS = cpuAt('simCpu', spanEnd) - first.simCpu;
  // Failed SNMP polls split: the agents' (an snmp_poll ok=false row: the poller asked and got no or a partial answer,
  // mostly timeouts) and Noctua's own (counted failed in noctua_self without such a row: the poll never got a slot).
  const agentFailed = Object.values(failures).reduce((s, k) => s + Object.values(k).reduce((a, b) => a + b, 0), 0);
  const agentTimeouts = Object.values(failures).reduce((s, k) => s + (k.timeout ?? 0), 0);
  const summary = summarize(windows);
  const steady = windows.slice(1);
  const whole = {
    noctuaCores: (last.noctuaCpu - first.noctuaCpu) / wall, steadyCores: steady.length ? median(steady.map((w) => w.extra!.cores!)) : NaN, peakRssMiB: peakRss,
    simulatorCores: (last.simCpu - first.simCpu) / wall, influxdCores: (last.influxCpu - first.influxCpu) / wall, pointsPerS: (last.points - first.points) / wall,
    countedSpanS: spanS, snmpDue: snmp.sum ?? 0, snmpCompleted: snmp.sum_1 ?? 0, snmpOverruns: snmp.sum_2 ?? 0, snmpOkSamples: okPolls, snmpPollSamples: polls.length,
    snmpFailed: snmp.sum_4 ?? 0, snmpIntervalSlots: Math.floor((devices.length * spanS) / (snmpMs / 1000)),
    icmpDue: icmp.sum ?? 0, icmpCompleted: icmp.sum_1 ?? 0, icmpOverruns: icmp.sum_2 ?? 0, icmpIntervalSlots: Math.floor((devices.length * spanS) / (icmpMs / 1000)),
    snmpLatencyP50Ms: percentile(durations, 50), snmpLatencyP99Ms: percentile(durations, 99), snmpLatencyMaxMs: durations.reduce((a, b) => Math.max(a, b), 0),
    steadySnmpLatencyP50Ms: percentile(steadyDurations, 50), steadySnmpLatencyP99Ms: percentile(steadyDurations, 99),
    snmpFailedNoctuaOwn: Math.max(0, (snmp.sum_4 ?? 0) - agentFailed), snmpFailedAgentTimeouts: agentTimeouts, snmpFailedAgentOther: agentFailed - agentTimeouts,
    cpuMsPerDevicePoll: (spanNoctuaCpuS * 1000) / Math.max(1, (snmp.sum_1 ?? 0) + (icmp.sum_1 ?? 0)),
    cpuMsPerSnmpPoll: (spanNoctuaCpuS * 1000) / Math.max(1, snmp.sum_1 ?? 0),
    simulatorCpuMsPerSnmpPoll: (spanSimCpuS * 1000) / Math.max(1, snmp.sum_1 ?? 0),
    // Polls due but neither completed nor failed at the cut are in flight (or in a group of the last tick that the stop
    // cancelled): at most what a second and a typical poll hold; more would be a backlog.
    snmpInFlightAllowance: ratePerS * (1 + percentile(steadyDurations, 50) / 1000) + sliceSize, snmpIntervalMs: snmpMs,
    snmpQueueLagMaxMs: snmp.max ?? 0, icmpCycleP50Ms: percentile(icmpCycles, 50), icmpCycleP99Ms: percentile(icmpCycles, 99), exitCode: code,
  };
  ctx.facts[`fleet ${total}`] = Object.fromEntries(Object.entries(whole).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
  ctx.rows.push({
    section: 'fleet', case: label, contender: 'noctua start', summary,
    show: [{ key: 'cores', label: 'CPU cores', digits: 3 }, { key: 'pointsPerS', label: 'points/s', digits: 0 }],
    note: `per ${windowS} s window (the first holds start-up and every device's identification); over ${Math.round(spanS)} s: SNMP polls completed ${whole.snmpCompleted}/${whole.snmpDue} due (${whole.snmpFailed} failed: ${whole.snmpFailedNoctuaOwn} Noctua's own, waited for a slot; ${whole.snmpFailedAgentTimeouts} agent timeouts; ${whole.snmpFailedAgentOther} other agent errors), overruns ${whole.snmpOverruns}; ICMP ${whole.icmpCompleted}/${whole.icmpDue}, overruns ${whole.icmpOverruns}; SNMP latency p50 ${round(whole.snmpLatencyP50Ms)} ms p99 ${round(whole.snmpLatencyP99Ms)} ms (after the first interval ${round(whole.steadySnmpLatencyP50Ms)} / ${round(whole.steadySnmpLatencyP99Ms)} ms); ICMP cycle p50 ${round(whole.icmpCycleP50Ms)} ms p99 ${round(whole.icmpCycleP99Ms)} ms; average ${round(whole.noctuaCores)} cores (${round(whole.steadyCores)} after the first window), peak RSS ${Math.round(peakRss)} MiB; Noctua CPU ${round(whole.cpuMsPerDevicePoll)} ms per device-poll (SNMP + ICMP), ${round(whole.cpuMsPerSnmpPoll)} ms per SNMP poll; simulators ${round(whole.simulatorCores)} cores, ${round(whole.simulatorCpuMsPerSnmpPoll)} ms per SNMP poll`,
  });
  ctx.rows.push({
    section: 'fleet', case: label, contender: `simulators (${processes} snmpd, 1 snmpsimd) and influxd, apart`, summary: summarize(windows.map((w) => ({ wallS: w.wallS, cpuS: (w.extra!.simCores! + w.extra!.influxCores!) * w.wallS, peakRssMiB: NaN, extra: w.extra }))),
    show: [{ key: 'simCores', label: 'simulator cores', digits: 3 }, { key: 'influxCores', label: 'influxd cores', digits: 3 }],
  });
  // Not a measurement: what the measured cost per device says a full core would carry at this interval.
  const perDeviceCores = whole.steadyCores / devices.length;
  ctx.facts[`fleet ${total} extrapolation (not measured)`] = `steady ${round(whole.steadyCores)} cores for ${devices.length} devices → about ${Math.round(1 / perDeviceCores).toLocaleString('en-US')} devices per Noctua core at SNMP ${snmpMs / 1000} s / ICMP ${icmpMs / 1000} s, if the agents keep up`;
  return meetsInterval(whole);
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : x;
}
