/**
 * What a report reads: the seams to the time-series store and to the incident store, in the report's
 * own words. The model never sees InfluxQL or SQL, so it can be fed by InfluxDB (influx-metrics.ts), by
 * the alert store (alert-store.ts), or by an in-memory source (memory-incidents.ts) in tests.
 */
import type { EventCount } from './influx-events.js';
import { z } from 'zod';

/** A half-open time range [start, end). */
export interface TimeRange { start: Date; end: Date }

/** A device that produced samples in a range, with its tags. */
export interface DeviceSeen { device: string; site: string; class: string; vendor: string }

/** ICMP reachability of one device over a range. */
export interface DeviceReachability {
  device: string;
  site: string;
  /** ICMP samples received from the poller (each is one probe round). */
  samples: number;
  /** Samples with `up = true`. */
  upSamples: number;
  /** `up` of the last sample in the range. */
  lastUp?: boolean;
  rttAvgMs?: number;
  lossAvgPct?: number;
}

/** ICMP latency and loss of one site over a range, or of one bucket of it. */
export interface SiteLatency { site: string; time?: Date; rttAvgMs?: number; rttMaxMs?: number; lossAvgPct?: number; lossMaxPct?: number }

/** Probe counts of the whole fleet per bucket (for the availability chart). */
export interface AvailabilityBucket { time: Date; samples: number; upSamples: number }

/** A value over time, per bucket. */
export interface TrendPoint { time: Date; value: number }

/** Per-device CPU and memory. */
export interface DeviceLoad { device: string; cpuAvgPct?: number; cpuPeakPct?: number; memoryPeakPct?: number }

/** One storage volume: peak use and its trend. */
export interface StorageVolume { device: string; mount: string; peakPct: number; lastPct?: number; trend: TrendPoint[] }

/** Highest temperature reading of one device. */
export interface DeviceTemperature { device: string; maxC: number; sensor: string }

/** One fan or PSU: how many samples it reported a failure and its last state. */
export interface HardwareUnit { device: string; kind: 'fan' | 'psu'; name: string; samples: number; badSamples: number; lastOk?: boolean }

/** One `event` with type=reboot. */
export interface RebootEvent { device: string; time: Date; message: string }

/** One UPS over a range. */
export interface UpsState {
  device: string;
  ups: string;
  minChargePct?: number;
  minRuntimeMin?: number;
  /** Runs of consecutive `on_battery = true` samples; end is the first sample back on mains, absent if still on battery. */
  onBattery: { start: Date; end?: Date; durationMs: number }[];
  replaceBattery: boolean;
}

/** One interface: peak utilisation (either direction), errors counted from the raw counters, and the peak trend. */
export interface InterfaceStats {
  device: string;
  ifName: string;
  ifAlias: string;
  peakUtilPct?: number;
  inErrors: number;
  outErrors: number;
  trend: TrendPoint[];
}

/** Identity fields a device reported (system measurement). */
export interface DeviceIdentity { model?: string; version?: string; serial?: string }

/** How a device's identity moved during a range: the value before it, and each change in time order. */
export interface IdentityHistory {
  device: string;
  before?: DeviceIdentity;
  changes: { time: Date; field: keyof DeviceIdentity; from?: string; to?: string }[];
}

/** Everything the report reads from the time-series store. One call per section, so a store can batch. */
export interface MetricsSource {
  devicesSeen(range: TimeRange): Promise<DeviceSeen[]>;
  reachability(range: TimeRange): Promise<DeviceReachability[]>;
  availabilityByDay(range: TimeRange, timeZone: string): Promise<AvailabilityBucket[]>;
  siteLatency(range: TimeRange): Promise<SiteLatency[]>;
  siteLatencyTrend(range: TimeRange, bucketMs: number): Promise<SiteLatency[]>;
  load(range: TimeRange): Promise<DeviceLoad[]>;
  storage(range: TimeRange, bucketMs: number): Promise<StorageVolume[]>;
  temperatures(range: TimeRange): Promise<DeviceTemperature[]>;
  hardware(range: TimeRange): Promise<HardwareUnit[]>;
  reboots(range: TimeRange): Promise<RebootEvent[]>;
  ups(range: TimeRange): Promise<UpsState[]>;
  interfaces(range: TimeRange, bucketMs: number): Promise<InterfaceStats[]>;
  identity(range: TimeRange): Promise<IdentityHistory[]>;
  /** Trap, syslog and poll events per device, type and source (the events section); optional for other stores. */
  events?(range: TimeRange): Promise<EventCount[]>;
}

const severity = z.enum(['P1', 'P2', 'P3', 'P4']);

/**
 * How one incident did against its SLA, as the report grades it: escalation's record (`SlaRecord` in
 * src/alerting/escalation/sla.ts) restated with grading bands as numbers 1..4, or the report's own grading
 * from the timestamps when there is no record. Targets and bands are escalation's (model/sla.ts).
 */
export const slaGradeSchema = z.object({
  responseTargetMs: z.number().positive(),
  resolutionTargetMs: z.number().positive(),
  responseMs: z.number().nonnegative().optional(),
  resolutionMs: z.number().nonnegative().optional(),
  responseMet: z.boolean().optional(),
  resolutionMet: z.boolean().optional(),
  /** Grading band 1..4 of the response time (escalation's RESPONSE_BANDS, then later). */
  responseBand: z.number().int().min(1).max(4).optional(),
  /** Grading band 1..4 of the resolution time (escalation's RESOLUTION_BANDS, then later). */
  resolutionBand: z.number().int().min(1).max(4).optional(),
  /** Set when the incident is not graded: `muted` (maintenance or parent down the whole time, nobody was paged). */
  notGraded: z.enum(['muted']).optional(),
  /** The service calendar the clocks ran in (escalation's record; `7x24` unless notify.yaml says otherwise). */
  calendar: z.string().optional(),
  /** Service time taken out of the clocks by pauses, and each pause's reason and wall-clock span. */
  pausedMs: z.number().nonnegative().optional(),
  pauses: z.array(z.object({ reason: z.string(), note: z.string().optional(), startedAt: z.date(), endedAt: z.date().optional() })).optional(),
  /** When the response / resolution target falls due in wall time (escalation's, after calendar and pauses); absent while a pause holds the clock. */
  respondBy: z.date().optional(),
  resolveBy: z.date().optional(),
  /** Service time the resolution clock had run at the report's moment (open incidents; calendar and pauses applied by escalation's clock). */
  serviceElapsedMs: z.number().nonnegative().optional(),
});
/** How one incident did against its SLA, as the report grades it. */
export type SlaGrade = z.output<typeof slaGradeSchema>;

/** One incident as the report needs it. */
export const incidentRecordSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  /** The title in each report language, when the alert engine wrote one (its summaries are bilingual). */
  titles: z.object({ en: z.string().optional(), 'zh-CN': z.string().optional() }).optional(),
  severity,
  device: z.string().optional(),
  site: z.string().optional(),
  openedAt: z.date(),
  acknowledgedAt: z.date().optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: z.date().optional(),
  /** Who resolved it by hand; absent when it cleared by itself. */
  resolvedBy: z.string().optional(),
  /** The people paged by the first escalation step (the engineers on watch when it opened). */
  onWatch: z.array(z.string()).optional(),
  /** The furthest tier paged after the first step (lead, manager), when escalation went beyond it. */
  escalatedTo: z.string().optional(),
  /** Escalation's grading; when absent the report grades from the timestamps with escalation's default targets and bands. */
  sla: slaGradeSchema.optional(),
});
export type IncidentRecord = z.output<typeof incidentRecordSchema>;

/** Reads incidents active in a range (opened before its end and not resolved before its start). */
export interface IncidentSource {
  incidents(range: TimeRange): Promise<IncidentRecord[]>;
}

/** A problem record as reports show it (问题管理): the recurring fault and what is known of it. */
export interface ProblemRecordSummary {
  id: string;
  device: string;
  site?: string;
  rule?: string;
  state: 'open' | 'closed';
  openedAt: Date;
  closedAt?: Date;
  reopened: number;
  rootCause?: string;
  workaround?: string;
  fixStatus: string;
  /** Opening times of every linked incident. */
  incidentTimes: Date[];
}

/** Reads the problem records that were open, or had an incident, during a range. */
export interface ProblemRecordSource {
  problems(range: TimeRange): Promise<ProblemRecordSummary[]>;
}
