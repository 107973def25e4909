import { SEVERITIES, type AlertView, type IncidentView, type Severity } from '../core/incident.js';
import { type Lang } from '../config/lang.js';

/** Locales of notices and titles. */

/** The incident an alert belongs in: the values of the grouping labels (`device=core-sw-01`). */
export function groupKey(groupBy: readonly string[], labels: Record<string, string>): string {
  return groupBy.map((l) => `${l}=${labels[l] ?? ''}`).join(',');
}

/** P1 is the highest. */
export function highestSeverity(list: readonly Severity[]): Severity {
  let best: Severity = 'P4';
  for (const s of list) if (SEVERITIES.indexOf(s) < SEVERITIES.indexOf(best)) best = s;
  return best;
}

const collator = new Intl.Collator('en', { numeric: true });
/** Gi0/2 before Gi0/10. */
function byName(a: string, b: string): number { return collator.compare(a, b); }

/** What an incident record keeps besides the alerts it is computed from. */
export interface IncidentHead {
  id: string;
  n: number;
  key: string;
  state: 'open' | 'acknowledged' | 'resolved';
  openedAt: Date;
  acknowledgedAt?: Date;
  acknowledgedBy?: string;
  resolvedAt?: Date;
}

/**
 * Computes the incident from its alerts: severity is the highest of the alerts still active, muted when
 * every alert is muted, and the children suppressed through it listed by name.
 */
export function buildIncidentView(head: IncidentHead, alerts: AlertView[], locale: Lang, previous?: IncidentView): IncidentView {
  const sorted = [...alerts].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || byName(a.device, b.device) || byName(a.instance, b.instance) || a.rule.localeCompare(b.rule));
  const active = sorted.filter((a) => a.state !== 'resolved');
  const basis = active.length > 0 ? active : sorted;
  const severity = basis.length > 0 ? highestSeverity(basis.map((a) => a.severity)) : previous?.severity ?? 'P4';
  const muted = basis.length > 0 && basis.every((a) => a.mutedBy !== undefined);
  const reasons = [...new Set(basis.filter((a) => a.mutedBy).map((a) => a.mutedBy!.detail))];
  const devices = [...new Set(sorted.map((a) => a.device))];
  const suppressed = [...new Set(sorted.filter((a) => a.mutedBy?.kind === 'parent').map((a) => a.device))].sort();
  const own = sorted.filter((a) => a.mutedBy?.kind !== 'parent');
  const lead = (own.length > 0 ? own : sorted).filter((a) => a.severity === highestSeverity((own.length > 0 ? own : sorted).map((x) => x.severity)))[0];
  const ownDevices = [...new Set(own.map((a) => a.device))];
  const device = ownDevices.length === 1 ? ownDevices[0] : devices.length === 1 ? devices[0] : previous?.device;
  let title = lead ? lead.summary[locale] : previous?.title ?? head.key;
  const others = (own.length > 0 ? own.length : sorted.length) - 1;
  if (others > 0) title += locale === 'zh-CN' ? `（另有 ${others} 条告警）` : ` (+${others} more)`;
  if (suppressed.length > 0) title += locale === 'zh-CN' ? `；其后 ${suppressed.length} 台设备被抑制` : `; ${suppressed.length} device${suppressed.length === 1 ? '' : 's'} behind it suppressed`;
  return {
    id: head.id,
    key: head.key,
    title,
    severity,
    state: head.state,
    ...(device !== undefined ? { device } : {}),
    ...(lead?.labels.site !== undefined ? { site: lead.labels.site } : previous?.site !== undefined ? { site: previous.site } : {}),
    openedAt: head.openedAt,
    ...(head.acknowledgedAt ? { acknowledgedAt: head.acknowledgedAt, acknowledgedBy: head.acknowledgedBy } : {}),
    ...(head.resolvedAt ? { resolvedAt: head.resolvedAt } : {}),
    alerts: sorted,
    muted,
    ...(muted ? { mutedReason: reasons.join('; ') } : {}),
    flapping: sorted.some((a) => a.mutedBy?.kind === 'flapping'),
    suppressedDevices: suppressed,
  };
}

/**
 * What makes an incident change worth an event: its alerts and their states, severity, muting, flapping
 * and suppressed children. Values move with every sample and are not part of it.
 */
export function incidentSignature(v: IncidentView): string {
  return JSON.stringify([v.severity, v.muted, v.flapping, v.suppressedDevices, v.alerts.map((a) => [a.fingerprint, a.state, a.severity, a.mutedBy?.kind ?? ''])]);
}
