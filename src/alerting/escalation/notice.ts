import type { Severity } from '../../core/incident.js';

/**
 * What a notice tells people: the incident opened, escalated, was acknowledged, resolved, or an SLA
 * deadline is near; or, apart from incidents, that a weekly or monthly report is ready.
 */
export type NoticeKind = 'opened' | 'escalated' | 'acknowledged' | 'resolved' | 'sla-reminder' | 'report';
/** Every notice kind, in the order a channel's `templates:` lists them. */
export const NOTICE_KINDS: readonly NoticeKind[] = ['opened', 'escalated', 'acknowledged', 'resolved', 'sla-reminder', 'report'];

/** A report-ready notice's facts: which report, its verdict, and where to download it. */
export interface NoticeReport {
  kind: 'weekly' | 'monthly';
  /** `2026-W47` or `2026-11`. */
  period: string;
  title: string;
  verdict: 'normal' | 'abnormal' | 'no-data';
  /** Devices needing attention (when abnormal). */
  attentionCount: number;
  /** Stored files (language, format, path on the Noctua host) for channels that take attachments. */
  files: { lang: string; format: string; path: string }[];
}

/** Languages notices are written in. */
export type Locale = 'zh-CN' | 'en';

/** A person a notice is addressed to, with what chat robots need to @mention them. */
export interface NoticeRecipient {
  name: string;
  displayName: string;
  mobile?: string;
}

/** One alert of the incident, as a notice shows it (plain data, so it survives the outbox as JSON). */
export interface NoticeAlert {
  fingerprint: string;
  rule: string;
  severity: Severity;
  device: string;
  instance: string;
  state: string;
  value?: number | string;
  summary: string;
  labels: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

/**
 * The incident as it stood when the notice was written. Times are ISO 8601 UTC. A report notice has no
 * incident: there this names the report (id `report-<kind>-<period>`, title the report's, severity P4,
 * state resolved, no alerts), so channels that only know incidents still show a sensible message.
 */
export interface NoticeIncident {
  id: string;
  key: string;
  title: string;
  severity: Severity;
  state: 'open' | 'acknowledged' | 'resolved';
  device?: string;
  site?: string;
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  alerts: NoticeAlert[];
}

/**
 * One message to one channel. Written to the outbox before it is sent, so it is plain JSON;
 * `id` is the idempotency key receivers can use to drop a repeated delivery.
 */
export interface Notice {
  id: string;
  kind: NoticeKind;
  /** Name of the channel (from notify.yaml) this notice goes to. */
  channel: string;
  locale: Locale;
  /** Time zone used to write local times in the text. */
  timezone: string;
  createdAt: string;
  incident: NoticeIncident;
  /** Escalation step (0-based) and tier name that caused the notice, for opened/escalated. */
  step?: number;
  tier?: string;
  /** Repeat count of the last step (0 for the first time). */
  repeat?: number;
  recipients: NoticeRecipient[];
  /** For recovery notices: open -> resolved, in milliseconds. */
  outageMs?: number;
  /** For SLA reminders: which deadline, and when it falls. */
  deadline?: { kind: 'response' | 'resolution'; at: string; targetMs: number };
  links: { ack?: string; dashboard?: string; report?: string };
  /** Only on `report` notices. */
  report?: NoticeReport;
}
