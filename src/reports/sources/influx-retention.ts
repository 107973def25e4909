/**
 * Chooses, per time range, the retention policy a report reads: a range that lies wholly inside the raw retention
 * (`influx.retention.raw`, 30 days by default) is read from the raw samples. For an older range both policies are asked
 * where their first ICMP point in the range lies; the downsampled `long_term` policy (kept up to date by the continuous
 * queries to within one bucket) is read when it reaches more than a day further back than raw, so a monthly or yearly
 * report of months past the raw retention is not "no data", while last month's report on the 1st (31 days ago, raw
 * still holding nearly all of it) keeps the raw samples (docs/REPORTS.md, "Retention").
 */
import type { InfluxSection } from '../../config/sections/influx.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { InfluxLongTermSource, type LongTermMetrics } from './influx-long-term.js';
import { InfluxMetricsSource } from './influx-metrics.js';
import { quoteIdent } from '../../storage/influxql.js';
import { LONG_TERM_POLICY } from '../../storage/influx/setup.js';
import type { QuerySeries } from '../../storage/queries.js';
import { readerFor, rows, statementRunner, timeOf, timeWhere, type InfluxEndpoint, type StatementRunner } from './influx-query.js';
import type { MetricsSource, TimeRange } from './types.js';

/** Which policy a range is read from. */
export type PolicyChoice = 'raw' | 'long_term';

/** How much further back `long_term` must reach than raw before it is preferred: raw's finer samples win a near tie. */
const PREFER_RAW_WITHIN_MS = 86_400_000;

/** `raw` when the whole range is younger than the raw retention at `now`; else it depends on what each policy holds. */
export function policyFor(range: TimeRange, rawRetentionMs: number, now: Date): PolicyChoice | 'ask' {
  return range.start.getTime() >= now.getTime() - rawRetentionMs ? 'raw' : 'ask';
}

/** The choice for an older range from the time of each policy's first point in it (undefined: none). */
export function choosePolicy(rawFirst: Date | undefined, longTermFirst: Date | undefined): PolicyChoice {
  if (!longTermFirst) return 'raw';
  if (!rawFirst) return 'long_term';
  return longTermFirst.getTime() < rawFirst.getTime() - PREFER_RAW_WITHIN_MS ? 'long_term' : 'raw';
}

/** Asks both policies where their first ICMP point in a range lies. */
export function firstPointProbe(run: StatementRunner, policy: string = LONG_TERM_POLICY): (range: TimeRange) => Promise<PolicyChoice> {
  return async (range) => {
    const w = timeWhere(range);
    let res: QuerySeries[][];
    try {
      res = await run([`SELECT first("up") FROM "icmp" WHERE ${w}`, `SELECT first("max_received") FROM ${quoteIdent(policy)}."icmp" WHERE ${w}`]);
    } catch (err) {
      // An administrator-managed database without the policy: raw is all there is.
      if (err instanceof Error && /retention policy not found/.test(err.message)) return 'raw';
      throw err;
    }
    const first = (series: QuerySeries[] | undefined) => rows(series ?? []).map(({ s, row }) => timeOf(s, row))[0];
    return choosePolicy(first(res[0]), first(res[1]));
  };
}

/** A `MetricsSource` that hands each range to the raw or the downsampled source ({@link policyFor}). */
export class RetentionRoutedMetricsSource implements MetricsSource {
  constructor(
    private readonly raw: MetricsSource,
    private readonly longTerm: LongTermMetrics,
    private readonly rawRetentionMs: number,
    private readonly probe: (range: TimeRange) => Promise<PolicyChoice>,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Each range is probed once per source (a source lives for one report). */
  private readonly chosen = new Map<string, Promise<PolicyChoice>>();

  /** The policy a range of a downsampled measurement is read from. */
  policyOf(range: TimeRange): Promise<PolicyChoice> {
    if (policyFor(range, this.rawRetentionMs, this.clock.now()) === 'raw') return Promise.resolve('raw');
    const key = `${range.start.getTime()}-${range.end.getTime()}`;
    let p = this.chosen.get(key);
    if (!p) { p = this.probe(range); this.chosen.set(key, p); }
    return p;
  }

  private async pick(range: TimeRange): Promise<LongTermMetrics> {
    return (await this.policyOf(range)) === 'raw' ? this.raw : this.longTerm;
  }

  async devicesSeen(range: TimeRange) { return (await this.pick(range)).devicesSeen(range); }
  async reachability(range: TimeRange) { return (await this.pick(range)).reachability(range); }
  async availabilityByDay(range: TimeRange, timeZone: string) { return (await this.pick(range)).availabilityByDay(range, timeZone); }
  async siteLatency(range: TimeRange) { return (await this.pick(range)).siteLatency(range); }
  async siteLatencyTrend(range: TimeRange, bucketMs: number) { return (await this.pick(range)).siteLatencyTrend(range, bucketMs); }
  async load(range: TimeRange) { return (await this.pick(range)).load(range); }
  async temperatures(range: TimeRange) { return (await this.pick(range)).temperatures(range); }
  async ups(range: TimeRange) { return (await this.pick(range)).ups(range); }
  async interfaces(range: TimeRange, bucketMs: number) { return (await this.pick(range)).interfaces(range, bucketMs); }
  // Not downsampled (booleans, strings, or measurements without a continuous query): what raw still holds.
  storage(range: TimeRange, bucketMs: number) { return this.raw.storage(range, bucketMs); }
  hardware(range: TimeRange) { return this.raw.hardware(range); }
  reboots(range: TimeRange) { return this.raw.reboots(range); }
  identity(range: TimeRange) { return this.raw.identity(range); }
}

/**
 * The report's metrics source for the configured InfluxDB: routed by age on 1.x; the raw source alone on 2.x/3.x
 * (retention and downsampling belong to the bucket there) and when Noctua does not manage the database.
 */
export function reportMetricsSource(influx: InfluxSection, clock: Clock = systemClock): MetricsSource {
  const ep: InfluxEndpoint = { url: influx.url, database: influx.database, username: influx.username, password: influx.password, ...(influx.targets ? { targets: influx.targets } : {}) };
  const raw = new InfluxMetricsSource(ep);
  if (influx.v2 || !influx.manageDatabase) return raw;
  const run = statementRunner(readerFor(ep));
  return new RetentionRoutedMetricsSource(raw, new InfluxLongTermSource(run), influx.retention.raw, firstPointProbe(run), clock);
}
