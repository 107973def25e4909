/**
 * A token bucket shared by every sender of one discovery run: `take(n)` resolves once n packets may leave
 * without the run passing `rate` packets per second. The bucket holds no more than the request being served (no
 * saved-up burst after a quiet moment), so the packets leave evenly spaced, as fping's do: in any one second at
 * most `rate` of them, plus the one request at its edge.
 */
export class Pacer {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  /** Packets let through so far. */
  sent = 0;

  constructor(private readonly rate: number, private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {
    // Start with one packet's worth: a run's first second may not burst past the rate either.
    this.tokens = Math.min(rate, 1);
    this.last = now();
  }

  /** Waits until `n` packets may be sent, then counts them as sent. Callers are served in order. */
  take(n = 1, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const t = this.now();
        this.tokens = Math.min(Math.max(1, Math.min(n, this.rate)), this.tokens + ((t - this.last) / 1000) * this.rate);
        this.last = t;
        if (this.tokens >= n || (n > this.rate && this.tokens >= this.rate)) { this.tokens -= n; this.sent += n; return; }
        await this.sleep(Math.max(1, ((n - this.tokens) / this.rate) * 1000));
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
