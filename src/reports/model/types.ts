/**
 * The report model's shapes: everything a renderer prints, in no language. Built by build.ts from the
 * sources; see docs/REPORTS.md for each definition.
 */
import type { AssetSource } from '../sources/assets.js';
import type { AssetSummary } from './assets.js';
import type { Severity } from '../../core/incident.js';
import type { ReportPeriod } from '../period.js';
import type { Calendar } from '../../service/calendar.js';
import type { ConfigBackupModel, ConfigBackupSource } from './config-backup.js';
import type { DailySummary } from './daily.js';
import type { EngineerRow } from './engineers.js';
import type { EventsSummary } from './events.js';
import type { MonthRow } from './months.js';
import type { DeviceSeen, IncidentRecord, IncidentSource, ProblemRecordSource, ProblemRecordSummary, MetricsSource, RebootEvent, SlaGrade, UpsState } from '../sources/types.js';

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
  sla: SlaGrade;
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
  /** Trap, syslog and poll events (model/events.ts); undefined when the metrics source cannot count them. */
  events?: EventsSummary;
  /** Undefined when no incident store is connected. */
  incidents?: IncidentRow[];
  /** Recurring problems: records open during the period or with an incident in it, most incidents in the period first. */
  problems?: ProblemRow[];
  /** Engineer figures (工程师评估); absent without incidents, and in the customer's version of the report. */
  engineers?: EngineerRow[];
  /** The asset register (monthly reports, where a register is kept). */
  assets?: AssetSummary;
  /** Month by month (model/months.ts); only in a yearly report. */
  months?: MonthRow[];
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
  /** Configuration changes and compliance; absent without configuration backup. */
  configBackup?: ConfigBackupModel;
  /** The daily summary's regrouping of the day (model/daily.ts); only in a daily report. */
  daily?: DailySummary;
}

/** What a report is built from. */
export interface ModelInputs {
  period: ReportPeriod;
  metrics: MetricsSource;
  /** The alert store; absent until it is connected, and the report then says incidents are not included. */
  incidents?: IncidentSource;
  /** Problem records (问题管理); absent where none are kept, and the report then leaves the list out. */
  problems?: ProblemRecordSource;
  /** `customer`: the version handed to the customer, without the team's internal figures (engineer figures). */
  audience?: 'internal' | 'customer';
  /** The asset register (资产统计); absent where none is kept, and the report then leaves the asset lists out. */
  assets?: AssetSource;
  /** Enabled inventory devices: a device in the inventory without a single sample is reported as "no data". */
  inventory?: { name: string; site: string; class: string }[];
  /** Configuration backup's versions and compliance; without it the configuration sections say it is not set up. */
  configBackup?: ConfigBackupSource;
  /** The service calendar a daily summary says the day was read in (holiday, make-up day, service hours); absent: not said. */
  calendar?: Calendar;
  /** Who holds each on-call schedule at an instant (notify.yaml); the daily summary's hand-over. Absent: not said. */
  onCall?: OnCallLookup;
  now?: Date;
}

/** One schedule's holder at an instant, and when their shift ends. */
export interface OnCallHolder { schedule: string; person: string; displayName: string; override: boolean; shiftEnd: Date }
/** Every on-call schedule's holder at `atMs`. */
export type OnCallLookup = (atMs: number) => OnCallHolder[];

/** One recurring problem in the report: the record and how often it struck in the period. */
export interface ProblemRow extends ProblemRecordSummary {
  incidentsInPeriod: number;
}
