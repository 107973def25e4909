/**
 * A small InfluxQL reader over HTTP for the reports: quoting that cannot be broken out of,
 * several statements per request, and statement errors (which InfluxDB sends with HTTP 200) as exceptions.
 */

/** One series of one statement's result. */
export interface InfluxSeries { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }

/** Where and how to query. */
export interface InfluxEndpoint { url: string; database: string; username?: string; password?: string; timeoutMs?: number }

/** Quotes an identifier (measurement, tag or field key) for InfluxQL. */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Quotes a string literal for InfluxQL. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `time >= '…' AND time < '…'` for a half-open range. */
export function timeWhere(range: { start: Date; end: Date }): string {
  return `time >= ${literal(range.start.toISOString())} AND time < ${literal(range.end.toISOString())}`;
}

/** A statement that failed inside InfluxDB, with the statement for context. */
export class InfluxQueryError extends Error {
  constructor(message: string, readonly statement: string) { super(message); this.name = 'InfluxQueryError'; }
}

/** Runs statements in one request; returns each statement's series (an empty list when it matched nothing). */
export async function queryInflux(ep: InfluxEndpoint, statements: string[]): Promise<InfluxSeries[][]> {
  const body = new URLSearchParams({ q: statements.join(';\n'), db: ep.database, epoch: 'ms' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (ep.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${ep.username}:${ep.password ?? ''}`).toString('base64')}`;
  let res: Response;
  try {
    res = await fetch(`${ep.url.replace(/\/$/, '')}/query`, { method: 'POST', body, headers, signal: AbortSignal.timeout(ep.timeoutMs ?? 60_000) });
  } catch (err) {
    throw new Error(`InfluxDB at ${ep.url} did not answer: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  let json: { error?: string; results?: { statement_id?: number; error?: string; series?: InfluxSeries[] }[] };
  try { json = JSON.parse(text) as typeof json; } catch {
    throw new Error(`InfluxDB at ${ep.url} answered HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (json.error) throw new InfluxQueryError(`InfluxDB: ${json.error}`, statements.join('; '));
  const out: InfluxSeries[][] = statements.map(() => []);
  for (const [i, r] of (json.results ?? []).entries()) {
    const idx = r.statement_id ?? i;
    // A missing database is "no data yet", not a failure: a fresh install must still produce a report that says so.
    if (r.error && /database not found/.test(r.error)) continue;
    if (r.error) throw new InfluxQueryError(`InfluxDB: ${r.error}`, statements[idx] ?? '');
    out[idx] = r.series ?? [];
  }
  return out;
}

/** Reads a column of one row as a number, or undefined when absent or null. */
export function num(series: InfluxSeries, row: unknown[], column: string): number | undefined {
  const i = series.columns.indexOf(column);
  const v = i < 0 ? undefined : row[i];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads a column of one row as it came. */
export function cell(series: InfluxSeries, row: unknown[], column: string): unknown {
  const i = series.columns.indexOf(column);
  return i < 0 ? undefined : row[i];
}
