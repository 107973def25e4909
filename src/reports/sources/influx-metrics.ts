import { durationLiteral, quoteIdent, quoteString } from '../../storage/influxql.js';
import type { InfluxReader, QuerySeries } from '../../storage/queries.js';
import { readEventCounts, type EventCount } from './influx-events.js';
import { cell, num, readerFor, rows, statementRunner, timeOf, timeWhere, type InfluxEndpoint, type StatementRunner } from './influx-query.js';
import type {
  AvailabilityBucket, DeviceIdentity, DeviceLoad, DeviceReachability, DeviceSeen, DeviceTemperature, HardwareUnit,
  IdentityHistory, InterfaceStats, MetricsSource, RebootEvent, SiteLatency, StorageVolume, TimeRange, TrendPoint, UpsState,
} from './types.js';

/** How far back the identity a device had before the period is looked for. */
const IDENTITY_LOOKBACK_MS = 90 * 86_400_000;
/** Interfaces whose peak trend is fetched for the capacity projection: the busiest ones. */
const TREND_INTERFACES = 50;

/**
 * Reads the report's numbers with InfluxQL from the raw samples of docs/SCHEMA.md, in the database's default
 * retention policy (`raw`, 30 days by default): a period older than that finds no data (docs/REPORTS.md).
 */
export class InfluxMetricsSource implements MetricsSource {
  private readonly run: StatementRunner;
  /** From an endpoint (the report's own reader) or from storage's reader the runtime already holds. */
  constructor(from: InfluxEndpoint | InfluxReader) {
    this.run = statementRunner('query' in from ? from : readerFor(from));
  }

  private async q(...statements: string[]): Promise<QuerySeries[][]> {
    return this.run(statements);
  }

  async devicesSeen(range: TimeRange): Promise<DeviceSeen[]> {
    const by = `GROUP BY ${['device', 'site', 'class', 'vendor'].map(quoteIdent).join(',')}`;
    const [icmp, snmp] = await this.q(
      `SELECT count("up") FROM "icmp" WHERE ${timeWhere(range)} ${by}`,
      `SELECT count("ok") FROM "snmp_poll" WHERE ${timeWhere(range)} ${by}`,
    );
    const out = new Map<string, DeviceSeen>();
    for (const s of [...(icmp ?? []), ...(snmp ?? [])]) {
      const t = s.tags ?? {};
      const device = t.device ?? '';
      if (!device) continue;
      const prev = out.get(device);
      // The vendor tag is `unknown` until identification ran; prefer the identified value.
      if (!prev || (prev.vendor === 'unknown' && t.vendor && t.vendor !== 'unknown')) {
        out.set(device, { device, site: t.site ?? prev?.site ?? '', class: t.class ?? prev?.class ?? '', vendor: t.vendor || prev?.vendor || 'unknown' });
      }
    }
    return [...out.values()].sort((a, b) => a.device.localeCompare(b.device));
  }

  async reachability(range: TimeRange): Promise<DeviceReachability[]> {
    const w = timeWhere(range);
    const [all, down, last] = await this.q(
      `SELECT count("up") AS samples, mean("rtt_avg_ms") AS rtt, mean("loss_pct") AS loss FROM "icmp" WHERE ${w} GROUP BY "device","site"`,
      `SELECT count("up") AS down FROM "icmp" WHERE ${w} AND "up" = false GROUP BY "device"`,
      `SELECT last("up") AS up FROM "icmp" WHERE ${w} GROUP BY "device"`,
    );
    const downBy = new Map(rows(down ?? []).map(({ s, tags, row }) => [tags.device ?? '', num(s, row, 'down') ?? 0]));
    const lastBy = new Map(rows(last ?? []).map(({ s, tags, row }) => [tags.device ?? '', cell(s, row, 'up')]));
    const out = new Map<string, DeviceReachability>();
    for (const { s, tags, row } of rows(all ?? [])) {
      const device = tags.device ?? '';
      const samples = num(s, row, 'samples') ?? 0;
      const prev = out.get(device);
      if (prev) { prev.samples += samples; continue; } // a device that moved site during the period
      const lastUp = lastBy.get(device);
      out.set(device, {
        device, site: tags.site ?? '', samples, upSamples: 0,
        lastUp: typeof lastUp === 'boolean' ? lastUp : undefined,
        rttAvgMs: num(s, row, 'rtt'), lossAvgPct: num(s, row, 'loss'),
      });
    }
    for (const r of out.values()) r.upSamples = r.samples - (downBy.get(r.device) ?? 0);
    return [...out.values()];
  }

  async availabilityByDay(range: TimeRange, timeZone: string): Promise<AvailabilityBucket[]> {
    const w = timeWhere(range);
    const tz = `tz(${quoteString(timeZone)})`;
    const [all, down] = await this.q(
      `SELECT count("up") AS n FROM "icmp" WHERE ${w} GROUP BY time(1d) fill(none) ${tz}`,
      `SELECT count("up") AS n FROM "icmp" WHERE ${w} AND "up" = false GROUP BY time(1d) fill(none) ${tz}`,
    );
    const downAt = new Map(rows(down ?? []).map(({ s, row }) => [timeOf(s, row).getTime(), num(s, row, 'n') ?? 0]));
    return rows(all ?? []).map(({ s, row }) => {
      const time = timeOf(s, row);
      const samples = num(s, row, 'n') ?? 0;
      return { time, samples, upSamples: samples - (downAt.get(time.getTime()) ?? 0) };
    });
  }

  private latencySelect(): string {
    return 'SELECT mean("rtt_avg_ms") AS rtt_avg, max("rtt_max_ms") AS rtt_max, mean("loss_pct") AS loss_avg, max("loss_pct") AS loss_max FROM "icmp"';
  }

  private latencyRows(series: QuerySeries[], withTime: boolean): SiteLatency[] {
    return rows(series).map(({ s, tags, row }) => ({
      site: tags.site ?? '', ...(withTime ? { time: timeOf(s, row) } : {}),
      rttAvgMs: num(s, row, 'rtt_avg'), rttMaxMs: num(s, row, 'rtt_max'), lossAvgPct: num(s, row, 'loss_avg'), lossMaxPct: num(s, row, 'loss_max'),
    }));
  }

  async siteLatency(range: TimeRange): Promise<SiteLatency[]> {
    const [r] = await this.q(`${this.latencySelect()} WHERE ${timeWhere(range)} GROUP BY "site"`);
    return this.latencyRows(r ?? [], false);
  }

  async siteLatencyTrend(range: TimeRange, bucketMs: number): Promise<SiteLatency[]> {
    const [r] = await this.q(`${this.latencySelect()} WHERE ${timeWhere(range)} GROUP BY time(${durationLiteral(bucketMs)}),"site" fill(none)`);
    return this.latencyRows(r ?? [], true);
  }

  async load(range: TimeRange): Promise<DeviceLoad[]> {
    const w = timeWhere(range);
    const [cpu, mem] = await this.q(
      `SELECT mean("load_pct") AS avg, max("load_pct") AS peak FROM "cpu" WHERE ${w} GROUP BY "device"`,
      `SELECT max("used_pct") AS peak FROM "memory" WHERE ${w} GROUP BY "device"`,
    );
    const out = new Map<string, DeviceLoad>();
    const get = (device: string) => { let d = out.get(device); if (!d) { d = { device }; out.set(device, d); } return d; };
    for (const { s, tags, row } of rows(cpu ?? [])) Object.assign(get(tags.device ?? ''), { cpuAvgPct: num(s, row, 'avg'), cpuPeakPct: num(s, row, 'peak') });
    for (const { s, tags, row } of rows(mem ?? [])) get(tags.device ?? '').memoryPeakPct = num(s, row, 'peak');
    return [...out.values()];
  }

  async storage(range: TimeRange, bucketMs: number): Promise<StorageVolume[]> {
    const w = timeWhere(range);
    const [peaks, trend] = await this.q(
      `SELECT max("used_pct") AS peak, last("used_pct") AS last FROM "storage" WHERE ${w} GROUP BY "device","mount"`,
      `SELECT mean("used_pct") AS v FROM "storage" WHERE ${w} GROUP BY time(${durationLiteral(bucketMs)}),"device","mount" fill(none)`,
    );
    const key = (t: Record<string, string>) => `${t.device ?? ''}\u0000${t.mount ?? ''}`;
    const trends = new Map<string, TrendPoint[]>();
    for (const { s, tags, row } of rows(trend ?? [])) {
      const v = num(s, row, 'v');
      if (v === undefined) continue;
      const list = trends.get(key(tags)) ?? [];
      list.push({ time: timeOf(s, row), value: v });
      trends.set(key(tags), list);
    }
    return rows(peaks ?? []).flatMap(({ s, tags, row }) => {
      const peak = num(s, row, 'peak');
      return peak === undefined ? [] : [{ device: tags.device ?? '', mount: tags.mount ?? '', peakPct: peak, lastPct: num(s, row, 'last'), trend: trends.get(key(tags)) ?? [] }];
    });
  }

  async temperatures(range: TimeRange): Promise<DeviceTemperature[]> {
    const [r] = await this.q(`SELECT max("value") AS max_c FROM "sensor" WHERE ${timeWhere(range)} AND "kind" = 'temperature' GROUP BY "device","name"`);
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

  async hardware(range: TimeRange): Promise<HardwareUnit[]> {
    const w = `${timeWhere(range)} AND ("kind" = 'fan' OR "kind" = 'psu')`;
    const by = 'GROUP BY "device","kind","name"';
    const [all, bad, last] = await this.q(
      `SELECT count("ok") AS n FROM "sensor" WHERE ${w} ${by}`,
      `SELECT count("ok") AS n FROM "sensor" WHERE ${w} AND "ok" = false ${by}`,
      `SELECT last("ok") AS ok FROM "sensor" WHERE ${w} ${by}`,
    );
    const key = (t: Record<string, string>) => `${t.device}\u0000${t.kind}\u0000${t.name}`;
    const badBy = new Map(rows(bad ?? []).map(({ s, tags, row }) => [key(tags), num(s, row, 'n') ?? 0]));
    const lastBy = new Map(rows(last ?? []).map(({ s, tags, row }) => [key(tags), cell(s, row, 'ok')]));
    return rows(all ?? []).map(({ s, tags, row }) => {
      const lastOk = lastBy.get(key(tags));
      return {
        device: tags.device ?? '', kind: tags.kind === 'psu' ? 'psu' : 'fan', name: tags.name ?? '',
        samples: num(s, row, 'n') ?? 0, badSamples: badBy.get(key(tags)) ?? 0,
        lastOk: typeof lastOk === 'boolean' ? lastOk : undefined,
      };
    });
  }

  events(range: TimeRange): Promise<EventCount[]> {
    return readEventCounts((statements) => this.run(statements), range);
  }

  async reboots(range: TimeRange): Promise<RebootEvent[]> {
    const [r] = await this.q(`SELECT "message" FROM "event" WHERE ${timeWhere(range)} AND "type" = 'reboot' GROUP BY "device" LIMIT 1000`);
    return rows(r ?? []).map(({ s, tags, row }) => ({ device: tags.device ?? '', time: timeOf(s, row), message: String(cell(s, row, 'message') ?? '') }))
      .sort((a, b) => a.time.getTime() - b.time.getTime());
  }

  async ups(range: TimeRange): Promise<UpsState[]> {
    const w = timeWhere(range);
    const by = 'GROUP BY "device","ups"';
    const [mins, states, replace] = await this.q(
      `SELECT min("charge_pct") AS charge, min("runtime_min") AS runtime FROM "ups" WHERE ${w} ${by}`,
      `SELECT "on_battery" FROM "ups" WHERE ${w} ${by}`,
      `SELECT count("replace_battery") AS n FROM "ups" WHERE ${w} AND "replace_battery" = true ${by}`,
    );
    const key = (t: Record<string, string>) => `${t.device ?? ''}\u0000${t.ups ?? ''}`;
    const out = new Map<string, UpsState>();
    const get = (t: Record<string, string>) => {
      let u = out.get(key(t));
      if (!u) { u = { device: t.device ?? '', ups: t.ups ?? '', onBattery: [], replaceBattery: false }; out.set(key(t), u); }
      return u;
    };
    for (const { s, tags, row } of rows(mins ?? [])) Object.assign(get(tags), { minChargePct: num(s, row, 'charge'), minRuntimeMin: num(s, row, 'runtime') });
    for (const { s, tags, row } of rows(replace ?? [])) if ((num(s, row, 'n') ?? 0) > 0) get(tags).replaceBattery = true;
    for (const s of states ?? []) {
      const u = get(s.tags ?? {});
      let runStart: Date | undefined;
      for (const row of s.values) {
        const v = cell(s, row, 'on_battery');
        if (typeof v !== 'boolean') continue;
        const t = timeOf(s, row);
        if (v && !runStart) runStart = t;
        if (!v && runStart) { u.onBattery.push({ start: runStart, end: t, durationMs: t.getTime() - runStart.getTime() }); runStart = undefined; }
      }
      if (runStart) u.onBattery.push({ start: runStart, durationMs: range.end.getTime() - runStart.getTime() });
    }
    return [...out.values()];
  }

  async interfaces(range: TimeRange, bucketMs: number): Promise<InterfaceStats[]> {
    const w = timeWhere(range);
    const [peaks, errors] = await this.q(
      // ifAlias is a string field (docs/SCHEMA.md: device-controlled text is not a tag): the last one written names the port.
      `SELECT max("in_util_pct") AS in_peak, max("out_util_pct") AS out_peak, last("ifAlias") AS alias FROM "interface" WHERE ${w} GROUP BY "device","ifName"`,
      // Errors are counted from the raw counters, so a missed poll loses nothing; a counter reset counts as 0, not negative.
      `SELECT sum("ie") AS in_err, sum("oe") AS out_err FROM (SELECT non_negative_difference("in_errors") AS ie, non_negative_difference("out_errors") AS oe FROM "interface" WHERE ${w} GROUP BY "device","ifName") WHERE ${w} GROUP BY "device","ifName"`,
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
      const alias = cell(s, row, 'alias');
      if (typeof alias === 'string' && alias) i.ifAlias = alias;
      for (const v of [num(s, row, 'in_peak'), num(s, row, 'out_peak')]) if (v !== undefined && (i.peakUtilPct === undefined || v > i.peakUtilPct)) i.peakUtilPct = v;
    }
    for (const { s, tags, row } of rows(errors ?? [])) {
      const i = get(tags);
      i.inErrors = num(s, row, 'in_err') ?? 0;
      i.outErrors = num(s, row, 'out_err') ?? 0;
    }
    const busiest = [...out.values()].filter((i) => i.peakUtilPct !== undefined)
      .sort((a, b) => (b.peakUtilPct ?? 0) - (a.peakUtilPct ?? 0)).slice(0, TREND_INTERFACES);
    if (busiest.length > 0) {
      const stmts = busiest.map((i) =>
        `SELECT max("in_util_pct") AS i, max("out_util_pct") AS o FROM "interface" WHERE ${w} AND "device" = ${quoteString(i.device)} AND "ifName" = ${quoteString(i.ifName)} GROUP BY time(${durationLiteral(bucketMs)}) fill(none)`);
      const trends = await this.q(...stmts);
      busiest.forEach((i, n) => {
        for (const { s, row } of rows(trends[n] ?? [])) {
          const vals = [num(s, row, 'i'), num(s, row, 'o')].filter((v): v is number => v !== undefined);
          if (vals.length > 0) i.trend.push({ time: timeOf(s, row), value: Math.max(...vals) });
        }
      });
    }
    return [...out.values()];
  }

  async identity(range: TimeRange): Promise<IdentityHistory[]> {
    const fields = 'last("model") AS model, last("version") AS version, last("serial") AS serial';
    const before = { start: new Date(range.start.getTime() - IDENTITY_LOOKBACK_MS), end: range.start };
    const [prev, during] = await this.q(
      `SELECT ${fields} FROM "system" WHERE ${timeWhere(before)} GROUP BY "device"`,
      `SELECT ${fields} FROM "system" WHERE ${timeWhere(range)} GROUP BY time(1h),"device" fill(none)`,
    );
    const pick = (s: QuerySeries, row: unknown[]): DeviceIdentity => {
      const id: DeviceIdentity = {};
      for (const f of ['model', 'version', 'serial'] as const) {
        const v = cell(s, row, f);
        if (typeof v === 'string' && v !== '') id[f] = v;
      }
      return id;
    };
    const out = new Map<string, IdentityHistory & { cur: DeviceIdentity }>();
    for (const { s, tags, row } of rows(prev ?? [])) {
      const id = pick(s, row);
      out.set(tags.device ?? '', { device: tags.device ?? '', before: id, cur: { ...id }, changes: [] });
    }
    for (const s of during ?? []) {
      const device = s.tags?.device ?? '';
      let h = out.get(device);
      if (!h) { h = { device, cur: {}, changes: [] }; out.set(device, h); }
      for (const row of s.values) {
        const id = pick(s, row);
        for (const f of ['model', 'version', 'serial'] as const) {
          const v = id[f];
          if (v === undefined) continue;
          // The first value of a device never seen before is its baseline, not a change.
          if (h.cur[f] !== undefined && h.cur[f] !== v) h.changes.push({ time: timeOf(s, row), field: f, from: h.cur[f], to: v });
          h.cur[f] = v;
        }
      }
    }
    return [...out.values()].map(({ device, before: b, changes }) => ({ device, before: b, changes }));
  }
}
