import { ipv4ToNumber, siteOf, type DiscoverySection } from '../config/sections/discovery.js';
import { setMaxListeners } from 'node:events';
import type { Profile } from '../pollers/snmp/profile.js';
import { deviceName, sortAgainstInventory, type KnownDevice, type Sorted } from './dedupe.js';
import { Pacer } from './pacer.js';
import { probeHost, type ProbeOptions, type ProbeOutcome } from './probe.js';
import { expandTargets, inRanges, parseRanges } from './ranges.js';
import { icmpSweep } from './sweep.js';

/** A management address an LLDP/CDP neighbour announced, with who saw it: a seed when it is not in the inventory. */
export interface DiscoverySeed { address: string; seenBy: string }

/** One discovery run's input. */
export interface DiscoveryRequest {
  settings: DiscoverySection;
  /** Ranges to sweep; the settings' own when absent. */
  ranges?: readonly string[];
  /** Management addresses of the topology's unmanaged neighbours: followed (at depth 1) only with `follow`. */
  seeds?: readonly DiscoverySeed[];
  /** Follow LLDP/CDP neighbours this many hops out (1–3); absent: the ranges only. */
  follow?: { depth: number };
  inventory: readonly KnownDevice[];
  profiles: readonly Profile[];
  /** The fping binary (tests name another). */
  fping?: string;
  open?: ProbeOptions['open'];
  /** Progress lines for a person watching (the CLI's stderr). */
  progress?: (line: string) => void;
  /** The same progress as counts, for the API's job status (called as hosts answer and probes end). */
  onCounts?: (counts: DiscoveryProgress) => void;
}

/** How far a run in progress has come: its round (0: the ranges; k: k hops out along neighbours) and counts so far. */
export interface DiscoveryProgress {
  round: number;
  /** Addresses this round sweeps, and in earlier rounds. */
  addresses: number;
  /** Hosts that answered ping so far (every round). */
  answered: number;
  /** Hosts whose SNMP probe has ended, answered or not (every round). */
  probed: number;
}

/** What a run found, and what it cost. */
export interface DiscoveryResult extends Sorted {
  startedAt: string;
  finishedAt: string;
  ranges: string[];
  exclude: string[];
  /** Addresses the sweep sent to (excluded ones left out). */
  swept: number;
  alive: number;
  echoesSent: number;
  /** SNMP packets the probes let out (each request and its retries). */
  snmpPackets: number;
  /** Addresses reached by following neighbours (each with who announced it). */
  followed: FollowedAddress[];
  /** Credential name -> hosts it opened (never the secret). */
  credentialsUsed: Record<string, number>;
  sweepMs: number;
  /** From the first probe's start to the last one's end (probes start while the sweep runs). */
  probeMs: number;
}

/**
 * Runs `fn` on items pushed while it runs, at most `limit` at a time: `push` queues one, `done` resolves with every
 * result once `close` was called and the queue ran dry (the first failure rejects it).
 */
function streamingPool<T, R>(limit: number, fn: (item: T) => Promise<R>) {
  const queue: T[] = [];
  const results: R[] = [];
  let running = 0, closed = false, failed = false;
  let settle!: { resolve: (r: R[]) => void; reject: (e: unknown) => void };
  const done = new Promise<R[]>((resolve, reject) => { settle = { resolve, reject }; });
  const pump = (): void => {
    while (!failed && running < limit && queue.length > 0) {
      const item = queue.shift()!;
      running++;
      fn(item).then((r) => { results.push(r); running--; pump(); }, (err: unknown) => { failed = true; settle.reject(err); });
    }
    if (!failed && closed && running === 0 && queue.length === 0) settle.resolve(results);
  };
  return {
    push(item: T) { queue.push(item); pump(); },
    close() { closed = true; pump(); },
    done,
  };
}

/** Most addresses following neighbours may add to one run: a bound on how far a run spreads. */
export const MAX_FOLLOWED = 1024;

/** An address reached by following LLDP/CDP neighbours: who announced it, how many hops out, and whether it is outside the ranges. */
export interface FollowedAddress { address: string; seenBy: string; depth: number; outsideRanges: boolean }

/** One round's sweep and probes: the outcomes and what they cost. */
interface RoundCost { swept: number; alive: number; echoesSent: number; sweepMs: number; probeMs: number }

/**
 * Sweeps one round's targets and probes each host as it answers ping, while the sweep goes on (reading its
 * neighbours when asked): the echoes and the probes take their packets from the one pacer in `opts`.
 */
async function sweepAndProbe(req: DiscoveryRequest, targets: readonly string[], opts: ProbeOptions, signal: AbortSignal, counts: DiscoveryProgress): Promise<{ outcomes: ProbeOutcome[]; cost: RoundCost }> {
  const s = req.settings;
  let p0: number | undefined, p1 = performance.now();
  const probes = streamingPool(s.concurrency, async (a: string) => {
    p0 ??= performance.now();
    try { return await probeHost(a, opts, signal); } finally {
      p1 = performance.now();
      counts.probed++;
      req.onCounts?.({ ...counts });
    }
  });
  // A failed sweep leaves probes in flight: they end with the run's signal, never unobserved.
  probes.done.catch(() => undefined);
  const sweep = await icmpSweep(targets, { rate: s.rate, timeoutMs: s.timeoutMs, retries: s.retries, binary: req.fping, pacer: opts.pacer }, signal, (a) => {
    counts.answered++;
    req.onCounts?.({ ...counts });
    probes.push(a);
  });
  req.progress?.(`${sweep.alive.length} answered ping in ${(sweep.wallMs / 1000).toFixed(1)} s (probed with SNMP as they answered: ${s.credentials.length} credential(s), ${s.concurrency} at a time)`);
  probes.close();
  const order = new Map(targets.map((t, i) => [t, i]));
  const outcomes = (await probes.done).sort((x, y) => order.get(x.address)! - order.get(y.address)!);
  return { outcomes, cost: { swept: targets.length, alive: sweep.alive.length, echoesSent: sweep.echoesSent, sweepMs: sweep.wallMs, probeMs: p0 === undefined ? 0 : p1 - p0 } };
}

/**
 * One discovery run: the ICMP sweep of the ranges (fping, paced), an SNMP probe of each host as it answers
 * (credentials in order, bounded concurrency, one packet rate shared with the sweep), identification, and the outcome sorted
 * against the inventory. With `follow`, round k+1 sweeps and probes the management addresses the LLDP/CDP
 * neighbours of round k's devices announce (and the seeds, at depth 1), up to `follow.depth` rounds. Excluded
 * addresses are never sent a packet, followed ones included.
 */
export async function runDiscovery(req: DiscoveryRequest, signal: AbortSignal): Promise<DiscoveryResult> {
  const s = req.settings;
  // Every probe in flight listens for the run's abort.
  setMaxListeners(s.concurrency * 2 + 10, signal);
  const startedAt = new Date().toISOString();
  const rangeTexts = [...(req.ranges ?? s.ranges)];
  const ranges = parseRanges(rangeTexts, 'range');
  const exclude = parseRanges(s.exclude, 'exclude', false);
  let targets = expandTargets(ranges, exclude);
  const depth = req.follow?.depth ?? 0;
  const queued = new Set(targets);
  const followed: FollowedAddress[] = [];
  const follow = (address: string, seenBy: string, hops: number): boolean => {
    if (queued.has(address) || ipv4ToNumber(address) === undefined || inRanges(address, exclude) || followed.length >= MAX_FOLLOWED) return false;
    queued.add(address);
    followed.push({ address, seenBy, depth: hops, outsideRanges: !inRanges(address, ranges) });
    return true;
  };
  // Seeds (the topology's unmanaged neighbours of inventory devices) are one hop out, as neighbours of swept devices are.
  const seeds = depth > 0 ? (req.seeds ?? []).filter((x) => follow(x.address, x.seenBy, 1)).map((x) => x.address) : [];
  const pacer = new Pacer(s.rate);
  const total: RoundCost = { swept: 0, alive: 0, echoesSent: 0, sweepMs: 0, probeMs: 0 };
  const outcomes: ProbeOutcome[] = [];
  const counts: DiscoveryProgress = { round: 0, addresses: 0, answered: 0, probed: 0 };
  for (let round = 0; targets.length > 0; round++) {
    counts.round = round;
    counts.addresses += targets.length;
    req.onCounts?.({ ...counts });
    req.progress?.(round === 0
      ? `sweeping ${targets.length} addresses (${rangeTexts.join(', ') || 'no ranges'}) at most ${s.rate} packets/s`
      : `following LLDP/CDP neighbours, ${round} hop${round === 1 ? '' : 's'} out: sweeping ${targets.length} addresses`);
    const opts: ProbeOptions = { credentials: s.credentials, ports: s.ports, timeoutMs: s.timeoutMs, retries: s.retries, profiles: req.profiles, pacer, open: req.open, neighbours: round < depth };
    const r = await sweepAndProbe(req, targets, opts, signal, counts);
    for (const k of Object.keys(total) as (keyof RoundCost)[]) total[k] += r.cost[k];
    outcomes.push(...r.outcomes);
    if (round >= depth) break;
    targets = round === 0 ? [...seeds] : [];
    for (const o of r.outcomes) {
      for (const n of o.snmp ? o.neighbours ?? [] : []) if (follow(n.address, deviceName(o.snmp!.sysName, o.address), round + 1)) targets.push(n.address);
    }
  }
  const seenBy = new Map(followed.map((f) => [f.address, f]));
  const foundBy = (address: string) => {
    const f = seenBy.get(address);
    if (f) return `LLDP/CDP neighbour of ${f.seenBy}${f.depth > 1 ? ` (${f.depth} hops out)` : ''}`;
    return `ICMP sweep of ${ranges.find((x) => inRanges(address, [x]))?.text ?? address}`;
  };
  const sorted = sortAgainstInventory(outcomes, req.inventory, foundBy);
  for (const d of sorted.proposed) {
    const site = siteOf(d.address, s.sites);
    if (site) d.site = site;
  }
  const credentialsUsed: Record<string, number> = {};
  for (const o of outcomes) if (o.snmp) credentialsUsed[o.snmp.credential] = (credentialsUsed[o.snmp.credential] ?? 0) + 1;
  return {
    ...sorted, startedAt, finishedAt: new Date().toISOString(), ranges: rangeTexts, exclude: [...s.exclude], followed,
    swept: total.swept, alive: total.alive, echoesSent: total.echoesSent, snmpPackets: pacer.sent,
    credentialsUsed, sweepMs: Math.round(total.sweepMs), probeMs: Math.round(total.probeMs),
  };
}
