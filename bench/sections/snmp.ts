import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '../../src/config/inventory-schema.js';
import type { Sample } from '../../src/core/sample.js';
import { labAddress, readFixtures } from '../../src/lab/inventory.js';
import { fixturesDir } from '../../src/lab/paths.js';
import { startSnmpd } from '../../src/lab/snmpd.js';
import { startSnmpsim } from '../../src/lab/snmpsim.js';
import { createSnmpPoller, type SnmpPoller } from '../../src/pollers/snmp/index.js';
import type { BenchContext } from '../context.js';
import { measureCommand, measureInProcess, repeatInterleaved, treeCpuSeconds, type RunFigures } from '../measure.js';
import { startSnmpExporter } from '../peers/snmp-exporter.js';
import { askedKey, recordingSessions, tablesOf } from '../sims/recorded-session.js';

/** A device polled over v2c with the same settings the peers get (25 repetitions, 2 s timeout, 1 retry). */
function snmpDevice(name: string, address: string, port: number, community: string): Device {
  return {
    name, address, class: 'other', site: 'bench', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community, port, timeoutMs: 2000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

/** Runs `work` over every item with at most `limit` at a time. */
export async function withConcurrency<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** `passes` passes of `work` over every device, one pass after the other (a device is never polled twice at once). */
async function inPasses<T>(devices: readonly T[], passes: number, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let p = 0; p < passes; p++) await withConcurrency(devices, concurrency, work);
}

/** `passes` rounds of polls of every device; figures per device-poll, Noctua's CPU apart from the agents'. */
async function pollRound(poller: SnmpPoller, devices: Device[], concurrency: number, agents: number[], passes = 1): Promise<RunFigures> {
  const a0 = treeCpuSeconds(agents);
  let varbinds = 0, ok = 0;
  const f = await measureInProcess(async () => {
    await inPasses(devices, passes, concurrency, async (d) => {
      const r = await poller.poll(d, AbortSignal.timeout(30_000));
      const s = r.samples.find((x: Sample) => x.measurement === 'snmp_poll');
      varbinds += Number(s?.fields.varbinds ?? 0);
      if (s?.fields.ok === true) ok++;
    });
  }, { children: false });
  const agentCpu = treeCpuSeconds(agents) - a0;
  const n = devices.length * passes;
  return { ...f, extra: { pollsPerS: n / f.wallS, cpuMsPerPoll: (f.cpuS * 1000) / n, agentCpuMsPerPoll: (agentCpu * 1000) / n, varbindsPerPoll: varbinds / n, okPolls: ok, pollsPerCpuS: n / f.cpuS } };
}

/** Section 2: full-profile device-polls of every recording and a Debian snmpd, against snmpbulkwalk and snmp_exporter's if_mib. */
export async function snmpSection(ctx: BenchContext): Promise<void> {
  const fixtures = fixturesDir();
  const all = readFixtures(fixtures);
  const facts = ctx.quick ? all.slice(0, 3) : all;
  const dir = ctx.dir('snmp');
  // snmpsimd serves a directory: the quick run links a few recordings into its own (indexing all of them takes a while).
  const data = join(dir, 'snmprec');
  mkdirSync(data, { recursive: true });
  for (const f of facts) symlinkSync(join(fixtures, 'snmprec', `${f.community}.snmprec`), join(data, `${f.community}.snmprec`));
  ctx.say(`snmp: starting snmpsimd (${facts.length} recordings) and snmpd`);
  const sim = await startSnmpsim({ dataDir: data, workDir: dir, probeCommunity: facts[0]!.community, addresses: facts.map((_, i) => labAddress(i)) });
  ctx.onCleanup(() => sim.stop());
  const snmpd = await startSnmpd({ dir: join(dir, 'snmpd'), community: 'bench-snmpd', sysName: 'bench-snmpd' });
  ctx.onCleanup(() => snmpd.stop());
  const agents = [sim.process.pid, snmpd.process.pid];
  const devices = [
    ...facts.map((f, i) => snmpDevice(f.community, labAddress(i), sim.port, f.community)),
    snmpDevice('debian-snmpd', snmpd.host, snmpd.port, snmpd.community),
  ];
  const n = devices.length;

  const rec = recordingSessions();
  const full = createSnmpPoller({ openSession: rec.open });
  // IF-MIB part only: no profiles at all leaves identification plus the interface tables (IF-MIB is in code).
  const ifOnly = createSnmpPoller({ profiles: [] });
  ctx.onCleanup(async () => { await full.close(); await ifOnly.close(); });
  // Warm-up: the first poll identifies the device (extra requests); the second is a steady-state poll, recorded for the peer.
  for (const d of devices) { await full.poll(d, AbortSignal.timeout(30_000)); await ifOnly.poll(d, AbortSignal.timeout(30_000)); }
  rec.reset();
  for (const d of devices) await full.poll(d, AbortSignal.timeout(30_000));

  // The Net-SNMP peer: per device one snmpget of the scalars and one snmpbulkwalk per table Noctua walked.
  const scripts = join(dir, 'netsnmp');
  mkdirSync(scripts, { recursive: true });
  let walks = 0;
  devices.forEach((d, i) => {
    const s = d.snmp as Exclude<Device['snmp'], false>;
    const asked = rec.asked.get(askedKey(d.address, s.port, s.community));
    if (!asked) throw new Error(`snmp: no recorded poll for ${d.name}`);
    const common = `-v2c -c '${s.community}' -t 2 -r 1 -On -m '' ${d.address}:${s.port}`;
    const lines = ['#!/bin/sh', 'export MIBS='];
    const gets = [...asked.gets];
    for (let g = 0; g < gets.length; g += 50) lines.push(`snmpget ${common} ${gets.slice(g, g + 50).join(' ')}`);
    for (const t of tablesOf(asked.walks)) { lines.push(`snmpbulkwalk -Cr25 ${common} ${t}`); walks++; }
    writeFileSync(join(scripts, `dev-${String(i).padStart(3, '0')}.sh`), lines.join('\n') + '\n');
  });
  ctx.facts['snmp peer'] = `snmpbulkwalk -Cr25 of every table Noctua walked (whole tables: a superset of its columns), snmpget of its scalars; ${walks} walks over ${n} devices`;
  const netsnmp = async (concurrency: number): Promise<RunFigures> => {
    const a0 = treeCpuSeconds(agents);
    const r = await measureCommand('sh', ['-c', `ls ${scripts}/*.sh | xargs -P ${concurrency} -n 1 sh | grep -c '^\\.'`], { timeoutMs: 300_000 });
    const agentCpu = treeCpuSeconds(agents) - a0;
    const varbinds = Number(r.stdout.trim());
    return { wallS: r.wallS, cpuS: r.cpuS, peakRssMiB: r.peakRssMiB, extra: { pollsPerS: n / r.wallS, cpuMsPerPoll: (r.cpuS * 1000) / n, agentCpuMsPerPoll: (agentCpu * 1000) / n, varbindsPerPoll: varbinds / n, pollsPerCpuS: n / r.cpuS } };
  };

  const show = [
    { key: 'pollsPerS', label: 'device-polls/s', digits: 1 }, { key: 'cpuMsPerPoll', label: 'CPU ms/poll', digits: 2 },
    { key: 'agentCpuMsPerPoll', label: 'agent CPU ms/poll', digits: 2 }, { key: 'varbindsPerPoll', label: 'varbinds/poll', digits: 0 },
  ];
  for (const concurrency of [1, 16]) {
    const label = `full profile, ${n} devices, ${concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`}`;
    ctx.say(`snmp: ${label}`);
    const res = await repeatInterleaved(ctx.repeats, [
      { name: 'noctua', run: () => pollRound(full, devices, concurrency, agents) },
      { name: 'snmpbulkwalk', run: () => netsnmp(concurrency) },
    ]);
    for (const [name, summary] of res) ctx.rows.push({ section: 'snmp', case: label, contender: name, ...(name === 'noctua' ? { peer: 'snmpbulkwalk' } : {}), summary, show });
  }

  ctx.say('snmp: starting prometheus-snmp-exporter');
  const exporter = await startSnmpExporter(join(dir, 'exporter'), devices.map((d) => (d.snmp as { community: string }).community));
  ctx.onCleanup(() => exporter.stop());
  // The IF-MIB comparison is a CPU ratio: one pass is 23 polls of a few ms each, so both contenders make several
  // passes per run (the exporter's CPU comes from /proc in 10 ms ticks), each device once per pass.
  const passes = ctx.quick ? 2 : 10;
  const scrapeRound = async (concurrency: number): Promise<RunFigures> => {
    const a0 = treeCpuSeconds(agents), e0 = treeCpuSeconds([exporter.pid]);
    const t0 = performance.now();
    let samples = 0;
    await inPasses(devices, passes, concurrency, async (d) => {
      const s = d.snmp as Exclude<Device['snmp'], false>;
      const text = await exporter.scrape(`${d.address}:${s.port}`, s.community);
      samples += text.split('\n').filter((l) => l.startsWith('if')).length;
    });
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = treeCpuSeconds([exporter.pid]) - e0;
    const agentCpu = treeCpuSeconds(agents) - a0;
    const rss = Number(/VmHWM:\s+(\d+)/.exec((await import('node:fs')).readFileSync(`/proc/${exporter.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const polls = devices.length * passes;
    return { wallS, cpuS, peakRssMiB: rss, extra: { pollsPerS: polls / wallS, cpuMsPerPoll: (cpuS * 1000) / polls, agentCpuMsPerPoll: (agentCpu * 1000) / polls, pollsPerCpuS: polls / cpuS, metricsPerPoll: samples / polls } };
  };
  for (const d of devices) { const s = d.snmp as Exclude<Device['snmp'], false>; await exporter.scrape(`${d.address}:${s.port}`, s.community); }
  const ifShow = [{ key: 'pollsPerCpuS', label: 'device-polls per CPU s', digits: 0 }, ...show.slice(0, 3), { key: 'varbindsPerPoll', label: 'varbinds/poll', digits: 0 }];
  for (const concurrency of [1, 16]) {
    const label = `IF-MIB part, ${n} devices × ${passes} passes, ${concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`}`;
    ctx.say(`snmp: ${label}`);
    const res = await repeatInterleaved(ctx.repeats, [
      { name: 'noctua (no profiles)', run: () => pollRound(ifOnly, devices, concurrency, agents, passes) },
      { name: 'snmp_exporter if_mib', run: () => scrapeRound(concurrency) },
    ]);
    for (const [name, summary] of res) ctx.rows.push({ section: 'snmp', case: label, contender: name, ...(name.startsWith('noctua') ? { peer: 'snmp_exporter if_mib' } : {}), summary, show: ifShow });
  }
  ctx.facts['snmp_exporter'] = 'prometheus-snmp-exporter 0.21 with a hand-written if_mib module per community (Debian ships no usable snmp.yml); its CPU and VmHWM are the exporter process\'s';
}
