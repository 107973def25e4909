/**
 * What the alert engine hands to escalation: incidents and their transitions.
 * The alert engine (src/alerting) owns the incident store; escalation (src/alerting/escalation) reacts
 * to these events and may acknowledge/resolve through {@link IncidentActions}.
 */

/** Priority levels of the service contracts: P1 urgent, P2 important, P3 general, P4 minor. */
export type Severity = 'P1' | 'P2' | 'P3' | 'P4';
export const SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3', 'P4'];

export type AlertState = 'pending' | 'firing' | 'resolved';

/** One rule on one instance. */
export interface AlertView {
  fingerprint: string;
  rule: string;
  severity: Severity;
  device: string;
  /** ifName, sensor name, mount, ... or '' for device-level rules. */
  instance: string;
  state: AlertState;
  value?: number | string;
  summary: { en: string; 'zh-CN': string };
  description?: { en: string; 'zh-CN': string };
  labels: Record<string, string>;
  startsAt: Date;
  endsAt?: Date;
  /** Why the alert is not escalated, when it is not: maintenance, parent down, flapping. */
  mutedBy?: { kind: 'maintenance' | 'parent' | 'flapping' | 'silence'; detail: string };
}

export type IncidentState = 'open' | 'acknowledged' | 'resolved';

/** A group of alerts (by device by default) that pages as one. */
export interface IncidentView {
  id: string;
  key: string;
  title: string;
  severity: Severity;
  state: IncidentState;
  device?: string;
  site?: string;
  openedAt: Date;
  acknowledgedAt?: Date;
  acknowledgedBy?: string;
  resolvedAt?: Date;
  alerts: AlertView[];
  /** True while every alert in it is muted (maintenance, parent down, flapping): not escalated. */
  muted: boolean;
  mutedReason?: string;
  flapping: boolean;
  /** Names of child devices whose alerts this incident suppresses (dependency suppression). */
  suppressedDevices: string[];
}

export type IncidentEventKind = 'opened' | 'updated' | 'acknowledged' | 'unacknowledged' | 'resolved' | 'muted' | 'unmuted' | 'commented';

/** A transition, persisted by the alert engine and delivered in order to listeners (escalation, API stream). */
export interface IncidentEvent {
  seq: number;
  kind: IncidentEventKind;
  at: Date;
  incident: IncidentView;
  by?: string;
  note?: string;
}

export interface IncidentListener {
  onIncidentEvent(event: IncidentEvent): void | Promise<void>;
}

/** What the API and acknowledge links do to incidents. */
export interface IncidentActions {
  acknowledge(id: string, by: string, note?: string): IncidentView | undefined;
  unacknowledge(id: string, by: string): IncidentView | undefined;
  resolve(id: string, by: string, note?: string): IncidentView | undefined;
  comment(id: string, by: string, note: string): IncidentView | undefined;
}
