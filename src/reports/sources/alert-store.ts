import { AlertStore } from '../../alerting/store.js';
import { SlaStore, type CalendarLookup } from '../../alerting/escalation/sla.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Db } from '../../core/database.js';
import { EscalationFacts } from './escalation-facts.js';
import { fromEscalationSla } from './sla-grade.js';
import type { IncidentRecord, IncidentSource, TimeRange } from './types.js';

/** How far before a period an incident may have opened and still be active in it. */
const LOOKBACK_MS = 90 * 86_400_000;
const PAGE = 500;

/**
 * Reads incidents from the alert engine's store and their SLA records from escalation's, in the state
 * database (`<stateDir>/noctua.db`). Incidents without an SLA record (escalation not running) are graded
 * by the report from their timestamps with escalation's default targets.
 */
export class AlertStoreIncidentSource implements IncidentSource {
  private readonly alerts: AlertStore;
  private readonly sla: SlaStore;
  private readonly people: EscalationFacts;
  /** `calendars` finds the service calendars SLA records name (notify.yaml's); without it clocks read back as 7x24. */
  constructor(db: Db, private readonly clock: Clock = systemClock, calendars?: CalendarLookup) {
    this.alerts = new AlertStore(db);
    this.sla = new SlaStore(db, calendars ? { calendars } : {});
    this.people = new EscalationFacts(db);
  }

  async incidents(range: TimeRange): Promise<IncidentRecord[]> {
    const since = new Date(range.start.getTime() - LOOKBACK_MS);
    const asOf = Math.min(range.end.getTime(), this.clock.ms());
    const out: IncidentRecord[] = [];
    for (let offset = 0, pages = 0; pages < 10_000; pages++) {
      const { items } = this.alerts.listIncidents({ since, limit: PAGE, offset });
      for (const v of items) {
        if (v.openedAt >= range.end || (v.resolvedAt && v.resolvedAt < range.start)) continue;
        const sla = this.sla.get(v.id, asOf);
        // An incident of one alert carries that alert's bilingual summary; a grouped one keeps its title.
        const only = v.alerts.length === 1 ? v.alerts[0] : undefined;
        out.push({
          id: v.id, title: v.title, severity: v.severity, device: v.device, site: v.site,
          ...(only ? { titles: { en: only.summary.en, 'zh-CN': only.summary['zh-CN'] } } : {}),
          openedAt: v.openedAt, acknowledgedAt: v.acknowledgedAt ?? sla?.acknowledgedAt, acknowledgedBy: v.acknowledgedBy ?? sla?.acknowledgedBy,
          resolvedAt: v.resolvedAt, ...this.people.of(v.id),
          ...(sla ? { sla: fromEscalationSla(sla, sla.resolvedAt && sla.resolvedAt.getTime() <= asOf ? undefined : this.sla.clock(v.id)?.elapsed(asOf)) } : {}),
        });
      }
      offset += items.length;
      if (items.length < PAGE) break;
    }
    return out.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  }
}
