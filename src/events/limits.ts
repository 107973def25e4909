/** Sources tracked at most; idle ones are forgotten first, so spoofed addresses cannot grow memory without bound. */
const MAX_SOURCES = 10_000;

/**
 * A token bucket per source address: `perSecond` sustained, `burst` at once. What is refused is counted
 * per source, so the receivers can report it instead of dropping it silently.
 */
export class SourceRateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private refused = new Map<string, number>();
  private refusedTotal = 0;

  constructor(private readonly perSecond: number, private readonly burst: number) {}

  /** True when the message may be processed now. */
  take(source: string, now: number): boolean {
    let b = this.buckets.get(source);
    if (!b) {
      if (this.buckets.size >= MAX_SOURCES) this.evictIdle(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(source, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) { b.tokens -= 1; return true; }
    this.refused.set(source, (this.refused.get(source) ?? 0) + 1);
    this.refusedTotal++;
    return false;
  }

  /** Refused counts per source since the last call (for the summary events), then reset. */
  drainRefused(): Map<string, number> {
    const out = this.refused;
    this.refused = new Map();
    return out;
  }

  get totalRefused(): number { return this.refusedTotal; }

  private evictIdle(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 60_000 || this.buckets.size >= MAX_SOURCES) this.buckets.delete(k);
  }
}

/**
 * Says yes once per key per interval: a bad community from one address is logged once a minute,
 * however many packets it sends (an attacker must not fill the log).
 */
export class LogThrottle {
  private last = new Map<string, number>();
  constructor(private readonly intervalMs = 60_000) {}

  shouldLog(key: string, now: number): boolean {
    const at = this.last.get(key);
    if (at !== undefined && now - at < this.intervalMs) return false;
    if (this.last.size >= MAX_SOURCES) this.last.clear();
    this.last.set(key, now);
    return true;
  }
}
