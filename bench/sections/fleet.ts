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

/** The snmpsim slice's addresses: 127.61.x.y, one per device. */
function sliceAddress(i: number): string {
  return `127.61.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** Points influxd has accepted so far (its /debug/vars write statistics). */
async function influxPointsWritten(url: string): Promise<number> {
  const vars = await (await fetch(`${url}/debug/vars`)).json() as Record<string, { name?: string; values?: Record<string, number> }>;
  return Object.values(vars).filter((v) => v?.name === 'write').reduce((s, v) => s + (v.values?.pointReq ?? 0), 0);
}

/** What one snmpd process costs per full-profile device-poll, measured with Noctua's poller before sizing the fleet. */
async function snmpdCapacity(ctx: BenchContext, devices: number): Promise<{ agentCpuMsPerPoll: number; noctuaCpuMsPerPoll: number; pollsPerS: number; varbindsPerPoll: number }> {
  const fleet = await startSnmpdFleet(ctx.dir('fleet-capacity'), 1, devices);
  try {
    const poller = createSnmpPoller();
    const devs = fleet.agents.map((a, i) => snmpdDevice(`cap-${i}`, a));
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
    return { agentCpuMsPerPoll: (agentCpu * 1000) / n, noctuaCpuMsPerPoll: (f.cpuS * 1000) / n, pollsPerS: n / f.wallS, varbindsPerPoll: varbinds / n };
  } finally {
    await fleet.stop();
  }
}

function snmpdDevice(name: string, a: FleetAgent): Device {
  return {
    name, address: a.address, class: 'server', site: 'bench', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community: a.community, port: a.port, timeoutMs: 2000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 21_600_000 },
  };
}

interface Tick { t: number; noctuaCpu: number; noctuaRss: number; simCpu: number; influxCpu: number; points: number }

/**
 * Section 3: a fleet run by `noctua start` (a process of its own) with InfluxDB writing and the example alert
 * rules evaluating: mostly Debian snmpd agents plus a slice of snmpsim recordings, every device also pinged.
 */
export async function fleetSection(ctx: BenchContext): Promise<void> {
  const snmpMs = ctx.quick ? 15_000 : 60_000;
  const icmpMs = ctx.quick ? 10_000 : 30_000;
  ctx.say('fleet: measuring one snmpd process\'s capacity');
  const cap = await snmpdCapacity(ctx, ctx.quick ? 20 : 50);
  // The issue's fleet for 5 minutes, then one larger fleet for three SNMP intervals: does it still meet the interval?
  const runs = ctx.fleet?.map((f) => ({ total: f.devices, slice: Math.min(ctx.quick ? 8 : 100, Math.floor(f.devices / 10)), runS: f.seconds }))
    ?? (ctx.quick ? [{ total: 200, slice: 8, runS: 20 }] : [{ total: 2000, slice: 100, runS: 300 }, { total: 5000, slice: 100, runS: 180 }]);
  for (const r of runs) {
    const stops: (() => Promise<void>)[] = [];
    try {
      await runFleet(ctx, cap, { ...r, snmpMs, icmpMs }, (fn) => { stops.push(fn); });
    } finally {
      // Stop this fleet's agents, influxd and Noctua before a larger one starts: they share the same two cores.
      for (const fn of stops.reverse()) { try { await fn(); } catch { /* reported by the supervisor */ } }
    }
  }
}

/** One fleet run: agents sized from the measured capacity, `noctua start` over them for `runS` seconds. */
async function runFleet(ctx: BenchContext, cap: Awaited<ReturnType<typeof snmpdCapacity>>, o: { total: number; slice: number; runS: number; snmpMs: number; icmpMs: number }, onStop: (fn: () => Promise<void>) => void): Promise<void> {
  const { total, runS, snmpMs, icmpMs } = o;
  const sliceSize = o.slice;
  const dir = ctx.dir(`fleet-${total}`);
  const snmpdDevices = total - sliceSize;
  const ratePerS = snmpdDevices / (snmpMs / 1000);
  // Each snmpd is one thread: keep every process under 40 % of a core at the fleet's poll rate, and at most 250 addresses each.
  const processes = Math.max(Math.ceil(snmpdDevices / 250), Math.ceil((ratePerS * cap.agentCpuMsPerPoll) / 1000 / 0.4), 2);
  const perProcess = Math.ceil(snmpdDevices / processes);
  ctx.facts[`fleet ${total} snmpd sizing`] = {
    agentCpuMsPerPoll: round(cap.agentCpuMsPerPoll), maxPollsPerSPerProcess: round(1000 / cap.agentCpuMsPerPoll), measuredPollsPerS: round(cap.pollsPerS),
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
    t: performance.now() / 1000, noctuaCpu: procCpuSeconds(pid), noctuaRss: procRssMiB(pid),
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
    snmpQueueLagMaxMs: snmp.max ?? 0, icmpCycleP50Ms: percentile(icmpCycles, 50), icmpCycleP99Ms: percentile(icmpCycles, 99), exitCode: code,
  };
  ctx.facts[`fleet ${total}`] = Object.fromEntries(Object.entries(whole).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
  ctx.rows.push({
    section: 'fleet', case: label, contender: 'noctua start', summary,
    show: [{ key: 'cores', label: 'CPU cores', digits: 3 }, { key: 'pointsPerS', label: 'points/s', digits: 0 }],
    note: `per ${windowS} s window (the first holds start-up and every device's identification); over ${Math.round(spanS)} s: SNMP polls completed ${whole.snmpCompleted}/${whole.snmpDue} due (${whole.snmpFailed} failed), overruns ${whole.snmpOverruns}; ICMP ${whole.icmpCompleted}/${whole.icmpDue}, overruns ${whole.icmpOverruns}; SNMP latency p50 ${round(whole.snmpLatencyP50Ms)} ms p99 ${round(whole.snmpLatencyP99Ms)} ms (after the first interval ${round(whole.steadySnmpLatencyP50Ms)} / ${round(whole.steadySnmpLatencyP99Ms)} ms); ICMP cycle p50 ${round(whole.icmpCycleP50Ms)} ms p99 ${round(whole.icmpCycleP99Ms)} ms; average ${round(whole.noctuaCores)} cores (${round(whole.steadyCores)} after the first window), peak RSS ${Math.round(peakRss)} MiB`,
  });
  ctx.rows.push({
    section: 'fleet', case: label, contender: `simulators (${processes} snmpd, 1 snmpsimd) and influxd, apart`, summary: summarize(windows.map((w) => ({ wallS: w.wallS, cpuS: (w.extra!.simCores! + w.extra!.influxCores!) * w.wallS, peakRssMiB: NaN, extra: w.extra }))),
    show: [{ key: 'simCores', label: 'simulator cores', digits: 3 }, { key: 'influxCores', label: 'influxd cores', digits: 3 }],
  });
  // Not a measurement: what the measured cost per device says a full core would carry at this interval.
  const perDeviceCores = whole.steadyCores / devices.length;
  ctx.facts[`fleet ${total} extrapolation (not measured)`] = `steady ${round(whole.steadyCores)} cores for ${devices.length} devices → about ${Math.round(1 / perDeviceCores).toLocaleString('en-US')} devices per Noctua core at SNMP ${snmpMs / 1000} s / ICMP ${icmpMs / 1000} s, if the agents keep up`;
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : x;
}
