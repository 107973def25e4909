/**
 * The report's numbers from the downsampled `long_term` retention policy (docs/STORAGE.md): the continuous queries
 * keep `mean_<field>` and `max_<field>` of every numeric field per 5-minute bucket, with the tags. Booleans and strings
 * are not kept, so availability is counted in buckets (docs/REPORTS.md, "Retention") and what only booleans or
 * strings tell (fan/PSU state, UPS on battery, reboots, identity, storage) is not answered here.
 */
import { durationLiteral, quoteIdent, quoteString } from '../../storage/influxql.js';
import { LONG_TERM_POLICY } from '../../storage/influx/setup.js';
import type { QuerySeries } from '../../storage/queries.js';
import { num, rows, timeOf, timeWhere, type StatementRunner } from './influx-query.js';
import type {
  AvailabilityBucket, DeviceLoad, DeviceReachability, DeviceSeen, DeviceTemperature, InterfaceStats, SiteLatency, TimeRange, TrendPoint, UpsState,
} from './types.js';

/** Interfaces whose peak trend is fetched, as in the raw source: the busiest ones. */
const TREND_INTERFACES = 50;

/** The subset of `MetricsSource` the downsampled series can answer. */
export type LongTermMetrics = Pick<InfluxLongTermSource,
  'devicesSeen' | 'reachability' | 'availabilityByDay' | 'siteLatency' | 'siteLatencyTrend' | 'load' | 'temperatures' | 'ups' | 'interfaces'>;

/** Reads `"long_term".<measurement>`; a missing policy (an administrator-managed database) reads as no data. */
export class InfluxLongTermSource {
  constructor(private readonly run: StatementRunner, private readonly policy: string = LONG_TERM_POLICY) {}

  private from(measurement: string): string {
    return `${quoteIdent(this.policy)}.${quoteIdent(measurement)}`;
  }

  private async q(...statements: string[]): Promise<QuerySeries[][]> {
    try {
      return await this.run(statements);
    } catch (err) {
      if (err instanceof Error && /retention policy not found/.test(err.message)) return statements.map(() => []);
      throw err;
    }
  }

  async devicesSeen(range: TimeRange): Promise<DeviceSeen[]> {
    const [r] = await this.q(`SELECT count("max_received") FROM ${this.from('icmp')} WHERE ${timeWhere(range)} GROUP BY "device","site","class","vendor"`);
    const out = new Map<string, DeviceSeen>();
    for (const s of r ?? []) {
      const t = s.tags ?? {};
      const device = t.device ?? '';
      if (!device) continue;
      const prev = out.get(device);
      if (!prev || (prev.vendor === 'unknown' && t.vendor && t.vendor !== 'unknown')) {
        out.set(device, { device, site: t.site ?? prev?.site ?? '', class: t.class ?? prev?.class ?? '', vendor: t.vendor || prev?.vendor || 'unknown' });
      }
    }
    return [...out.values()].sort((a, b) => a.device.localeCompare(b.device));
  }

  /**
   * Each 5-minute bucket is one sample; it is down when no echo reply came back in it at all (`max_received` = 0),
   * since `up` itself (a boolean) is not downsampled.
   */
  async reachability(range: TimeRange): Promise<DeviceReachability[]> {
    const w = timeWhere(range);
    const icmp = this.from('icmp');
    const [all, down, last] = await this.q(
      `SELECT count("max_received") AS samples, mean("mean_rtt_avg_ms") AS rtt, mean("mean_loss_pct") AS loss FROM ${icmp} WHERE ${w} GROUP BY "device","site"`,
      `SELECT count("max_received") AS down FROM ${icmp} WHERE ${w} AND "max_received" = 0 GROUP BY "device"`,
      `SELECT last("max_received") AS rx FROM ${icmp} WHERE ${w} GROUP BY "device"`,
    );
    const downBy = new Map(rows(down ?? []).map(({ s, tags, row }) => [tags.device ?? '', num(s, row, 'down') ?? 0]));
    const lastBy = new Map(rows(last ?? []).map(({ s, tags, row }) => [tags.device ?? '', num(s, row, 'rx')]));
    const out = new Map<string, DeviceReachability>();
    for (const { s, tags, row } of rows(all ?? [])) {
      const device = tags.device ?? '';
      const samples = num(s, row, 'samples') ?? 0;
      const prev = out.get(device);
      if (prev) { prev.samples += samples; continue; }
      const rx = lastBy.get(device);
      out.set(device, {
        device, site: tags.site ?? '', samples, upSamples: 0, lastUp: rx === undefined ? undefined : rx > 0,
        rttAvgMs: num(s, row, 'rtt'), lossAvgPct: num(s, row, 'loss'),
      });
    }
    for (const r of out.values()) r.upSamples = r.samples - (downBy.get(r.device) ?? 0);
    return [...out.values()];
  }

  async availabilityByDay(range: TimeRange, timeZone: string): Promise<AvailabilityBucket[]> {
    const w = timeWhere(range);
    const tz = `tz(${quoteString(timeZone)})`;
    const icmp = this.from('icmp');
    const [all, down] = await this.q(
      `SELECT count("max_received") AS n FROM ${icmp} WHERE ${w} GROUP BY time(1d) fill(none) ${tz}`,
      `SELECT count("max_received") AS n FROM ${icmp} WHERE ${w} AND "max_received" = 0 GROUP BY time(1d) fill(none) ${tz}`,
    );
    const downAt = new Map(rows(down ?? []).map(({ s, row }) => [timeOf(s, row).getTime(), num(s, row, 'n') ?? 0]));
    return rows(all ?? []).map(({ s, row }) => {
      const time = timeOf(s, row);
      const samples = num(s, row, 'n') ?? 0;
      return { time, samples, upSamples: samples - (downAt.get(time.getTime()) ?? 0) };
    });
  }

  private latency(range: TimeRange, by: string): string {
    return `SELECT mean("mean_rtt_avg_ms") AS rtt_avg, max("max_rtt_max_ms") AS rtt_max, mean("mean_loss_pct") AS loss_avg, max("max_loss_pct") AS loss_max ` +
      `FROM ${this.from('icmp')} WHERE ${timeWhere(range)} GROUP BY ${by}`;
  }

  private latencyRows(series: QuerySeries[], withTime: boolean): SiteLatency[] {
    return rows(series).map(({ s, tags, row }) => ({
      site: tags.site ?? '', ...(withTime ? { time: timeOf(s, row) } : {}),
      rttAvgMs: num(s, row, 'rtt_avg'), rttMaxMs: num(s, row, 'rtt_max'), lossAvgPct: num(s, row, 'loss_avg'), lossMaxPct: num(s, row, 'loss_max'),
    }));
  }

  async siteLatency(range: TimeRange): Promise<SiteLatency[]> {
    const [r] = await this.q(this.latency(range, '"site"'));
    return this.latencyRows(r ?? [], false);
  }

  async siteLatencyTrend(range: TimeRange, bucketMs: number): Promise<SiteLatency[]> {
    const [r] = await this.q(`${this.latency(range, `time(${durationLiteral(bucketMs)}),"site"`)} fill(none)`);
    return this.latencyRows(r ?? [], true);
  }

  async load(range: TimeRange): Promise<DeviceLoad[]> {
    const w = timeWhere(range);
    const [cpu, mem] = await this.q(
      `SELECT mean("mean_load_pct") AS avg, max("max_load_pct") AS peak FROM ${this.from('cpu')} WHERE ${w} GROUP BY "device"`,
      `SELECT max("max_used_pct") AS peak FROM ${this.from('memory')} WHERE ${w} GROUP BY "device"`,
    );
    const out = new Map<string, DeviceLoad>();
    const get = (device: string) => { let d = out.get(device); if (!d) { d = { device }; out.set(device, d); } return d; };
    for (const { s, tags, row } of rows(cpu ?? [])) Object.assign(get(tags.device ?? ''), { cpuAvgPct: num(s, row, 'avg'), cpuPeakPct: num(s, row, 'peak') });
    for (const { s, tags, row } of rows(mem ?? [])) get(tags.device ?? '').memoryPeakPct = num(s, row, 'peak');
    return [...out.values()];
  }

  async temperatures(range: TimeRange): Promise<DeviceTemperature[]> {
    const [r] = await this.q(`SELECT max("max_value") AS max_c FROM ${this.from('sensor')} WHERE ${timeWhere(range)} AND "kind" = 'temperature' GROUP BY "device","name"`);
    const out = new Map<string, DeviceTemperature>();
    for (const { s, tags, row } of rows(r ?? [])) {
      const v = num(s, row, 'max_c');
      const device = tags.device ?? '';
      if (v === undefined) continue;
      const prev = out.get(device);
      if (!prev || v > prev.maxC) out.set(device, { device, maxC: v, sensor: tags.name ?? '' });
    }
    return [...out.values()];
  }

  /** The lowest 5-minute mean of charge and runtime; on-battery runs and the replace flag are booleans, not kept. */
  async ups(range: TimeRange): Promise<UpsState[]> {
    const [r] = await this.q(`SELECT min("mean_charge_pct") AS charge, min("mean_runtime_min") AS runtime FROM ${this.from('ups')} WHERE ${timeWhere(range)} GROUP BY "device","ups"`);
    return rows(r ?? []).map(({ s, tags, row }) => ({
      device: tags.device ?? '', ups: tags.ups ?? '', minChargePct: num(s, row, 'charge'), minRuntimeMin: num(s, row, 'runtime'), onBattery: [], replaceBattery: false,
    }));
  }

  /** Peaks from `max_*_util_pct`; errors from the non-negative differences of the bucket maxima of the raw counters. */
  async interfaces(range: TimeRange, bucketMs: number): Promise<InterfaceStats[]> {
    const w = timeWhere(range);
    const ifs = this.from('interface');
    const [peaks, errors] = await this.q(
      `SELECT max("max_in_util_pct") AS in_peak, max("max_out_util_pct") AS out_peak FROM ${ifs} WHERE ${w} GROUP BY "device","ifName"`,
      `SELECT sum("ie") AS in_err, sum("oe") AS out_err FROM (SELECT non_negative_difference("max_in_errors") AS ie, non_negative_difference("max_out_errors") AS oe FROM ${ifs} WHERE ${w} GROUP BY "device","ifName") WHERE ${w} GROUP BY "device","ifName"`,
    );
    const key = (t: Record<string, string>) => `${t.device ?? ''}\u0000${t.ifName ?? ''}`;
    const out = new Map<string, InterfaceStats>();
    const get = (t: Record<string, string>) => {
      let i = out.get(key(t));
      if (!i) { i = { device: t.device ?? '', ifName: t.ifName ?? '', ifAlias: '', inErrors: 0, outErrors: 0, trend: [] }; out.set(key(t), i); }
      return i;
    };
    for (const { s, tags, row } of rows(peaks ?? [])) {
      const i = get(tags);
      for (const v of [num(s, row, 'in_peak'), num(s, row, 'out_peak')]) if (v !== undefined && (i.peakUtilPct === undefined || v > i.peakUtilPct)) i.peakUtilPct = v;
    }
    for (const { s, tags, row } of rows(errors ?? [])) Object.assign(get(tags), { inErrors: num(s, row, 'in_err') ?? 0, outErrors: num(s, row, 'out_err') ?? 0 });
    const busiest = [...out.values()].filter((i) => i.peakUtilPct !== undefined)
      .sort((a, b) => (b.peakUtilPct ?? 0) - (a.peakUtilPct ?? 0)).slice(0, TREND_INTERFACES);
    if (busiest.length === 0) return [...out.values()];
    const trends = await this.q(...busiest.map((i) =>
      `SELECT max("max_in_util_pct") AS i, max("max_out_util_pct") AS o FROM ${ifs} WHERE ${w} AND "device" = ${quoteString(i.device)} AND "ifName" = ${quoteString(i.ifName)} GROUP BY time(${durationLiteral(bucketMs)}) fill(none)`));
    busiest.forEach((i, n) => {
      for (const { s, row } of rows(trends[n] ?? [])) {
        const vals = [num(s, row, 'i'), num(s, row, 'o')].filter((v): v is number => v !== undefined);
        if (vals.length > 0) i.trend.push({ time: timeOf(s, row), value: Math.max(...vals) } satisfies TrendPoint);
      }
    });
    return [...out.values()];
  }
}
