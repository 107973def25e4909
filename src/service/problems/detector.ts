import type { IncidentEvent, IncidentListener, IncidentView } from '../../core/incident.js';
import type { Logger } from '../../core/log.js';
import type { ServiceSection } from '../../config/sections/service.js';
import type { ProblemRecord, ProblemStore } from './store.js';

/** The incidents of one device opened at or after `since` (any state), from the alert engine's store. */
export type IncidentHistory = (device: string, since: Date) => readonly IncidentView[];

/** The rule an incident is "about": the rule of its earliest alert. */
export function leadRule(incident: Pick<IncidentView, 'alerts'>): string | undefined {
  let first: IncidentView['alerts'][number] | undefined;
  for (const a of incident.alerts) if (!first || a.startsAt < first.startsAt) first = a;
  return first?.rule;
}

/** The key that makes incidents "the same" under `by`; undefined for incidents without a device. */
export function problemKey(incident: Pick<IncidentView, 'device' | 'alerts'>, by: ServiceSection['problems']['by']): string | undefined {
  if (!incident.device) return undefined;
  if (by === 'device') return `device:${incident.device}`;
  const rule = leadRule(incident);
  return rule === undefined ? undefined : `device-rule:${incident.device}|${rule}`;
}

/**
 * Opens problem records (问题管理) from the incident stream: when the same device (or device and rule)
 * has `threshold` incidents within `window`, a record links them; later incidents of the key join the
 * open record; a record people closed is reopened when the pattern comes back, counting only
 * incidents opened after it was closed. Delivery may repeat after a restart: every step is idempotent.
 */
export class ProblemDetector implements IncidentListener {
  constructor(
    private readonly store: ProblemStore,
    private readonly history: IncidentHistory,
    private readonly settings: () => ServiceSection['problems'],
    private readonly log: Logger,
  ) {}

  onIncidentEvent(event: IncidentEvent): void {
    if (event.kind !== 'opened') return;
    const s = this.settings();
    if (!s.enabled) return;
    try {
      const outcome = this.consider(event.incident, s);
      if (outcome) this.log.info({ problem: outcome.problem.id, incident: event.incident.id, action: outcome.action }, `problem record ${outcome.action}`);
    } catch (err) {
      // A failure here must never hold up paging: the incident is already recorded and escalated.
      this.log.error({ err, incident: event.incident.id }, 'problem detection failed');
    }
  }

  /** What the incident does to the problem records: nothing, links to an open one, opens or reopens one. */
  consider(incident: IncidentView, s: ServiceSection['problems']): { action: 'linked' | 'opened' | 'reopened'; problem: ProblemRecord } | undefined {
    const key = problemKey(incident, s.by);
    if (!key || !incident.device) return undefined;
    const at = incident.openedAt;
    const latest = this.store.latestFor(key);
    if (latest?.state === 'open') {
      return this.store.link(latest.id, incident, at) ? { action: 'linked', problem: this.store.get(latest.id)! } : undefined;
    }
    // Incidents already behind a closed record do not count again: the pattern must come back after the close.
    const from = Math.max(at.getTime() - s.window, latest?.closedAt ? latest.closedAt.getTime() + 1 : 0);
    const rule = s.by === 'device-rule' ? leadRule(incident) : undefined;
    const same = this.history(incident.device, new Date(from))
      .filter((i) => i.openedAt.getTime() >= from && i.openedAt <= at && (rule === undefined || leadRule(i) === rule));
    if (!same.some((i) => i.id === incident.id)) same.push(incident);
    if (same.length < s.threshold) return undefined;
    const linked = same.map((i) => ({ id: i.id, openedAt: i.openedAt })).sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
    const days = Math.round(s.window / 86_400_000);
    const note = `${linked.length} incidents in ${days} d`;
    if (latest) return { action: 'reopened', problem: this.store.reopen(latest.id, at, linked, note) };
    return { action: 'opened', problem: this.store.open({ key, device: incident.device, rule, site: incident.site, at, incidents: linked, note }) };
  }
}
