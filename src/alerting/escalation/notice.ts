import type { Severity } from '../../core/incident.js';
import { type Lang } from '../../config/lang.js';

/**
 * What a notice tells people: the incident opened, escalated, was acknowledged, resolved, or an SLA
 * deadline is near; or, apart from incidents, that a weekly or monthly report is ready.
 */
export type NoticeKind = 'opened' | 'escalated' | 'acknowledged' | 'resolved' | 'sla-reminder' | 'report';
/** Every notice kind, in the order a channel's `templates:` lists them. */
export const NOTICE_KINDS: readonly NoticeKind[] = ['opened', 'escalated', 'acknowledged', 'resolved', 'sla-reminder', 'report'];

/** A report-ready notice's facts: which report, its verdict, and where to download it. */
export interface NoticeReport {
  kind: 'daily' | 'weekly' | 'monthly' | 'yearly';
  /** `2026-11-16`, `2026-W47`, `2026-11` or `2026`. */
  period: string;
  title: string;
  verdict: 'normal' | 'abnormal' | 'no-data';
  /** Devices needing attention (when abnormal). */
  attentionCount: number;
  /** Stored files (language, format, path on the Noctua host) for channels that take attachments. */
  files: { lang: string; format: string; path: string }[];
}

/** Languages notices are written in. */

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
  /** Alerts left out of `alerts` to bound the notice's size (see boundIncident). */
  omittedAlerts?: number;
}

/** Bounds of what a notice carries from devices and rules, so no receiver gets a body it refuses or cannot show. */
export const NOTICE_BOUNDS = { text: 1024, name: 256, labels: 32, alerts: 100 } as const;

/** Cuts a string to `max` characters (not splitting a surrogate pair), marking the cut with "…". */
export function boundText(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = /[\ud800-\udbff]/.test(s[max - 2] ?? '') ? max - 2 : max - 1;
  return `${s.slice(0, cut)}…`;
}

function boundLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels).slice(0, NOTICE_BOUNDS.labels)) out[boundText(k, NOTICE_BOUNDS.name)] = boundText(String(v), NOTICE_BOUNDS.name);
  return out;
}

/**
 * The incident with every device- or rule-supplied string bounded (titles and summaries 1,024 characters,
 * names and labels 256, 32 labels, 100 alerts with the rest counted in `omittedAlerts`). Structured channels
 * (webhook, Alertmanager, PagerDuty) need no markup escaping, but a device answering 64 KB must not make
 * every notice 64 KB.
 */
export function boundIncident(inc: NoticeIncident): NoticeIncident {
  const { text, name } = NOTICE_BOUNDS;
  const opt = (s: string | undefined, max: number) => (s === undefined ? undefined : boundText(s, max));
  // Over the bound, firing alerts go first, so what is still wrong is never the part left out.
  const alerts = inc.alerts.length <= NOTICE_BOUNDS.alerts ? inc.alerts
    : [...inc.alerts].sort((a, b) => Number(a.state === 'resolved') - Number(b.state === 'resolved'));
  const kept = alerts.slice(0, NOTICE_BOUNDS.alerts);
  const omitted = alerts.length - kept.length + (inc.omittedAlerts ?? 0);
  return {
    ...inc,
    key: boundText(inc.key, text), title: boundText(inc.title, text), device: opt(inc.device, name), site: opt(inc.site, name), acknowledgedBy: opt(inc.acknowledgedBy, name),
    alerts: kept.map((a) => ({
      ...a, rule: boundText(a.rule, name), device: boundText(a.device, name), instance: boundText(a.instance, name),
      summary: boundText(a.summary, text), labels: boundLabels(a.labels),
      ...(typeof a.value === 'string' ? { value: boundText(a.value, name) } : {}),
    })),
    ...(omitted > 0 ? { omittedAlerts: omitted } : {}),
  };
}

/** A configuration change of the incident's device (or its parent) shortly before the incident opened. */
export interface NoticeConfigChange {
  device: string;
  /** Whole minutes between the change and the incident's opening. */
  minutesBefore: number;
  added: number;
  removed: number;
  commit: string;
  /** The diff in the API (api.publicUrl); absent without a public URL. */
  link?: string;
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
  locale: Lang;
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
  /** Noctua's own links: acknowledge, claim and mute confirm pages (signed tokens), the dashboard, a report. */
  links: { ack?: string; claim?: string; mute?: string; dashboard?: string; report?: string; runbook?: string };
  /** The signed tokens of the action links, for channels whose buttons call back with them (Slack, Feishu apps). */
  actionTokens?: { ack?: string; claim?: string; mute?: string };
  /** How long the mute link holds pages (notify.yaml ackLinks.muteFor), for the link's words. */
  muteForMs?: number;
  /** Only on `report` notices. */
  report?: NoticeReport;
  /** On `opened` notices: configuration changes within the correlation window before the incident opened, newest first. */
  configChanges?: NoticeConfigChange[];
}
