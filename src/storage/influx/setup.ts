import { InfluxDB } from 'influx';
import type { InfluxSection } from '../../config/sections/influx.js';
import { formatDuration } from '../../config/duration.js';
import type { Logger } from '../../core/log.js';
import { quoteIdent } from '../influxql.js';

/** Retention policy holding raw samples; made the database default so plain writes land in it. */
export const RAW_POLICY = 'raw';
/** Retention policy holding the downsampled mean/max series written by the continuous queries. */
export const LONG_TERM_POLICY = 'long_term';
/** Measurements downsampled into the long-term policy. */
export const DOWNSAMPLED_MEASUREMENTS = ['icmp', 'interface', 'cpu', 'memory', 'sensor', 'ups'] as const;

/** What set-up found and changed, for the start-up log. */
export interface SetupReport {
  created: string[];
  altered: string[];
  dropped: string[];
}

/** node-influx speaks the 1.x administration statements well, so set-up goes through it (the hot write path does not). */
export function adminClient(settings: InfluxSection): InfluxDB {
  const url = new URL(settings.url);
  return new InfluxDB({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    database: settings.database,
    ...(settings.username !== undefined ? { username: settings.username, password: settings.password ?? '' } : {}),
    options: { timeout: settings.timeout },
  });
}

/** Parses the Go durations InfluxDB reports ("720h0m0s", "0s" for infinite) into milliseconds. */
export function parseGoDuration(text: string): number {
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns)/g)) {
    const n = Number(m[1]);
    ms += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : m[2] === 'ms' ? n : 0;
  }
  return ms;
}

/** An InfluxQL duration literal, in whole seconds (InfluxDB accepts any count of `s`). */
function durationLiteral(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/**
 * The continuous query name carries its interval and look-back, so a changed setting shows up as a
 * different name: set-up drops the old query and creates the new one instead of comparing query texts.
 */
export function continuousQueryName(measurement: string, settings: InfluxSection): string {
  const tidy = (ms: number) => formatDuration(ms).replace(/[^0-9a-z]/g, '');
  return `noctua_${measurement}_${tidy(settings.retention.downsampleInterval)}_for${tidy(settings.retention.resampleFor)}`;
}

/** The SELECT … INTO of one downsampling continuous query (mean and max of every numeric field, tags kept). */
export function continuousQueryBody(measurement: string, settings: InfluxSection): string {
  const db = quoteIdent(settings.database);
  const m = quoteIdent(measurement);
  return `SELECT mean(*), max(*) INTO ${db}.${quoteIdent(LONG_TERM_POLICY)}.${m} FROM ${db}.${quoteIdent(RAW_POLICY)}.${m} ` +
    `GROUP BY time(${durationLiteral(settings.retention.downsampleInterval)}), *`;
}

/**
 * Creates or corrects the database, the raw (default) and long-term retention policies and the
 * downsampling continuous queries. Safe to run at every start: what already matches is left alone.
 */
export async function setUpDatabase(settings: InfluxSection, log: Logger, client: InfluxDB = adminClient(settings)): Promise<SetupReport> {
  const report: SetupReport = { created: [], altered: [], dropped: [] };
  const db = settings.database;
  const names = await client.getDatabaseNames();
  if (!names.includes(db)) { await client.createDatabase(db); report.created.push(`database ${db}`); }

  const policies = await client.showRetentionPolicies(db);
  const wanted = [
    { name: RAW_POLICY, ms: settings.retention.raw, isDefault: true },
    { name: LONG_TERM_POLICY, ms: settings.retention.longTerm, isDefault: false },
  ];
  for (const p of wanted) {
    const have = policies.find((x) => x.name === p.name);
    const options = { database: db, duration: durationLiteral(p.ms), replication: 1, isDefault: p.isDefault };
    if (!have) {
      await client.createRetentionPolicy(p.name, options);
      report.created.push(`retention policy ${p.name} ${formatDuration(p.ms)}`);
    } else if (Math.abs(parseGoDuration(have.duration) - p.ms) >= 1000 || (p.isDefault && !have.default)) {
      await client.alterRetentionPolicy(p.name, { ...options, replication: have.replicaN || 1 });
      report.altered.push(`retention policy ${p.name} ${have.duration} -> ${formatDuration(p.ms)}`);
    }
  }

  // node-influx's showContinousQueries() merges the queries of every database into one list; the raw
  // answer has one series per database, so take ours by name.
  const raw = (await client.queryRaw('SHOW CONTINUOUS QUERIES')) as { results?: { series?: { name: string; values?: unknown[][] }[] }[] };
  const existing = (raw.results?.[0]?.series?.find((s) => s.name === db)?.values ?? []).map((row) => String(row[0]));
  for (const m of DOWNSAMPLED_MEASUREMENTS) {
    const name = continuousQueryName(m, settings);
    for (const old of existing.filter((n) => n.startsWith(`noctua_${m}_`) && n !== name)) {
      await client.dropContinuousQuery(old, db);
      report.dropped.push(`continuous query ${old}`);
    }
    if (!existing.includes(name)) {
      // RESAMPLE FOR lets each run recompute the recent past, so points replayed late from the spool are downsampled too.
      await client.createContinuousQuery(name, continuousQueryBody(m, settings), db, `RESAMPLE FOR ${durationLiteral(settings.retention.resampleFor)}`);
      report.created.push(`continuous query ${name}`);
    }
  }
  if (report.created.length + report.altered.length + report.dropped.length > 0) log.info({ database: db, ...report }, 'influx: database set up');
  return report;
}
