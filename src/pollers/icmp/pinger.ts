/**
 * The Pinger seam: something that sends ICMP echo requests to many numeric addresses and says,
 * per address, how many went out and the round-trip time of each reply. Backends: one `fping`
 * process per batch (fping.ts) or one system `ping` per target through the `ping` package
 * (ping-package.ts). Both report raw replies, and one function (echo-stats.ts) turns them into
 * fields, so the two backends cannot disagree on what loss or jitter means.
 */

/** How to probe: the device's `icmp:` settings. */
export interface EchoSettings {
  count: number;
  intervalMs: number;
  timeoutMs: number;
}

/** What came back from one address. */
export interface EchoOutcome {
  /** Echo requests sent. */
  sent: number;
  /** Round-trip times in ms of the replies, in the order they arrived (lost ones are absent). */
  rtts: number[];
  /** Why nothing could be sent at all (no route, bad address), when that is the case. */
  error?: string;
}

/** An ICMP backend. `addresses` are numeric IPv4/IPv6 addresses; the result has one entry per address. */
export interface Pinger {
  readonly name: 'fping' | 'ping';
  ping(addresses: readonly string[], settings: EchoSettings, signal: AbortSignal): Promise<Map<string, EchoOutcome>>;
}

/** Thrown when the ICMP backend cannot be used at all (not installed, no permission). */
export class PingerUnavailableError extends Error {
  constructor(message: string) { super(message); this.name = 'PingerUnavailableError'; }
}

/** The longest one probe of `settings` may take: the last request goes out after count-1 gaps, then we wait for it. */
export function echoBudgetMs(s: EchoSettings): number {
  return (s.count - 1) * s.intervalMs + s.timeoutMs;
}
