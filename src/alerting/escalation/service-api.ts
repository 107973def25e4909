/** The escalation stage's contract: what the integrator, the API, reports and self metrics call. */
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../core/database.js';
import type { IncidentActions, IncidentListener, IncidentView } from '../../core/incident.js';
import type { Logger } from '../../core/log.js';
import { type FailedNotice, type IncidentNotice, type OutboxStats } from '../outbox.js';
import { type AckTokenCheck, type LinkAction } from './ack-token.js';
import type { NoticeMute } from './notice-mutes.js';
import type { NotifyFile } from './schema.js';
import type { NotifyConfig } from './config.js';
import type { PauseReason, SlaPause } from './pauses.js';
import { type NoticeReport } from './notice.js';
import { type OnCall } from './rotation.js';
import { type SlaQuery, type SlaRecord, type SlaReport } from './sla.js';
import { type Lang } from '../../config/lang.js';

export interface EscalationService extends IncidentListener {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Counts for `noctua_self` outbox_pending / outbox_failed and the API. */
  outboxStats(): OutboxStats;
  /** Notices given up on, with reasons and the receivers' answers. */
  failedNotices(limit?: number): FailedNotice[];
  /** Queues a failed notice again (after the receiver was fixed). */
  retryNotice(id: string): boolean;
  /** Every notice written for one incident, oldest first. */
  incidentNotices(incidentId: string): IncidentNotice[];
  /** The SLA record of one incident. */
  slaRecord(incidentId: string): SlaRecord | undefined;
  /** SLA records and their summary, for reports and the API. */
  querySla(query: SlaQuery): SlaReport;
  /** Checks a link token for an action (acknowledge by default) without acting on it. */
  verifyAckToken(token: string, action?: LinkAction): AckTokenCheck;
  /** Holds the incident's pages for notify.yaml `ackLinks.muteFor` (1 h); undefined when escalation has no open incident of that id. */
  muteNotices(incidentId: string, by: string): NoticeMute | undefined;
  /** How long a mute holds pages (notify.yaml `ackLinks.muteFor`). */
  muteForMs(): number;
  /** The hold on an incident's pages now, if any. */
  noticeMute(incidentId: string): NoticeMute | undefined;
  /** notify.yaml `chat:`: how chat callbacks are verified, and who chat users are. */
  chatSettings(): NotifyFile['chat'];
  /** Acknowledges from the API through IncidentActions. */
  acknowledge(incidentId: string, by: string, note?: string): IncidentView | undefined;
  /** Who is on call for a schedule at a time (now by default). */
  onCall(schedule: string, at?: Date): OnCall | undefined;
  /** Re-evaluates escalation clocks now and waits until due notices have been sent or rescheduled. */
  flush(): Promise<void>;
  /**
   * Writes a report-ready notice to the outbox for each channel of notify.yaml `reports.notify`;
   * returns how many were queued (0 without `reports:`, or when this report was already announced).
   */
  announceReport(report: ReportAnnouncementNotice): number;
  /** Clock pauses of an incident, oldest first; undefined when escalation has no SLA record of it. */
  pauses(incidentId: string): SlaPause[] | undefined;
  /** Stops an incident's SLA clocks (and its escalation timing) from now on, for a reason. */
  pauseClock(incidentId: string, pause: { reason: PauseReason; note?: string; by: string }): PauseOutcome;
  /** Lets an incident's clocks run again from now. */
  endPause(incidentId: string, pauseId: string, by: string): PauseOutcome;
}

/** What setting or ending a pause did; `status` says why nothing happened (404 unknown, 409 not allowed now). */
export type PauseOutcome = { ok: true; pause: SlaPause; sla: SlaRecord } | { ok: false; status: 404 | 409; message: string };

/** A report to announce: its facts and the absolute link people open. */
export interface ReportAnnouncementNotice extends NoticeReport {
  /** Absolute URL of the stored report (api.publicUrl + the download route); absent without a publicUrl. */
  link?: string;
}


/** What createEscalationService needs. */
export interface EscalationOptions {
  db: Db;
  config: NotifyConfig;
  clock?: Clock;
  log: Logger;
  actions?: IncidentActions;
  locale: Lang;
  publicUrl?: string;
  timezone: string;
  /** Jitter source for retry backoff (tests). */
  random?: () => number;
  /**
   * Configuration changes of a device (or its parent) within the correlation window before a time, newest first
   * (configuration backup's change index); shown in `opened` notices.
   */
  configChanges?: (device: string, openedAt: Date) => readonly { device: string; commit: string; time: Date; added: number; removed: number }[];
  /** Device tags from devices.yaml, for `calendarFor` rules with `tags`; without it such rules match nothing. */
  deviceTags?: (device: string) => readonly string[];
  /** Whether a rule has a runbook (config/runbooks) in the notice language; its notices then link the runbook's page. */
  hasRunbook?: (rule: string, lang: Lang) => boolean;
}

