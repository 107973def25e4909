/**
 * The daily summary's own figures (日报), in no language. Everything else the daily summary shows — device
 * rows, site availability, incidents with their SLA grades, events, configuration changes and compliance,
 * asset changes — is the same model the weekly and monthly reports build (build.ts); this module only
 * regroups those rows for the day, so each fact keeps one implementation.
 */
import { serviceTimeBetween, type Calendar } from '../../service/calendar.js';
import { holidayFact } from '../../service/holidays.js';
import { dayNumber } from '../../service/zoned-time.js';
import { pctOf } from './readings.js';
import type { DeviceRow, Finding, IncidentRow, OnCallLookup, ReportModel } from './types.js';

/** Devices listed at most in "top faulty devices". */
const TOP_FAULTY = 10;

/** Availability of a group of devices (a site or a class): probe samples pooled, as the site table pools them. */
export interface AvailabilityGroup { key: string; devices: number; withData: number; availabilityPct?: number; downtimeMs?: number }

/** How an SLA clock of an incident still open stands at the end of the day. */
export type ClockState = 'met' | 'breached' | 'running' | 'paused' | 'not-graded';

/** An incident still open at the end of the day, handed over to the next (遗留). */
export interface CarriedIncident {
  row: IncidentRow;
  /** Wall time from its opening to the end of the day. */
  ageMs: number;
  response: ClockState;
  resolution: ClockState;
}

/** One device in "top faulty devices": incidents of the day, events sent, and its findings. */
export interface FaultyDevice { device: string; site: string; incidents: number; events: number; findings: Finding[] }

/** What the service calendar says of the day: a service day or not, and why. */
export interface ServiceDayFacts {
  calendar: string;
  /** Service time the calendar holds on this day (0 on a weekend or holiday). */
  serviceMs: number;
  holiday?: string;
  /** A make-up working day (调休) for the named holiday. */
  makeUpFor?: string;
}

/** One schedule's hand-over (值班交接): who held it as the day ended, until when, and who takes it over then. */
export interface HandOver { schedule: string; holder: string; override: boolean; until: Date; next: string }

/** Each schedule's holder at the day's last moment and the next holder at that shift's end. */
export function handOvers(onCall: OnCallLookup, end: Date): HandOver[] {
  return onCall(end.getTime() - 1).map((h) => ({
    schedule: h.schedule, holder: h.displayName, override: h.override, until: h.shiftEnd,
    next: onCall(h.shiftEnd.getTime()).find((n) => n.schedule === h.schedule)?.displayName ?? '',
  }));
}

/** The daily summary's model. */
export interface DailySummary {
  bySite: AvailabilityGroup[];
  byClass: AvailabilityGroup[];
  /** Undefined when no incident store is connected. */
  incidents?: { opened: number; acknowledged: number; resolved: number; openAtEnd: number };
  carriedOver?: CarriedIncident[];
  topFaulty: FaultyDevice[];
  serviceDay?: ServiceDayFacts;
  /** On-call hand-over per schedule; undefined when notify.yaml has no schedules. */
  handOver?: HandOver[];
  /** Length of the day (23 or 25 hours on a daylight-saving switch). */
  lengthMs: number;
}

/** Pools the device rows' probe samples by a key (`availabilityPct` × samples gives each device's answered probes). */
export function availabilityGroups(devices: readonly DeviceRow[], keyOf: (d: DeviceRow) => string, periodMs: number): AvailabilityGroup[] {
  const groups = new Map<string, { devices: number; withData: number; up: number; all: number }>();
  for (const d of devices) {
    const key = keyOf(d) || '—';
    const g = groups.get(key) ?? { devices: 0, withData: 0, up: 0, all: 0 };
    g.devices++;
    if (d.availabilityPct !== undefined && d.icmpSamples > 0) {
      g.withData++;
      g.up += (d.availabilityPct / 100) * d.icmpSamples;
      g.all += d.icmpSamples;
    }
    groups.set(key, g);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, g]) => {
    const pct = pctOf(g.up, g.all);
    return { key, devices: g.devices, withData: g.withData, availabilityPct: pct, downtimeMs: pct === undefined ? undefined : (1 - pct / 100) * periodMs };
  });
}

/** Where one SLA clock of an open incident stands: escalation's met/missed first, then whether a pause holds it. */
function clockState(row: IncidentRow, measure: 'response' | 'resolution'): ClockState {
  const g = row.sla;
  if (g.notGraded) return 'not-graded';
  const met = measure === 'response' ? g.responseMet : g.resolutionMet;
  if (met === true) return 'met';
  if (met === false) return 'breached';
  const last = g.pauses?.[g.pauses.length - 1];
  return last && !last.endedAt ? 'paused' : 'running';
}

/** Incidents open at the end of the day, oldest first, with their age and clock states. */
export function carriedOver(incidents: readonly IncidentRow[], end: Date): CarriedIncident[] {
  return incidents.filter((i) => i.ongoing).sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime()).map((row) => ({
    row, ageMs: end.getTime() - row.openedAt.getTime(),
    response: row.acknowledgedAt && row.acknowledgedAt <= end ? (row.sla.responseMet === false ? 'breached' : 'met') : clockState(row, 'response'),
    resolution: clockState(row, 'resolution'),
  }));
}

/** Devices with incidents, events or findings on the day; most incidents first, then most events. */
export function topFaulty(model: ReportModel): FaultyDevice[] {
  const byDevice = new Map<string, FaultyDevice>();
  const get = (device: string) => {
    let f = byDevice.get(device);
    if (!f) {
      const row = model.devices.find((d) => d.device === device);
      f = { device, site: row?.site ?? '', incidents: 0, events: 0, findings: row?.findings.filter((x) => x.code !== 'no-data') ?? [] };
      byDevice.set(device, f);
    }
    return f;
  };
  for (const i of model.incidents ?? []) if (i.device && i.openedInPeriod) get(i.device).incidents++;
  for (const t of model.events?.topTalkers ?? []) get(t.device).events = t.count;
  for (const d of model.devices) if (d.verdict === 'attention') get(d.device);
  return [...byDevice.values()]
    .filter((f) => f.incidents > 0 || f.events > 0 || f.findings.length > 0)
    .sort((a, b) => b.incidents - a.incidents || b.events - a.events || b.findings.length - a.findings.length || a.device.localeCompare(b.device))
    .slice(0, TOP_FAULTY);
}

/** The calendar's view of the day, by the same holiday data and service-time arithmetic the SLA clocks use. */
export function serviceDayFacts(model: Pick<ReportModel, 'period'>, calendar: Calendar): ServiceDayFacts {
  const { period } = model;
  const facts: ServiceDayFacts = { calendar: calendar.name, serviceMs: serviceTimeBetween(period.start.getTime(), period.end.getTime(), calendar) };
  if (calendar.holidays) {
    const f = holidayFact(calendar.holidays, dayNumber(period.firstDay.year, period.firstDay.month, period.firstDay.day));
    if (f.kind === 'off') facts.holiday = f.name;
    if (f.kind === 'work') facts.makeUpFor = f.name;
  }
  return facts;
}

/** Regroups the day's model into the daily summary. */
export function dailySummary(model: ReportModel, calendar?: Calendar, onCall?: OnCallLookup): DailySummary {
  const { start, end } = model.period;
  const lengthMs = end.getTime() - start.getTime();
  const inDay = (t: Date | undefined) => t !== undefined && t >= start && t < end;
  const list = model.incidents;
  return {
    lengthMs,
    bySite: availabilityGroups(model.devices, (d) => d.site, lengthMs),
    byClass: availabilityGroups(model.devices, (d) => d.class, lengthMs),
    incidents: list && {
      opened: list.filter((i) => i.openedInPeriod).length,
      acknowledged: list.filter((i) => inDay(i.acknowledgedAt)).length,
      resolved: list.filter((i) => inDay(i.resolvedAt)).length,
      openAtEnd: list.filter((i) => i.ongoing).length,
    },
    carriedOver: list && carriedOver(list, end),
    topFaulty: topFaulty(model),
    serviceDay: calendar ? serviceDayFacts(model, calendar) : undefined,
    handOver: onCall ? handOvers(onCall, end) : undefined,
  };
}
