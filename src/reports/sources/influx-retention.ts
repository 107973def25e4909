/**
 * Chooses, per time range, the retention policy a report reads: a range that lies wholly inside the raw retention
 * (`influx.retention.raw`, 30 days by default) is read from the raw samples; any older range is read from the
 * downsampled `long_term` policy, which the continuous queries keep up to date to within one bucket, so a monthly or
 * yearly report of months past the raw retention is not "no data" (docs/REPORTS.md, "Retention").
 */
import type { InfluxSection } from '../../config/sections/influx.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { InfluxLongTermSource, type LongTermMetrics } from './influx-long-term.js';
import { InfluxMetricsSource } from './influx-metrics.js';
import { readerFor, statementRunner, type InfluxEndpoint } from './influx-query.js';
import type { MetricsSource, TimeRange } from './types.js';

/** Which policy a range is read from. */
export type PolicyChoice = 'raw' | 'long_term';

/** `raw` when the whole range is younger than the raw retention at `now`, else `long_term`. */
export function policyFor(range: TimeRange, rawRetentionMs: number, now: Date): PolicyChoice {
  return range.start.getTime() >= now.getTime() - rawRetentionMs ? 'raw' : 'long_term';
}

/** A `MetricsSource` that hands each range to the raw or the downsampled source ({@link policyFor}). */
export class RetentionRoutedMetricsSource implements MetricsSource {
  constructor(
    private readonly raw: MetricsSource,
    private readonly longTerm: LongTermMetrics,
    private readonly rawRetentionMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The source for a range of a downsampled measurement. */
  private pick(range: TimeRange): LongTermMetrics {
    return policyFor(range, this.rawRetentionMs, this.clock.now()) === 'raw' ? this.raw : this.longTerm;
  }

  devicesSeen(range: TimeRange) { return this.pick(range).devicesSeen(range); }
  reachability(range: TimeRange) { return this.pick(range).reachability(range); }
  availabilityByDay(range: TimeRange, timeZone: string) { return this.pick(range).availabilityByDay(range, timeZone); }
  siteLatency(range: TimeRange) { return this.pick(range).siteLatency(range); }
  siteLatencyTrend(range: TimeRange, bucketMs: number) { return this.pick(range).siteLatencyTrend(range, bucketMs); }
  load(range: TimeRange) { return this.pick(range).load(range); }
  temperatures(range: TimeRange) { return this.pick(range).temperatures(range); }
  ups(range: TimeRange) { return this.pick(range).ups(range); }
  interfaces(range: TimeRange, bucketMs: number) { return this.pick(range).interfaces(range, bucketMs); }
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
  const ep: InfluxEndpoint = { url: influx.url, database: influx.database, username: influx.username, password: influx.password };
  const raw = new InfluxMetricsSource(ep);
  if (influx.v2 || !influx.manageDatabase) return raw;
  return new RetentionRoutedMetricsSource(raw, new InfluxLongTermSource(statementRunner(readerFor(ep))), influx.retention.raw, clock);
}
