/**
 * Counter arithmetic: raw counters of two polls -> rates, with 32/64-bit wraps, resets and reboots
 * told apart from sysUpTime's own 497-day wrap. Pure functions plus a plain-JSON state, so the state
 * can move between poller processes.
 */

const TWO_32 = 2n ** 32n;
/** sysUpTime is TimeTicks, a 32-bit count of centiseconds: it wraps every 497.1 days. */
export const UPTIME_WRAP_TICKS = 2 ** 32;

/**
 * A counter wrap is only believed when the counter could have got from `prev` to `cur` at a plausible
 * speed; beyond that the drop is a reset (agent restart, counter cleared, a 64-bit counter never wraps in practice).
 */
export interface WrapPolicy {
  /** Width of the counter. */
  bits: 32 | 64;
  /** Seconds between the two reads. */
  seconds: number;
  /** Fastest plausible rate in units per second (e.g. octets/s of a 400G port); default: any wrap of a 32-bit counter is allowed. */
  maxRate?: number;
}

/**
 * The increase of a counter between two reads, or undefined when it cannot be trusted (reset).
 * A 32-bit counter that went down is taken as one wrap when the implied increase is plausible;
 * a 64-bit counter going down is a reset (2^64 octets take 1,400 years at 400 Gb/s).
 */
export function counterDelta(prev: bigint, cur: bigint, policy: WrapPolicy): bigint | undefined {
  if (cur >= prev) return cur - prev;
  if (policy.bits === 64) return undefined;
  if (prev >= TWO_32 || cur >= TWO_32) return undefined;
  const wrapped = TWO_32 - prev + cur;
  if (policy.maxRate !== undefined && Number(wrapped) > policy.maxRate * Math.max(policy.seconds, 1)) return undefined;
  // A wrap that would need more than half the counter space is more likely a reset to a small value.
  if (policy.maxRate === undefined && wrapped > TWO_32 / 2n) return undefined;
  return wrapped;
}

/** Rate per second from two raw counter reads; undefined for a reset, a wrap that is not plausible, or no time. */
export function counterRate(prev: bigint | undefined, cur: bigint | undefined, policy: WrapPolicy): number | undefined {
  if (prev === undefined || cur === undefined || !(policy.seconds > 0)) return undefined;
  const d = counterDelta(prev, cur, policy);
  return d === undefined ? undefined : Number(d) / policy.seconds;
}

/** What the poller remembers between polls of one device (plain data, JSON-serialisable via {@link exportState}). */
export interface CounterState {
  /** Milliseconds since the epoch of the previous poll. */
  at: number;
  /** sysUpTime ticks at the previous poll. */
  uptimeTicks?: number;
  /** How many 497-day wraps of sysUpTime we have counted, so uptime_s keeps growing. */
  uptimeWraps: number;
  /** snmpEngineBoots / snmpEngineTime (seconds) at the previous poll, where the agent has them. */
  engineBoots?: number;
  engineTime?: number;
  /** Raw counters by instance (ifIndex) and counter name. */
  counters: Map<string, Map<string, bigint>>;
}

/** What happened to the device's clock between two polls. */
export type UptimeVerdict =
  | { kind: 'first' }
  | { kind: 'normal'; uptimeWraps: number }
  | { kind: 'wrap'; uptimeWraps: number }
  | { kind: 'reboot'; reason: string };

/**
 * Tells a reboot from sysUpTime's 497-day wrap. sysUpTime going back is a reboot unless the engine
 * clock (snmpEngineBoots unchanged and snmpEngineTime still counting) or, without it, the elapsed
 * wall time says the ticks simply wrapped.
 */
export function judgeUptime(prev: CounterState | undefined, now: { at: number; uptimeTicks?: number; engineBoots?: number; engineTime?: number }): UptimeVerdict {
  if (!prev || prev.uptimeTicks === undefined || now.uptimeTicks === undefined) return { kind: 'first' };
  const wraps = prev.uptimeWraps;
  const engineKnown = prev.engineBoots !== undefined && now.engineBoots !== undefined;
  if (engineKnown && now.engineBoots! > prev.engineBoots!) return { kind: 'reboot', reason: `snmpEngineBoots went from ${prev.engineBoots} to ${now.engineBoots}` };
  if (now.uptimeTicks >= prev.uptimeTicks) {
    // The engine clock can reveal a restart that sysUpTime alone hides (an agent restarted long ago and polled rarely).
    if (engineKnown && prev.engineTime !== undefined && now.engineTime !== undefined && now.engineTime + 5 < prev.engineTime) {
      return { kind: 'reboot', reason: `snmpEngineTime went back from ${prev.engineTime}s to ${now.engineTime}s` };
    }
    return { kind: 'normal', uptimeWraps: wraps };
  }
  // sysUpTime went back: a wrap only if it was near the top and the elapsed time fits the ticks that passed.
  const elapsedTicks = (now.at - prev.at) / 10;
  const ticksIfWrapped = UPTIME_WRAP_TICKS - prev.uptimeTicks + now.uptimeTicks;
  if (engineKnown && now.engineBoots === prev.engineBoots && (prev.engineTime === undefined || now.engineTime === undefined || now.engineTime >= prev.engineTime)) {
    return { kind: 'wrap', uptimeWraps: wraps + 1 };
  }
  if (!engineKnown && elapsedTicks > 0 && Math.abs(ticksIfWrapped - elapsedTicks) <= Math.max(elapsedTicks * 0.25, 6000)) {
    return { kind: 'wrap', uptimeWraps: wraps + 1 };
  }
  return { kind: 'reboot', reason: `sysUpTime went back from ${formatTicks(prev.uptimeTicks)} to ${formatTicks(now.uptimeTicks)}` };
}

/** Seconds of uptime including counted wraps. */
export function uptimeSeconds(ticks: number, wraps: number): number {
  return (ticks + wraps * UPTIME_WRAP_TICKS) / 100;
}

function formatTicks(t: number): string {
  const s = Math.floor(t / 100);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return `${d}d ${h}h ${m}m`;
}

/** Serialises a counter state to plain JSON-safe data (bigints as decimal strings). */
export function exportState(s: CounterState): unknown {
  const counters: Record<string, Record<string, string>> = {};
  for (const [inst, m] of s.counters) {
    const o: Record<string, string> = {};
    for (const [k, v] of m) o[k] = v.toString();
    counters[inst] = o;
  }
  return { v: 1, at: s.at, uptimeTicks: s.uptimeTicks, uptimeWraps: s.uptimeWraps, engineBoots: s.engineBoots, engineTime: s.engineTime, counters };
}

/** Reads what {@link exportState} wrote; throws with the field at fault when the data is not a counter state. */
export function importState(data: unknown): CounterState {
  const fail = (field: string, expected: string): never => { throw new Error(`counter state ${field}: expected ${expected}`); };
  if (typeof data !== 'object' || data === null) return fail('(root)', 'an object');
  const o = data as Record<string, unknown>;
  if (o.v !== 1) fail('v', '1');
  if (typeof o.at !== 'number') fail('at', 'a number (ms since epoch)');
  const optNum = (k: string) => (o[k] === undefined || o[k] === null ? undefined : typeof o[k] === 'number' ? (o[k] as number) : fail(k, 'a number'));
  const counters = new Map<string, Map<string, bigint>>();
  if (typeof o.counters !== 'object' || o.counters === null) fail('counters', 'an object');
  for (const [inst, m] of Object.entries(o.counters as Record<string, unknown>)) {
    if (typeof m !== 'object' || m === null) fail(`counters.${inst}`, 'an object');
    const mm = new Map<string, bigint>();
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v !== 'string' || !/^\d+$/.test(v)) fail(`counters.${inst}.${k}`, 'a decimal string');
      mm.set(k, BigInt(v as string));
    }
    counters.set(inst, mm);
  }
  return {
    at: o.at as number, uptimeTicks: optNum('uptimeTicks'), uptimeWraps: optNum('uptimeWraps') ?? 0,
    engineBoots: optNum('engineBoots'), engineTime: optNum('engineTime'), counters,
  };
}
