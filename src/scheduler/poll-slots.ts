/**
 * The global concurrency limit: at most `limit` polls talk to the network at once, the rest wait in
 * arrival order. A waiter whose deadline passes leaves the queue, so a backlog cannot grow forever.
 */
export class PollSlots {
  private busy = 0;
  private waiting: { grant: () => void }[] = [];
  constructor(private limit: number) {}

  /** Polls holding a slot now. */
  get inUse(): number { return this.busy; }
  /** Polls waiting for a slot. */
  get queued(): number { return this.waiting.length; }

  /** Changes the limit (a reload); waiters are let in when it grows. */
  setLimit(n: number): void {
    this.limit = Math.max(1, n);
    this.pump();
  }

  /** Waits for a slot; resolves with its release function, or rejects when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.busy--;
        this.pump();
      };
      const waiter = {
        grant: () => { signal.removeEventListener('abort', onAbort); this.busy++; resolve(release); },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
  }

  private pump(): void {
    while (this.busy < this.limit && this.waiting.length > 0) this.waiting.shift()!.grant();
  }
}
