/**
 * How the report's InfluxDB sources run their statements: through storage's reader (one HTTP client, one
 * quoting module, one error type for all of Noctua), several statements per request, and a few helpers
 * to read rows by column name. A source for another retention policy (docs/REPORTS.md) builds on the same.
 */
import { influxSectionSchema, type InfluxTarget } from '../../config/sections/influx.js';
import { timeRange } from '../../storage/influxql.js';
import { createInfluxReader, InfluxQueryError, type InfluxReader, type QuerySeries } from '../../storage/queries.js';
import type { TimeRange } from './types.js';

/** Where the report reads from: an InfluxDB 1.x `/query` endpoint and database, with optional basic auth. */
export interface InfluxEndpoint {
  url: string; database: string; username?: string; password?: string; timeoutMs?: number;
  /** `influx.targets`: read from the first that answers (storage's reader fails over); `url` and the rest name the first. */
  targets?: InfluxTarget[];
}

/** Runs statements in one request and gives each statement's series (an empty list when it matched nothing). */
export type StatementRunner = (statements: readonly string[]) => Promise<QuerySeries[][]>;

/** A report reads a whole period at once: give InfluxDB a minute, not the writer's 10 s. */
const REPORT_TIMEOUT_MS = 60_000;

/** Storage's reader for an endpoint given the report's way. */
export function readerFor(ep: InfluxEndpoint): InfluxReader {
  const where = ep.targets ? { targets: ep.targets } : { url: ep.url, database: ep.database, username: ep.username, password: ep.password };
  return createInfluxReader(influxSectionSchema.parse({ ...where, timeout: ep.timeoutMs ?? REPORT_TIMEOUT_MS }));
}

/** A runner over storage's reader. */
export function statementRunner(reader: InfluxReader): StatementRunner {
  return async (statements) => {
    const out: QuerySeries[][] = statements.map(() => []);
    if (statements.length === 0) return out;
    try {
      const results = await reader.query(statements.join(';\n'));
      results.forEach((r, i) => { out[r.statement_id ?? i] = r.series ?? []; });
    } catch (err) {
      const reason = await realReason(reader, statements, err);
      // A missing database is "no data yet", not a failure: a fresh install must still produce a report that says so.
      if (reason instanceof InfluxQueryError && /database not found/.test(reason.message)) return out;
      throw reason;
    }
    return out;
  };
}

/**
 * InfluxDB 1.x answers a request of several statements on a missing database with only "not executed" for
 * the first one: run that statement alone to learn the real reason.
 */
async function realReason(reader: InfluxReader, statements: readonly string[], err: unknown): Promise<unknown> {
  if (!(err instanceof InfluxQueryError) || statements.length < 2 || !/not executed/.test(err.message)) return err;
  try {
    await reader.query(statements[0]!);
    return err;
  } catch (first) {
    return first;
  }
}

/** `time >= start AND time < end` for a half-open range. */
export function timeWhere(range: TimeRange): string {
  return timeRange(range.start, range.end).join(' AND ');
}

/** Every row of every series, with the series' tags. */
export function rows(series: readonly QuerySeries[]): { s: QuerySeries; tags: Record<string, string>; row: unknown[] }[] {
  return series.flatMap((s) => s.values.map((row) => ({ s, tags: s.tags ?? {}, row })));
}

/** Reads a column of one row as it came. */
export function cell(series: QuerySeries, row: unknown[], column: string): unknown {
  const i = series.columns.indexOf(column);
  return i < 0 ? undefined : row[i];
}

/** Reads a column of one row as a number, or undefined when absent or null. */
export function num(series: QuerySeries, row: unknown[], column: string): number | undefined {
  const v = cell(series, row, column);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The time of a row (queries ask for epoch milliseconds). */
export function timeOf(series: QuerySeries, row: unknown[]): Date {
  return new Date(Number(cell(series, row, 'time')));
}
