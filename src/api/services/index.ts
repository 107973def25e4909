/**
 * What the API needs from the rest of Noctua, and nothing more: one service per real module, each in
 * its own file here. The runtime adapts the real modules (scheduler's device registry, storage's query
 * reader, the alert engine, escalation) to these services (runtime-services.ts); route tests use
 * in-memory implementations of the same services.
 */
import type { Registry } from 'prom-client';
import type { ConfigService } from './config.js';
import type { ConfigBackupService } from './config-backups.js';
import type { DeviceDirectory } from './devices.js';
import type { EventService } from './events.js';
import type { HealthProbe } from './health.js';
import type { IncidentService } from './incidents.js';
import type { LiveFeed } from './live.js';
import type { MaintenanceService } from './maintenance.js';
import type { MetricsReader } from './metrics.js';
import type { OnCallView } from './on-call.js';
import type { PagingService } from './paging.js';
import type { ReportService } from './reports.js';
import type { KnowledgeService, ProblemRecordService } from './service-records.js';
import type { TopologyView } from './topology.js';
import type { DiscoveryView } from './discovery.js';
import type { AssetService } from './assets.js';

export type { Awaitable } from './awaitable.js';
export type { ConfigCheck, ConfigService } from './config.js';
export type { EventQuery, EventRecord, EventService } from './events.js';
export type { ConfigBackupService } from './config-backups.js';
export { DEVICE_CONDITIONS, type DeviceCondition, type DeviceDirectory, type DeviceSummary } from './devices.js';
export type { HealthProbe, Readiness } from './health.js';
export type { AlertRecord, IncidentService } from './incidents.js';
export type { LiveEvent, LiveFeed } from './live.js';
export type { MaintenanceService } from './maintenance.js';
export type { MetricsReader, Series, DeviceSeriesQuery } from './metrics.js';
export type { OnCallEntry, OnCallView } from './on-call.js';
export type { AckLinkCheck, AckOutcome, AckRefusal, ChatSettings, PagingService } from './paging.js';
export type { KnowledgeService, ProblemRecordService } from './service-records.js';
export type { TopologySnapshot, TopologyView } from './topology.js';
export type { AssetService } from './assets.js';
export { REPORT_KINDS, type GeneratedReport, type ReportKindName, type ReportRequest, type ReportService, type StoredReport } from './reports.js';

/** Everything the API reads and acts through, one service per real module. */
export interface ApiServices {
  devices: DeviceDirectory;
  metrics: MetricsReader;
  incidents: IncidentService;
  maintenance: MaintenanceService;
  config: ConfigService;
  onCall: OnCallView;
  health: HealthProbe;
  live: LiveFeed;
  /** Noctua's self metrics, served as Prometheus text at /metrics. */
  registry: Registry;
  /** Stored and on-demand reports; absent where no state directory is known. */
  reports?: ReportService;
  /** The event log (traps, syslog) from InfluxDB; absent where there is no reader. */
  events?: EventService;
  /** Configuration backup (versions, diffs, jobs, compliance); absent where the runtime has none. */
  configBackups?: ConfigBackupService;
  /** Escalation; absent without notify.yaml (then nothing is paged, and there is no outbox). */
  paging?: PagingService;
  /** Problem records; absent where the process keeps no state database of its own. */
  problemRecords?: ProblemRecordService;
  /** The knowledge base and runbooks; absent like problemRecords. */
  knowledge?: KnowledgeService;
  /** LLDP/CDP topology; absent like problemRecords. */
  topology?: TopologyView;
  /** The asset register; absent like problemRecords. */
  assets?: AssetService;
  /** Scheduled discovery (docs/DISCOVERY.md); absent like problemRecords. */
  discovery?: DiscoveryView;
}
