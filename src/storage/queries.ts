import { z } from 'zod';
import { influxTargets, sectionForTarget, type InfluxSection } from '../config/sections/influx.js';
import { createLogger, type Logger } from '../core/log.js';
import { authHeaders } from './influx/transport.js';
import { targetLabel } from './influx/targets.js';
import { InfluxQueryError } from './query-error.js';
import { failoverQuery } from './read-failover.js';
import { durationLiteral, quoteIdent, tagFilter, timeRange } from './influxql.js';

/** One series of a statement's answer: its measurement, group tags, column names and rows. */
export interface QuerySeries { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }

/** One statement's answer from `/query`, times in epoch milliseconds. */
export interface QueryResult {
  statement_id?: number;
  series?: QuerySeries[];
}

export { InfluxQueryError };

const name = z.string().min(1, 'expected a non-empty name');
const tags = z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).optional();
const time = z.coerce.date().refine((d) => !Number.isNaN(d.getTime()), 'expected a time (RFC 3339 or epoch ms)');
const range = { from: time, to: time, measurement: name, where: tags, retentionPolicy: name.optional() };
const aggregate = z.enum(['mean', 'max', 'min', 'sum', 'count', 'last', 'first', 'median']);

/** Input of {@link InfluxReader.latest}. */
export const latestQuerySchema = z.strictObject({
  measurement: name,
  fields: z.array(name).min(1).optional(),
  where: tags,
  /** One answer per distinct combination of these tags; `device` unless given. */
  groupBy: z.array(name).min(1).default(['device']),
  /** Only points newer than this count as "latest"; bounds the work InfluxDB does. */
  lookbackMs: z.number().positive().default(86_400_000),
  retentionPolicy: name.optional(),
});
/** Input of {@link InfluxReader.series}. */
export const seriesQuerySchema = z.strictObject({
  ...range,
  field: name,
  aggregate: aggregate.default('mean'),
  intervalMs: z.number().positive(),
  fill: z.union([z.enum(['none', 'null', 'previous', 'linear']), z.number()]).default('null'),
  groupBy: z.array(name).default([]),
}).refine((q) => q.to > q.from, { message: 'expected to after from', path: ['to'] })
  .refine((q) => (q.to.getTime() - q.from.getTime()) / q.intervalMs <= 20_000, { message: 'expected at most 20000 intervals in the range; widen intervalMs', path: ['intervalMs'] });
/** Input of {@link InfluxReader.availability}. */
export const availabilityQuerySchema = z.strictObject({
  from: time,
  to: time,
  /** Devices to report; a listed device without any ICMP poll in the range is reported with `availabilityPct: null`. */
  devices: z.array(name).optional(),
  where: tags,
}).refine((q) => q.to > q.from, { message: 'expected to after from', path: ['to'] });
/** Input of {@link InfluxReader.topN}. */
export const topQuerySchema = z.strictObject({
  ...range,
  field: name,
  aggregate: aggregate.default('mean'),
  n: z.number().int().min(1).max(1000).default(10),
  by: z.array(name).min(1).default(['device']),
  order: z.enum(['desc', 'asc']).default('desc'),
}).refine((q) => q.to > q.from, { message: 'expected to after from', path: ['to'] });

export type LatestQuery = z.input<typeof latestQuerySchema>;
export type SeriesQuery = z.input<typeof seriesQuerySchema>;
export type AvailabilityQuery = z.input<typeof availabilityQuerySchema>;
export type TopQuery = z.input<typeof topQuerySchema>;

/** The newest point of one group: its group tags, time and the selected columns. */
export interface LatestRow { tags: Record<string, string>; time: Date; values: Record<string, unknown> }
/** One aggregated time series; `value` is null where a bucket had no data and fill left it empty. */
export interface SeriesResult { tags: Record<string, string>; points: { time: Date; value: number | null }[] }
/** Availability of one device over the range. */
export interface AvailabilityRow { device: string; polls: number; upPolls: number; availabilityPct: number | null }
/** One entry of a top-N list. */
export interface TopRow { tags: Record<string, string>; value: number }

/** The read API over InfluxQL used by the HTTP API, dashboards tests and reports. */
export interface InfluxReader {
  /** Runs InfluxQL as given (for trusted, built queries); throws {@link InfluxQueryError} when any statement fails. */
  query(q: string): Promise<QueryResult[]>;
  /** The newest point per device (or per `groupBy` tags) of a measurement. */
  latest(q: LatestQuery): Promise<LatestRow[]>;
  /** An aggregated time series over a range, GROUP BY time(interval) with fill. */
  series(q: SeriesQuery): Promise<SeriesResult[]>;
  /** Percentage of ICMP polls that found each device up in a range (see docs/STORAGE.md). */
  availability(q: AvailabilityQuery): Promise<AvailabilityRow[]>;
  /** The n groups (devices by default) with the highest (or lowest) aggregate of a field in a range. */
  topN(q: TopQuery): Promise<TopRow[]>;
}

function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ');
  throw new Error(`${what}: ${problems}`);
}

function from(measurement: string, policy: string | undefined): string {
  return policy ? `${quoteIdent(policy)}.${quoteIdent(measurement)}` : quoteIdent(measurement);
}

function whereClause(conditions: string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

function groupBy(keys: readonly string[], prefix: string[] = []): string {
  const parts = [...prefix, ...keys.map(quoteIdent)];
  return parts.length > 0 ? ` GROUP BY ${parts.join(', ')}` : '';
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

/** Runs InfluxQL against `/query` (1.x, or 2.x's InfluxQL endpoint with the bucket as database); statement errors become exceptions. */
function queryFunction(settings: InfluxSection): (q: string) => Promise<QueryResult[]> {
  const base = settings.url.replace(/\/+$/, '');
  const db = settings.v2 ? settings.v2.bucket : settings.database;
  const headers = authHeaders(settings);
  return async (q) => {
    let res: Response;
    try {
      res = await fetch(`${base}/query`, {
        method: 'POST', headers, signal: AbortSignal.timeout(settings.timeout),
        body: new URLSearchParams({ q, db, epoch: 'ms' }),
      });
    } catch (err) {
      throw new InfluxQueryError(`InfluxDB unreachable at ${base}: ${err instanceof Error ? err.message : String(err)}`, q);
    }
    const text = await res.text();
    let json: { error?: string; results?: (QueryResult & { error?: string })[] };
    try { json = JSON.parse(text) as typeof json; } catch {
      throw new InfluxQueryError(`InfluxDB answered ${res.status} without JSON: ${text.slice(0, 200)}`, q, undefined, res.status);
    }
    // /query answers 200 even when a statement fails: the error sits in the body.
    if (json.error) throw new InfluxQueryError(`InfluxDB: ${json.error}`, q, undefined, res.status);
    if (!res.ok) throw new InfluxQueryError(`InfluxDB answered ${res.status}`, q, undefined, res.status);
    const results = json.results ?? [];
    results.forEach((r, i) => {
      if (r.error) throw new InfluxQueryError(`InfluxDB: statement ${r.statement_id ?? i}: ${r.error}`, q, r.statement_id ?? i, res.status);
    });
    return results;
  };
}

/**
 * Builds the reader for the configured InfluxDB (1.x `/query`, or 2.x's InfluxQL endpoint with the bucket as database).
 * With `influx.targets`, each query goes to the first target that answers (src/storage/read-failover.ts); `log` hears
 * of each fail-over.
 */
export function createInfluxReader(settings: InfluxSection, opts: { log?: Logger } = {}): InfluxReader {
  const targets = influxTargets(settings);
  const query = targets.length === 1 ? queryFunction(settings) : failoverQuery(
    targets.map((t) => ({ label: targetLabel(t), run: queryFunction(sectionForTarget(settings, t)) })),
    opts.log ?? createLogger({ name: 'influx-reader' }),
  );

  return {
    query,

    async latest(input) {
      const q = parse(latestQuerySchema, input, 'latest');
      const select = q.fields ? q.fields.map(quoteIdent).join(', ') : '*';
      const conditions = [`time > now() - ${durationLiteral(q.lookbackMs)}`, ...tagFilter(q.where)];
      const statement = `SELECT ${select} FROM ${from(q.measurement, q.retentionPolicy)}${whereClause(conditions)}${groupBy(q.groupBy)} ORDER BY time DESC LIMIT 1`;
      const [result] = await query(statement);
      const rows = (result?.series ?? []).flatMap((s) => s.values.slice(0, 1).map((row) => {
        const values: Record<string, unknown> = {};
        s.columns.forEach((c, i) => { if (c !== 'time') values[c] = row[i]; });
        return { tags: s.tags ?? {}, time: new Date(row[0] as number), values };
      }));
      // ORDER BY time DESC also reverses the order of the groups: give them back sorted by tags.
      const key = (r: LatestRow) => q.groupBy.map((k) => r.tags[k] ?? '').join('\u0000');
      return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    },

    async series(input) {
      const q = parse(seriesQuerySchema, input, 'series');
      const fill = typeof q.fill === 'number' ? String(q.fill) : q.fill;
      const statement = `SELECT ${q.aggregate}(${quoteIdent(q.field)}) AS "value" FROM ${from(q.measurement, q.retentionPolicy)}` +
        `${whereClause([...timeRange(q.from, q.to), ...tagFilter(q.where)])}${groupBy(q.groupBy, [`time(${durationLiteral(q.intervalMs)})`])} fill(${fill})`;
      const [result] = await query(statement);
      return (result?.series ?? []).map((s) => ({
        tags: s.tags ?? {},
        points: s.values.map((row) => ({ time: new Date(row[0] as number), value: numberOrNull(row[1]) })),
      }));
    },

    async availability(input) {
      const q = parse(availabilityQuerySchema, input, 'availability');
      const conditions = [...timeRange(q.from, q.to), ...tagFilter({ ...(q.where ?? {}), ...(q.devices ? { device: q.devices } : {}) })];
      // Two counts in one request: every ICMP poll, and the polls that found the device up.
      const statement =
        `SELECT count("up") AS "n" FROM "icmp"${whereClause(conditions)} GROUP BY "device"; ` +
        `SELECT count("up") AS "n" FROM "icmp"${whereClause(['"up" = true', ...conditions])} GROUP BY "device"`;
      const [all, up] = await query(statement);
      const counts = (r: QueryResult | undefined): Map<string, number> =>
        new Map((r?.series ?? []).map((s) => [s.tags?.device ?? '', numberOrNull(s.values[0]?.[1]) ?? 0]));
      const polls = counts(all);
      const upPolls = counts(up);
      const devices = q.devices ?? [...polls.keys()].sort();
      return devices.map((device) => {
        const n = polls.get(device) ?? 0;
        const u = upPolls.get(device) ?? 0;
        return { device, polls: n, upPolls: u, availabilityPct: n > 0 ? (u / n) * 100 : null };
      });
    },

    async topN(input) {
      const q = parse(topQuerySchema, input, 'topN');
      const statement = `SELECT ${q.aggregate}(${quoteIdent(q.field)}) AS "value" FROM ${from(q.measurement, q.retentionPolicy)}` +
        `${whereClause([...timeRange(q.from, q.to), ...tagFilter(q.where)])}${groupBy(q.by)}`;
      const [result] = await query(statement);
      // InfluxQL's top() ranks raw points, not per-device aggregates: rank the grouped aggregates here instead.
      const rows = (result?.series ?? []).flatMap((s) => {
        const value = numberOrNull(s.values[0]?.[1]);
        return value === null ? [] : [{ tags: s.tags ?? {}, value }];
      });
      rows.sort((a, b) => (q.order === 'desc' ? b.value - a.value : a.value - b.value));
      return rows.slice(0, q.n);
    },
  };
}
