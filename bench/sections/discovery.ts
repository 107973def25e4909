import { join } from 'node:path';
import { discoverySectionSchema, type DiscoverySection } from '../../src/config/sections/discovery.js';
import { discoveryProfiles, runDiscovery } from '../../src/discovery/index.js';
import { expandTargets, parseRanges } from '../../src/discovery/ranges.js';
import { sweepArgs } from '../../src/discovery/sweep.js';
import { repoRoot } from '../../src/lab/paths.js';
import type { BenchContext } from '../context.js';
import { measureCommand, measureInProcess, repeatInterleaved, treeCpuSeconds, type RunFigures } from '../measure.js';
import { peerOutcome, peerScript } from '../peers/fping-snmpget.js';
import { startNetnsLan, type LanPlan, type NetnsLan } from '../sims/netns-lan.js';
import { wrapperWallS } from './icmp.js';

const COMMUNITY = 'bench';

/**
 * Where this run's LAN lives, from the bench's pid so that two runs do not share addresses: the swept CIDR in
 * 10.213.0.0–247.255, the transit /30 in 10.213.250.x and the router's bridge address in 10.213.251.x (outside the
 * CIDR, so every address that answers in the CIDR is an agent).
 */
export function lanPlan(pid: number, quick: boolean): LanPlan {
  return {
    cidr: quick ? `10.213.${240 + (pid % 8)}.${64 * ((pid >> 3) % 4)}/26` : `10.213.${4 * (pid % 60)}.0/22`,
    transit: `10.213.250.${4 * (pid % 60)}/30`,
    gateway: `10.213.251.${1 + (pid % 250)}`,
  };
}

/**
 * The highest rate between any two (ms, cumulative count) samples at least `windowMs` apart (the shortest such span
 * from each sample back): a burst shorter than the window is averaged over it, never scaled up to a rate.
 */
export function peakRate(samples: readonly (readonly [number, number])[], windowMs = 1000): number {
  let peak = 0;
  for (let i = 0, j = -1; i < samples.length; i++) {
    while (j + 1 < i && samples[i]![0] - samples[j + 1]![0] >= windowMs) j++;
    if (j < 0) continue;
    const span = samples[i]![0] - samples[j]![0];
    peak = Math.max(peak, ((samples[i]![1] - samples[j]![1]) * 1000) / span);
  }
  return peak;
}

/**
 * The packet counters around one run: everything sent toward the LAN, the UDP that reached the agents, and the
 * highest rate over any 1 s (the transit counter read every 100 ms; about 4 ms of the bench's CPU per run).
 */
function packetCounter(lan: NetnsLan) {
  const tx0 = lan.txPackets(), udp0 = lan.agentUdpIn(), agentCpu0 = treeCpuSeconds(lan.snmpd.map((p) => p.pid));
  const samples: [number, number][] = [[performance.now(), tx0]];
  const sampler = setInterval(() => samples.push([performance.now(), lan.txPackets()]), 100);
  return (echoes: number) => {
    clearInterval(sampler);
    const tx = lan.txPackets();
    samples.push([performance.now(), tx]);
    const packets = tx - tx0, snmp = lan.agentUdpIn() - udp0;
    // What is neither an echo nor SNMP: ARP between the root namespace and the router, a few per run.
    return {
      packets, echoes, snmpPackets: snmp, otherPackets: packets - echoes - snmp, peakPps: peakRate(samples),
      agentCpuS: treeCpuSeconds(lan.snmpd.map((p) => p.pid)) - agentCpu0,
    };
  };
}

/** Noctua's whole discovery run (sweep, SNMP probes, identification) in this process. */
function noctuaContender(lan: NetnsLan, settings: DiscoverySection, ctx: BenchContext) {
  const profiles = discoveryProfiles(join(repoRoot, 'config'));
  return async (i: number): Promise<RunFigures> => {
    let extra: Record<string, number> = {};
    const count = packetCounter(lan);
    // children: false keeps the snmpd agents' memory out of the figure; fping's CPU still counts once reaped.
    const f = await measureInProcess(async () => {
      const r = await runDiscovery({ settings, profiles, inventory: [] }, AbortSignal.timeout(300_000));
      extra = { found: r.proposed.length, alive: r.alive, sweepS: r.sweepMs / 1000, probeS: r.probeMs / 1000, snmpTokens: r.snmpPackets, echoesSent: r.echoesSent };
    }, { children: false });
    const { echoesSent, ...rest } = extra;
    const c = count(echoesSent ?? NaN);
    noteShortfall(ctx, 'noctua', i, rest.found ?? 0, lan.agents.length);
    return { ...f, extra: { ...rest, ...c } };
  };
}

/** The peer script (sequential or `xargs -P`), as its own process tree. */
function peerContender(lan: NetnsLan, settings: DiscoverySection, parallel: number, ctx: BenchContext) {
  const script = peerScript({ fpingArgs: sweepArgs(settings), cidr: lan.cidr, community: COMMUNITY, parallel });
  return async (i: number): Promise<RunFigures> => {
    const count = packetCounter(lan);
    const r = await measureCommand('sh', ['-c', script], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`peer script failed (exit ${r.code}): ${r.stderr.slice(-300)}`);
    const { found, echoes } = peerOutcome(r.stdout, r.stderr);
    noteShortfall(ctx, `peer -P ${parallel}`, i, found, lan.agents.length);
    return { wallS: r.wallS, cpuS: r.cpuS, peakRssMiB: r.peakRssMiB, extra: { found, ...count(echoes) } };
  };
}

/** A run that missed agents is kept (the figures show it) and said out loud; one that found none is a failure. */
function noteShortfall(ctx: BenchContext, who: string, run: number, found: number, want: number): void {
  if (found === 0) throw new Error(`${who} found none of the ${want} agents`);
  if (found !== want) {
    ctx.facts[`discovery: ${who} run ${run + 1} found ${found} of ${want} agents`] = true;
    ctx.say(`discovery: ${who} run ${run + 1} found ${found} of ${want} agents`);
  }
}

/**
 * Section: discovery of a LAN in network namespaces (bench/sims/netns-lan.ts): a /22 (1,022 addresses) of which 250
 * are held by 10 snmpd agents (25 addresses each), the rest silent. Noctua's `runDiscovery` from the root namespace
 * with the shipped settings (rate 200 packets/s, 32 probes at a time, 1 s timeout, 1 retry) against the script an
 * admin would write: `fping -g` with the same pacing piped into `snmpget` per answering address, sequential (the
 * peer) and `xargs -P 32`. Packets are counted on the wire: the transit veth's tx counter (everything sent), fping's
 * own echo count, and the UDP that reached the agents' namespaces. Quick mode: a /26 with 2 × 8 agents.
 */
export async function discoverySection(ctx: BenchContext): Promise<void> {
  const namespaces = ctx.quick ? 2 : 10, perNamespace = ctx.quick ? 8 : 25;
  const plan = lanPlan(process.pid, ctx.quick);
  ctx.say(`discovery: building ${plan.cidr} in namespaces nbench-${process.pid}-*, ${namespaces} snmpd × ${perNamespace} addresses`);
  const lan = await startNetnsLan({ ...plan, dir: ctx.dir('discovery'), tag: process.pid, namespaces, perNamespace, community: COMMUNITY, onCleanup: (fn) => ctx.onCleanup(fn) });
  const settings = discoverySectionSchema.parse({ ranges: [plan.cidr], credentials: [{ name: COMMUNITY, version: '2c', community: COMMUNITY }] });
  const n = expandTargets(parseRanges([plan.cidr], 'range'), []).length;
  const label = `${plan.cidr.replace(/^.*\//, '/')} (${n.toLocaleString('en-US')} addresses, ${lan.agents.length} snmpd addresses in ${namespaces} namespaces)`;
  const peer = 'fping -g + snmpget loop (sequential)';
  const parallelPeer = 'fping -g + xargs -P 32 snmpget';
  const noctua = `noctua discover (shipped: rate ${settings.rate}/s, concurrency ${settings.concurrency})`;
  const wrapperS = await wrapperWallS();
  ctx.facts[`discovery ${label}: measureCommand wrapper start-up s (in the peers' wall)`] = Number(wrapperS.toFixed(3));
  ctx.say(`discovery: ${label}, ${ctx.repeats} runs each`);
  const res = await repeatInterleaved(ctx.repeats, [
    { name: noctua, run: noctuaContender(lan, settings, ctx) },
    { name: peer, run: peerContender(lan, settings, 1, ctx) },
    { name: parallelPeer, run: peerContender(lan, settings, 32, ctx) },
  ]);
  const show = [
    { key: 'found', label: 'devices found', digits: 0 },
    { key: 'alive', label: 'answered ping', digits: 0 },
    { key: 'packets', label: 'packets sent', digits: 0 },
    { key: 'echoes', label: 'ICMP echoes', digits: 0 },
    { key: 'snmpPackets', label: 'SNMP packets', digits: 0 },
    { key: 'otherPackets', label: 'other (ARP)', digits: 0 },
    { key: 'peakPps', label: 'peak packets/s (1 s)', digits: 0 },
    { key: 'snmpTokens', label: 'pacer SNMP tokens', digits: 0 },
    { key: 'sweepS', label: 'sweep s', digits: 2 },
    { key: 'probeS', label: 'SNMP probe s', digits: 2 },
    { key: 'agentCpuS', label: 'agent CPU s', digits: 2 },
  ];
  for (const [name, summary] of res) {
    ctx.rows.push({ section: 'discovery', case: label, contender: name, ...(name === noctua || name === parallelPeer ? { peer } : {}), summary, show });
  }
  const a = res.get(noctua)!.median, p = res.get(parallelPeer)!.median;
  ctx.facts[`discovery ${label}: noctua vs xargs -P 32, × wall / × CPU / × packets`] = [a.wallS / p.wallS, a.cpuS / p.cpuS, (a.extra?.packets ?? NaN) / (p.extra?.packets ?? NaN)].map((x) => Number(x.toFixed(2)));
  ctx.facts[`discovery ${label}: settings`] = `Noctua: one v2c credential, the shipped concurrency ${settings.concurrency}, rate ${settings.rate} packets/s, timeout ${settings.timeoutMs} ms, ${settings.retries} retry; peers: fping ${sweepArgs(settings).join(' ')} -g, snmpget -t 1 -r 1 of sysDescr, sysObjectID, sysName`;
}
