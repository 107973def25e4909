/**
 * The report model: queries -> numbers. Everything a renderer prints is decided here, in no language;
 * renderers only translate and format. See docs/REPORTS.md for each definition.
 */
import { SEVERITIES, type Severity } from '../core/incident.js';
import { projectCrossing } from './capacity.js';
import type { ReportPeriod } from './period.js';
import { previousPeriod } from './period.js';
import { slaOf } from './sla.js';
import type {
  DeviceSeen, IncidentSource, IncidentRecord, MetricsSource, RebootEvent, SlaRecord, TimeRange, UpsState,
} from './sources.js';
import { formatDay, localDayOf } from './time-zone.js';

/** Limits above which a device "needs attention"; documented in docs/REPORTS.md. */
export const THRESHOLDS = {
  availabilityPct: 99.9,
  cpuAvgPct: 70,
  cpuPeakPct: 90,
  memoryPeakPct: 90,
  storagePct: 85,
  temperatureC: 60,
  upsChargePct: 50,
  interfaceErrors: 100,
  capacityPct: 90,
  capacityHorizonDays: 30,
} as const;

/** One reason a device needs attention, in no language. */
export type Finding =
  | { code: 'no-data' }
  | { code: 'down-at-end' }
  | { code: 'availability'; pct: number; downtimeMs: number }
  | { code: 'reboot'; count: number }
  | { code: 'cpu'; avgPct?: number; peakPct?: number }
  | { code: 'memory'; peakPct: number }
  | { code: 'storage'; mount: string; pct: number }
  | { code: 'temperature'; maxC: number; sensor: string }
  | { code: 'hardware'; units: { kind: 'fan' | 'psu'; name: string; lastOk?: boolean }[] }
  | { code: 'ups-on-battery'; events: number; totalMs: number }
  | { code: 'ups-replace' }
  | { code: 'ups-charge'; minPct: number };

/** One row of the per-device inspection table. */
export interface DeviceRow {
  device: string;
  site: string;
  class: string;
  /** up/down by the last ICMP sample of the period; unknown without ICMP data. */
  state: 'up' | 'down' | 'unknown';
  hasData: boolean;
  icmpSamples: number;
  availabilityPct?: number;
  downtimeMs?: number;
  reboots: number;
  cpuAvgPct?: number;
  cpuPeakPct?: number;
  memoryPeakPct?: number;
  storageFullest?: { mount: string; pct: number };
  temperatureMaxC?: number;
  /** none: the device reports no fans or PSUs. */
  hardware: 'ok' | 'fault' | 'none';
  verdict: 'normal' | 'attention' | 'no-data';
  findings: Finding[];
}

/** One interface in the top lists. */
export interface InterfaceRow { device: string; ifName: string; ifAlias: string; peakUtilPct?: number; inErrors: number; outErrors: number }

/** One incident as the report lists it. */
export interface IncidentRow extends IncidentRecord {
  openedInPeriod: boolean;
  sla: SlaRecord;
  /** Opened to resolved, or to the end of the period while it is still open. */
  durationMs: number;
  ongoing: boolean;
}

/** SLA compliance of the incidents opened in the period. */
export interface SlaSummary {
  incidents: number;
  responseMet: number;
  responseMissed: number;
  resolutionMet: number;
  resolutionMissed: number;
  /** met / (met + missed), undefined when nothing was measured. */
  responseCompliancePct?: number;
  resolutionCompliancePct?: number;
  /** Counts per grading band 1..4 (index 0 = band 1). */
  responseBands: [number, number, number, number];
  resolutionBands: [number, number, number, number];
}

/** A resource whose linear trend reaches the capacity limit within the horizon. */
export interface CapacityRow { kind: 'storage' | 'interface'; device: string; name: string; nowPct: number; slopePerDay: number; at: Date; alreadyOver: boolean }

/** A recommendation, in no language: the renderer words it. */
export type Recommendation =
  | { code: 'check-availability'; devices: string[] }
  | { code: 'check-down'; devices: string[] }
  | { code: 'check-reboots'; devices: string[] }
  | { code: 'check-load'; devices: string[] }
  | { code: 'storage-capacity'; items: CapacityRow[] }
  | { code: 'interface-capacity'; items: CapacityRow[] }
  | { code: 'storage-full'; items: { device: string; mount: string; pct: number }[] }
  | { code: 'interface-errors'; items: InterfaceRow[] }
  | { code: 'hardware'; devices: string[] }
  | { code: 'temperature'; devices: string[] }
  | { code: 'ups'; devices: string[] }
  | { code: 'sla-missed'; count: number }
  | { code: 'open-incidents'; count: number }
  | { code: 'identity-changes'; devices: string[] }
  | { code: 'no-data'; devices: string[] }
  | { code: 'all-normal' };

/** Everything one report says, computed once and rendered into any language and format. */
export interface ReportModel {
  period: ReportPeriod;
  previous: ReportPeriod;
  generatedAt: Date;
  /** False when InfluxDB holds no sample at all for the period: the report says so instead of printing zeros. */
  hasData: boolean;
  summary: {
    devicesInspected: number;
    devicesWithData: number;
    /** Mean of the per-device availabilities (devices with ICMP data). */
    availabilityPct?: number;
    /** Incidents active in the period by severity; undefined when no incident store is connected. */
    incidentsBySeverity?: Record<Severity, number>;
    sla?: SlaSummary;
    verdict: 'normal' | 'abnormal' | 'no-data';
    attentionCount: number;
  };
  devices: DeviceRow[];
  availabilityByDay: { day: string; pct?: number }[];
  sites: { site: string; availabilityPct?: number; rttAvgMs?: number; rttMaxMs?: number; lossAvgPct?: number; lossMaxPct?: number }[];
  latencyTrend: { site: string; points: { time: Date; rttAvgMs: number }[] }[];
  topUtilisation: InterfaceRow[];
  topErrors: InterfaceRow[];
  ups: (UpsState & { onBatteryTotalMs: number })[];
  /** Undefined when no incident store is connected. */
  incidents?: IncidentRow[];
  changes: {
    added: DeviceSeen[];
    removed: DeviceSeen[];
    /** False when the previous period has no data at all, so "added" would mean nothing. */
    previousHasData: boolean;
    identity: { device: string; time: Date; field: 'model' | 'version' | 'serial'; from?: string; to?: string }[];
    reboots: RebootEvent[];
  };
  capacity: CapacityRow[];
  recommendations: Recommendation[];
}

/** What a report is built from. */
export interface ModelInputs {
  period: ReportPeriod;
  metrics: MetricsSource;
  /** The alert store; absent until it is connected, and the report then says incidents are not included. */
  incidents?: IncidentSource;
  /** Enabled inventory devices: a device in the inventory without a single sample is reported as "no data". */
  inventory?: { name: string; site: string; class: string }[];
  now?: Date;
}

function trendBucketMs(p: TimeRange): number {
  // About 168 points per series whatever the period: hourly for a week, 4-hourly for a month.
  const hours = Math.max(1, Math.round((p.end.getTime() - p.start.getTime()) / 168 / 3_600_000));
  return hours * 3_600_000;
}

function pctOf(up: number, all: number): number | undefined {
  return all > 0 ? (up / all) * 100 : undefined;
}

/** Builds the model of one report from the sources. */
export async function buildReportModel(input: ModelInputs): Promise<ReportModel> {
  const { period, metrics } = input;
  const now = input.now ?? new Date();
  const range: TimeRange = { start: period.start, end: period.end };
  const prev = previousPeriod(period);
  const prevRange: TimeRange = { start: prev.start, end: prev.end };
  const bucket = trendBucketMs(range);
  const periodMs = range.end.getTime() - range.start.getTime();

  const [seen, prevSeen, reach, byDay, siteLat, latTrend, load, storage, temps, hardware, reboots, ups, ifaces, identity, incidentList] = await Promise.all([
    metrics.devicesSeen(range), metrics.devicesSeen(prevRange), metrics.reachability(range),
    metrics.availabilityByDay(range, period.timeZone), metrics.siteLatency(range), metrics.siteLatencyTrend(range, bucket),
    metrics.load(range), metrics.storage(range, bucket), metrics.temperatures(range), metrics.hardware(range),
    metrics.reboots(range), metrics.ups(range), metrics.interfaces(range, bucket), metrics.identity(range),
    input.incidents ? input.incidents.incidents(range) : Promise.resolve(undefined),
  ]);

  // Devices: the inventory plus anything that sent samples (a device removed from the inventory mid-period still counts).
  const names = new Map<string, { site: string; class: string }>();
  for (const d of input.inventory ?? []) names.set(d.name, { site: d.site, class: d.class });
  for (const d of seen) names.set(d.device, { site: d.site || names.get(d.device)?.site || '', class: d.class || names.get(d.device)?.class || '' });
  const seenSet = new Set(seen.map((d) => d.device));
  const reachBy = new Map(reach.map((r) => [r.device, r]));
  const loadBy = new Map(load.map((l) => [l.device, l]));
  const tempBy = new Map(temps.map((t) => [t.device, t]));
  const rebootsBy = new Map<string, number>();
  for (const r of reboots) rebootsBy.set(r.device, (rebootsBy.get(r.device) ?? 0) + 1);
  const upsTotals = ups.map((u) => ({ ...u, onBatteryTotalMs: u.onBattery.reduce((a, e) => a + e.durationMs, 0) }));

  const devices: DeviceRow[] = [...names.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([device, meta]) => {
    const r = reachBy.get(device);
    const l = loadBy.get(device);
    const vols = storage.filter((s) => s.device === device).sort((a, b) => b.peakPct - a.peakPct);
    const hw = hardware.filter((h) => h.device === device);
    const faulty = hw.filter((h) => h.badSamples > 0 || h.lastOk === false);
    const availabilityPct = r ? pctOf(r.upSamples, r.samples) : undefined;
    const hasData = seenSet.has(device) || (r?.samples ?? 0) > 0 || l !== undefined || vols.length > 0;
    const row: DeviceRow = {
      device, site: meta.site, class: meta.class, hasData,
      state: r?.lastUp === true ? 'up' : r?.lastUp === false ? 'down' : 'unknown',
      icmpSamples: r?.samples ?? 0,
      availabilityPct,
      downtimeMs: availabilityPct !== undefined ? ((100 - availabilityPct) / 100) * periodMs : undefined,
      reboots: rebootsBy.get(device) ?? 0,
      cpuAvgPct: l?.cpuAvgPct, cpuPeakPct: l?.cpuPeakPct, memoryPeakPct: l?.memoryPeakPct,
      storageFullest: vols[0] ? { mount: vols[0].mount, pct: vols[0].peakPct } : undefined,
      temperatureMaxC: tempBy.get(device)?.maxC,
      hardware: hw.length === 0 ? 'none' : faulty.length > 0 ? 'fault' : 'ok',
      verdict: 'normal', findings: [],
    };
    const f = row.findings;
    if (!hasData) f.push({ code: 'no-data' });
    if (row.state === 'down') f.push({ code: 'down-at-end' });
    if (availabilityPct !== undefined && availabilityPct < THRESHOLDS.availabilityPct) f.push({ code: 'availability', pct: availabilityPct, downtimeMs: row.downtimeMs ?? 0 });
    if (row.reboots > 0) f.push({ code: 'reboot', count: row.reboots });
    if ((l?.cpuPeakPct ?? 0) >= THRESHOLDS.cpuPeakPct || (l?.cpuAvgPct ?? 0) >= THRESHOLDS.cpuAvgPct) f.push({ code: 'cpu', avgPct: l?.cpuAvgPct, peakPct: l?.cpuPeakPct });
    if ((l?.memoryPeakPct ?? 0) >= THRESHOLDS.memoryPeakPct) f.push({ code: 'memory', peakPct: l!.memoryPeakPct! });
    if (row.storageFullest && row.storageFullest.pct >= THRESHOLDS.storagePct) f.push({ code: 'storage', ...row.storageFullest });
    const t = tempBy.get(device);
    if (t && t.maxC >= THRESHOLDS.temperatureC) f.push({ code: 'temperature', maxC: t.maxC, sensor: t.sensor });
    if (faulty.length > 0) f.push({ code: 'hardware', units: faulty.map((h) => ({ kind: h.kind, name: h.name, lastOk: h.lastOk })) });
    for (const u of upsTotals.filter((x) => x.device === device)) {
      if (u.onBattery.length > 0) f.push({ code: 'ups-on-battery', events: u.onBattery.length, totalMs: u.onBatteryTotalMs });
      if (u.replaceBattery) f.push({ code: 'ups-replace' });
      if (u.minChargePct !== undefined && u.minChargePct < THRESHOLDS.upsChargePct) f.push({ code: 'ups-charge', minPct: u.minChargePct });
    }
    row.verdict = !hasData ? 'no-data' : f.length > 0 ? 'attention' : 'normal';
    return row;
  });

  const withAvail = devices.filter((d) => d.availabilityPct !== undefined);
  const fleetAvailability = withAvail.length > 0 ? withAvail.reduce((a, d) => a + d.availabilityPct!, 0) / withAvail.length : undefined;
  const hasData = seen.length > 0 || reach.length > 0;

  // Days: every local day of the period, so a day without samples shows as a gap, not as 0 %.
  const dayPct = new Map(byDay.map((b) => [formatDay(localDayOf(b.time, period.timeZone)), pctOf(b.upSamples, b.samples)]));
  const availabilityByDay: ReportModel['availabilityByDay'] = [];
  for (let t = period.start.getTime(), i = 0; t < period.end.getTime() && i < 400; i++) {
    const day = formatDay(localDayOf(new Date(t), period.timeZone));
    availabilityByDay.push({ day, pct: dayPct.get(day) });
    t += 86_400_000;
    // DST days are 23 or 25 hours: re-align on the local day so no day is skipped or doubled.
    while (t < period.end.getTime() && formatDay(localDayOf(new Date(t), period.timeZone)) === day) t += 3_600_000;
  }

  const siteAvail = new Map<string, { up: number; all: number }>();
  for (const r of reach) {
    const s = siteAvail.get(r.site) ?? { up: 0, all: 0 };
    s.up += r.upSamples; s.all += r.samples;
    siteAvail.set(r.site, s);
  }
  const sites = siteLat.map((s) => ({ ...s, availabilityPct: pctOf(siteAvail.get(s.site)?.up ?? 0, siteAvail.get(s.site)?.all ?? 0) }))
    .sort((a, b) => a.site.localeCompare(b.site));
  const trendBySite = new Map<string, { time: Date; rttAvgMs: number }[]>();
  for (const p of latTrend) {
    if (p.rttAvgMs === undefined || !p.time) continue;
    const list = trendBySite.get(p.site) ?? [];
    list.push({ time: p.time, rttAvgMs: p.rttAvgMs });
    trendBySite.set(p.site, list);
  }
  const latencyTrend = [...trendBySite.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([site, points]) => ({ site, points }));

  const ifRows: InterfaceRow[] = ifaces.map(({ trend: _t, ...i }) => i);
  const topUtilisation = ifRows.filter((i) => i.peakUtilPct !== undefined).sort((a, b) => b.peakUtilPct! - a.peakUtilPct!).slice(0, 10);
  const topErrors = ifRows.filter((i) => i.inErrors + i.outErrors > 0).sort((a, b) => (b.inErrors + b.outErrors) - (a.inErrors + a.outErrors)).slice(0, 10);

  const horizon = THRESHOLDS.capacityHorizonDays * 86_400_000;
  const capacity: CapacityRow[] = [];
  for (const s of storage) {
    const p = projectCrossing(s.trend, period.end, THRESHOLDS.capacityPct, horizon);
    if (p) capacity.push({ kind: 'storage', device: s.device, name: s.mount, nowPct: p.nowPct, slopePerDay: p.slopePerDay, at: p.at, alreadyOver: p.at.getTime() === period.end.getTime() });
  }
  for (const i of ifaces) {
    const p = projectCrossing(i.trend, period.end, THRESHOLDS.capacityPct, horizon);
    if (p) capacity.push({ kind: 'interface', device: i.device, name: i.ifName, nowPct: p.nowPct, slopePerDay: p.slopePerDay, at: p.at, alreadyOver: p.at.getTime() === period.end.getTime() });
  }
  capacity.sort((a, b) => a.at.getTime() - b.at.getTime());

  // Incidents: SLA is judged as of the end of the period (or now, for a period still running).
  const asOf = now < period.end ? now : period.end;
  let incidents: IncidentRow[] | undefined;
  let incidentsBySeverity: Record<Severity, number> | undefined;
  let sla: SlaSummary | undefined;
  if (incidentList) {
    incidents = incidentList.map((i) => {
      const ongoing = !i.resolvedAt || i.resolvedAt > asOf;
      return {
        ...i, sla: slaOf(i, asOf), ongoing,
        openedInPeriod: i.openedAt >= period.start && i.openedAt < period.end,
        durationMs: (ongoing ? asOf.getTime() : i.resolvedAt!.getTime()) - i.openedAt.getTime(),
      };
    });
    incidentsBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, incidents!.filter((i) => i.severity === s).length])) as Record<Severity, number>;
    const judged = incidents.filter((i) => i.openedInPeriod && !i.sla.notGraded);
    const s: SlaSummary = { incidents: judged.length, responseMet: 0, responseMissed: 0, resolutionMet: 0, resolutionMissed: 0, responseBands: [0, 0, 0, 0], resolutionBands: [0, 0, 0, 0] };
    for (const i of judged) {
      if (i.sla.responseMet === true) s.responseMet++;
      if (i.sla.responseMet === false) s.responseMissed++;
      if (i.sla.resolutionMet === true) s.resolutionMet++;
      if (i.sla.resolutionMet === false) s.resolutionMissed++;
      if (i.sla.responseBand) s.responseBands[i.sla.responseBand - 1] = (s.responseBands[i.sla.responseBand - 1] ?? 0) + 1;
      if (i.sla.resolutionBand) s.resolutionBands[i.sla.resolutionBand - 1] = (s.resolutionBands[i.sla.resolutionBand - 1] ?? 0) + 1;
    }
    s.responseCompliancePct = pctOf(s.responseMet, s.responseMet + s.responseMissed);
    s.resolutionCompliancePct = pctOf(s.resolutionMet, s.resolutionMet + s.resolutionMissed);
    sla = s;
  }

  const prevSet = new Set(prevSeen.map((d) => d.device));
  const previousHasData = prevSeen.length > 0;
  const changes: ReportModel['changes'] = {
    previousHasData,
    added: previousHasData ? seen.filter((d) => !prevSet.has(d.device)) : [],
    removed: previousHasData ? prevSeen.filter((d) => !seenSet.has(d.device)) : [],
    identity: identity.flatMap((h) => h.changes.map((c) => ({ device: h.device, ...c }))).sort((a, b) => a.time.getTime() - b.time.getTime()),
    reboots,
  };

  const attention = devices.filter((d) => d.verdict === 'attention');
  const openSevere = (incidents ?? []).filter((i) => i.ongoing && (i.severity === 'P1' || i.severity === 'P2')).length;
  const verdict: ReportModel['summary']['verdict'] = !hasData ? 'no-data' : attention.length > 0 || openSevere > 0 ? 'abnormal' : 'normal';

  const model: ReportModel = {
    period, previous: prev, generatedAt: now, hasData,
    summary: {
      devicesInspected: devices.length, devicesWithData: devices.filter((d) => d.hasData).length,
      availabilityPct: fleetAvailability, incidentsBySeverity, sla, verdict, attentionCount: attention.length,
    },
    devices, availabilityByDay, sites, latencyTrend, topUtilisation, topErrors, ups: upsTotals,
    incidents, changes, capacity, recommendations: [],
  };
  model.recommendations = recommend(model);
  return model;
}

function devicesWith(model: ReportModel, codes: Finding['code'][]): string[] {
  return model.devices.filter((d) => d.findings.some((f) => codes.includes(f.code))).map((d) => d.device);
}

/** Turns findings into recommendations, most urgent first. */
function recommend(model: ReportModel): Recommendation[] {
  if (!model.hasData) return [{ code: 'no-data', devices: model.devices.map((d) => d.device) }];
  const out: Recommendation[] = [];
  const push = (r: Recommendation, nonEmpty: boolean) => { if (nonEmpty) out.push(r); };
  const down = devicesWith(model, ['down-at-end']);
  push({ code: 'check-down', devices: down }, down.length > 0);
  const openCount = (model.incidents ?? []).filter((i) => i.ongoing).length;
  push({ code: 'open-incidents', count: openCount }, openCount > 0);
  const hw = devicesWith(model, ['hardware']);
  push({ code: 'hardware', devices: hw }, hw.length > 0);
  const ups = devicesWith(model, ['ups-on-battery', 'ups-replace', 'ups-charge']);
  push({ code: 'ups', devices: ups }, ups.length > 0);
  const avail = devicesWith(model, ['availability']).filter((d) => !down.includes(d));
  push({ code: 'check-availability', devices: avail }, avail.length > 0);
  const storageCap = model.capacity.filter((c) => c.kind === 'storage');
  push({ code: 'storage-capacity', items: storageCap }, storageCap.length > 0);
  const capNames = new Set(storageCap.map((c) => `${c.device}\u0000${c.name}`));
  const full = model.devices.flatMap((d) => d.findings.filter((f): f is Extract<Finding, { code: 'storage' }> => f.code === 'storage')
    .map((f) => ({ device: d.device, mount: f.mount, pct: f.pct }))).filter((f) => !capNames.has(`${f.device}\u0000${f.mount}`));
  push({ code: 'storage-full', items: full }, full.length > 0);
  const ifCap = model.capacity.filter((c) => c.kind === 'interface');
  push({ code: 'interface-capacity', items: ifCap }, ifCap.length > 0);
  const errs = model.topErrors.filter((i) => i.inErrors + i.outErrors >= THRESHOLDS.interfaceErrors);
  push({ code: 'interface-errors', items: errs }, errs.length > 0);
  const reboots = devicesWith(model, ['reboot']);
  push({ code: 'check-reboots', devices: reboots }, reboots.length > 0);
  const loadDevs = devicesWith(model, ['cpu', 'memory']);
  push({ code: 'check-load', devices: loadDevs }, loadDevs.length > 0);
  const temp = devicesWith(model, ['temperature']);
  push({ code: 'temperature', devices: temp }, temp.length > 0);
  const missed = (model.summary.sla?.responseMissed ?? 0) + (model.summary.sla?.resolutionMissed ?? 0);
  push({ code: 'sla-missed', count: missed }, missed > 0);
  const idDevs = [...new Set(model.changes.identity.map((c) => c.device))];
  push({ code: 'identity-changes', devices: idDevs }, idDevs.length > 0);
  const noData = devicesWith(model, ['no-data']);
  push({ code: 'no-data', devices: noData }, noData.length > 0);
  if (out.length === 0) out.push({ code: 'all-normal' });
  return out;
}
