import type { Logger } from '../core/log.js';

/** How long a closer may take unless it says otherwise. */
export const DEFAULT_CLOSE_MS = 10_000;

/** What a stop did: the closers that threw and those that did not finish in time (by name, in the order they ran). */
export interface StopReport {
  failed: string[];
  timedOut: string[];
}

interface Closer {
  name: string;
  close: () => unknown;
  timeoutMs: number;
}

/**
 * The one ordered list of what a runtime must undo. Each part registers its closer when it starts, so
 * closing runs in the reverse order of starting: the API stops taking requests before the scheduler drains,
 * the pollers close before the sinks they feed, the sinks before the state database. A closer that throws or
 * hangs is logged and passed over (after its time bound), and the others still run: one stuck part never
 * keeps the state database open or a Redis lease held.
 */
export class Closers {
  private readonly list: Closer[] = [];
  private closing: Promise<StopReport> | undefined;

  constructor(private readonly log: Logger) {}

  /** Registers a closer; it runs before every closer registered earlier. */
  add(name: string, close: () => unknown, timeoutMs = DEFAULT_CLOSE_MS): void {
    if (this.closing) throw new Error(`cannot register "${name}": the runtime is stopping`);
    this.list.push({ name, close, timeoutMs });
  }

  /** Names in the order they will close (last registered first). */
  order(): string[] { return this.list.map((c) => c.name).reverse(); }

  /** Runs every closer once, last registered first; a second call returns the first call's outcome. */
  closeAll(): Promise<StopReport> {
    this.closing ??= this.run();
    return this.closing;
  }

  private async run(): Promise<StopReport> {
    const report: StopReport = { failed: [], timedOut: [] };
    for (const c of [...this.list].reverse()) {
      this.log.debug({ part: c.name }, 'closing');
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), c.timeoutMs); });
      try {
        const outcome = await Promise.race([Promise.resolve().then(c.close).then(() => 'done' as const), limit]);
        if (outcome === 'timeout') {
          report.timedOut.push(c.name);
          this.log.warn({ part: c.name, timeoutMs: c.timeoutMs }, 'part did not close in time; going on with the others');
        }
      } catch (err) {
        report.failed.push(c.name);
        this.log.warn({ err, part: c.name }, 'part did not close cleanly');
      } finally {
        clearTimeout(timer);
      }
    }
    return report;
  }
}
