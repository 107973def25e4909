/**
 * A token bucket shared by every sender of one discovery run (the sweep's echoes and the SNMP probes): `take(n)`
 * resolves once n packets may leave without the run passing `rate` packets per second. The bucket holds no more than
 * the request being served (no saved-up burst after a quiet moment), so the packets leave evenly spaced, as fping's
 * do: in any one second at most `rate` of them, plus the one request at its edge.
 */
export class Pacer {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  /** Packets let through by {@link take} so far (the SNMP probes'; the sweep counts its own echoes). */
  sent = 0;

  constructor(readonly rate: number, private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {
    // Start with one packet's worth: a run's first second may not burst past the rate either.
    this.tokens = Math.min(rate, 1);
    this.last = now();
  }

  /** Waits until `n` packets may be sent, then counts them as sent. Callers are served in order. */
  take(n = 1, signal?: AbortSignal): Promise<void> {
    return this.turn(Math.max(1, Math.min(n, this.rate)), n, n, signal);
  }

  /**
   * For a sender that paces itself at `rate` (an fping pass): waits for one packet's worth, then charges `tokens` at
   * once (its packets) and resolves; the senders queued behind wait until the charge is paid **and** `until` settled
   * (the pass said it has sent its last packet), so a sender that falls behind its pace is not overlapped.
   * Not counted in {@link sent}.
   */
  spread(tokens: number, until: Promise<unknown>, signal?: AbortSignal): Promise<void> {
    const turn = this.turn(1, tokens, 0, signal);
    this.queue = turn.then(() => until).then(() => undefined, () => undefined);
    return turn;
  }

  /** Serves one caller after those queued before it; the queue moves on when it is served. */
  private turn(need: number, charge: number, packets: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const t = this.now();
        this.tokens = Math.min(need, this.tokens + ((t - this.last) / 1000) * this.rate);
        this.last = t;
        if (this.tokens >= need) { this.tokens -= charge; this.sent += packets; return; }
        await this.sleep(Math.max(1, ((need - this.tokens) / this.rate) * 1000));
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
