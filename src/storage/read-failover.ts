import type { Logger } from '../core/log.js';
import type { QueryResult } from './queries.js';
import { InfluxQueryError } from './query-error.js';

/** One InfluxDB a read can go to: a label for logs, and its `/query` runner. */
export interface ReadTarget { label: string; run: (q: string) => Promise<QueryResult[]> }

/** How long a target that failed a read is tried only after the others (it is not polled meanwhile). */
export const READ_RETRY_AFTER_MS = 15_000;

/**
 * True when another InfluxDB may answer where this one did not: no connection or no answer in time (no status), or a
 * 5xx. A refused statement (4xx, or an error in a 200 body) would be refused by every target alike and is not.
 */
export function failsOver(err: unknown): boolean {
  if (!(err instanceof InfluxQueryError)) return false;
  return err.status === undefined || err.status >= 500;
}

/**
 * Reads from the first target in configuration order that has not failed in the last {@link READ_RETRY_AFTER_MS},
 * and on a connection error or 5xx fails over to the next (those that failed lately are tried last, so a query
 * still gets an answer when all are marked). Says so once per change of the answering target.
 */
export function failoverQuery(targets: readonly ReadTarget[], log: Logger, now: () => number = Date.now): (q: string) => Promise<QueryResult[]> {
  const failedAt = targets.map(() => -Infinity);
  let answering = 0;
  return async (q) => {
    const t0 = now();
    const order = targets.map((_, i) => i);
    const fresh = (i: number) => t0 - failedAt[i]! >= READ_RETRY_AFTER_MS;
    order.sort((a, b) => Number(fresh(b)) - Number(fresh(a)) || a - b);
    let lastError: unknown;
    for (const i of order) {
      const target = targets[i]!;
      try {
        const result = await target.run(q);
        failedAt[i] = -Infinity;
        if (i !== answering) {
          const from = targets[answering]!.label;
          if (i < answering) log.info({ target: target.label, from }, `influx: reads are answered by ${target.label} again`);
          else log.warn({ target: target.label, from }, `influx: reads fail over from ${from} to ${target.label}`);
          answering = i;
        }
        return result;
      } catch (err) {
        if (!failsOver(err)) throw err;
        failedAt[i] = now();
        lastError = err;
        log.warn({ target: target.label, error: err instanceof Error ? err.message : String(err) }, `influx: a read from ${target.label} failed; trying the next target`);
      }
    }
    throw lastError;
  };
}
