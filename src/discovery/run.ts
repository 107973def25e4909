import { ipv4ToNumber, type DiscoverySection } from '../config/sections/discovery.js';
import { setMaxListeners } from 'node:events';
import type { Profile } from '../pollers/snmp/profile.js';
import { sortAgainstInventory, type KnownDevice, type Sorted } from './dedupe.js';
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
  seeds?: readonly DiscoverySeed[];
  inventory: readonly KnownDevice[];
  profiles: readonly Profile[];
  /** The fping binary (tests name another). */
  fping?: string;
  open?: ProbeOptions['open'];
  /** Progress lines for a person watching (the CLI's stderr). */
  progress?: (line: string) => void;
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
  /** Credential name -> hosts it opened (never the secret). */
  credentialsUsed: Record<string, number>;
  sweepMs: number;
  probeMs: number;
}

/** Runs `fn` on every item with at most `limit` at a time, results in the items' order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i]!); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * One discovery run: the ICMP sweep of the ranges and seeds (one fping, paced), an SNMP probe of each host
 * that answered (credentials in order, bounded concurrency, the same packet rate), identification, and the
 * outcome sorted against the inventory. Excluded addresses are never sent a packet, seeds included.
 */
export async function runDiscovery(req: DiscoveryRequest, signal: AbortSignal): Promise<DiscoveryResult> {
  const s = req.settings;
  // Every probe in flight listens for the run's abort.
  setMaxListeners(s.concurrency * 2 + 10, signal);
  const startedAt = new Date().toISOString();
  const rangeTexts = [...(req.ranges ?? s.ranges)];
  const ranges = parseRanges(rangeTexts, 'range');
  const exclude = parseRanges(s.exclude, 'exclude', false);
  const targets = expandTargets(ranges, exclude);
  const fromSweep = new Set(targets);
  const seedBy = new Map<string, string>();
  for (const seed of req.seeds ?? []) {
    if (fromSweep.has(seed.address) || seedBy.has(seed.address) || inRanges(seed.address, exclude)) continue;
    if (ipv4ToNumber(seed.address) === undefined) continue;
    seedBy.set(seed.address, seed.seenBy);
    targets.push(seed.address);
  }
  req.progress?.(`sweeping ${targets.length} addresses (${rangeTexts.join(', ') || 'no ranges'}${seedBy.size ? `, ${seedBy.size} neighbour seeds` : ''}) at most ${s.rate} packets/s`);
  const sweep = await icmpSweep(targets, { rate: s.rate, timeoutMs: s.timeoutMs, retries: s.retries, binary: req.fping }, signal);
  req.progress?.(`${sweep.alive.length} answered ping in ${(sweep.wallMs / 1000).toFixed(1)} s; probing SNMP with ${s.credentials.length} credential(s), ${s.concurrency} at a time`);
  const pacer = new Pacer(s.rate);
  const p0 = performance.now();
  const opts: ProbeOptions = { credentials: s.credentials, ports: s.ports, timeoutMs: s.timeoutMs, retries: s.retries, profiles: req.profiles, pacer, open: req.open };
  const outcomes: ProbeOutcome[] = await pool(sweep.alive, s.concurrency, (a) => probeHost(a, opts, signal));
  const probeMs = performance.now() - p0;
  const rangeOf = (address: string) => ranges.find((r) => inRanges(address, [r]))?.text;
  const foundBy = (address: string) => {
    const by = seedBy.get(address);
    return by !== undefined ? `LLDP/CDP neighbour of ${by}` : `ICMP sweep of ${rangeOf(address) ?? address}`;
  };
  const sorted = sortAgainstInventory(outcomes, req.inventory, foundBy);
  const credentialsUsed: Record<string, number> = {};
  for (const o of outcomes) if (o.snmp) credentialsUsed[o.snmp.credential] = (credentialsUsed[o.snmp.credential] ?? 0) + 1;
  return {
    ...sorted, startedAt, finishedAt: new Date().toISOString(), ranges: rangeTexts, exclude: [...s.exclude],
    swept: targets.length, alive: sweep.alive.length, echoesSent: sweep.echoesSent, snmpPackets: pacer.sent,
    credentialsUsed, sweepMs: Math.round(sweep.wallMs), probeMs: Math.round(probeMs),
  };
}
