import { AlertStore } from '../alerting/store.js';
import { RESOLUTION_BANDS, RESPONSE_BANDS, SlaStore, type SlaRecord as EscalationSla } from '../alerting/escalation/sla.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Db } from '../core/database.js';
import type { IncidentRecord, IncidentSource, SlaRecord, TimeRange } from './sources.js';

/** How far before a period an incident may have opened and still be active in it. */
const LOOKBACK_MS = 90 * 86_400_000;
const PAGE = 500;

/** `<=15m` -> 3 with bounds [5, 10, 15]; `later` -> 4; `pending` -> undefined. */
function bandNumber(band: string, bounds: readonly number[]): 1 | 2 | 3 | 4 | undefined {
  if (band === 'later') return 4;
  const i = bounds.findIndex((b) => band === `<=${b}m`);
  return i >= 0 ? ((i + 1) as 1 | 2 | 3) : undefined;
}

/** Escalation's SLA record in the report's words. */
export function fromEscalationSla(r: EscalationSla): SlaRecord {
  return {
    responseTargetMs: r.respondTargetMs, resolutionTargetMs: r.resolveTargetMs,
    responseMs: r.responseMs, resolutionMs: r.resolutionMs,
    responseMet: r.paged ? r.responseMet : undefined, resolutionMet: r.paged ? r.resolutionMet : undefined,
    responseBand: bandNumber(r.responseBand, RESPONSE_BANDS), resolutionBand: bandNumber(r.resolutionBand, RESOLUTION_BANDS),
    ...(r.paged ? {} : { notGraded: 'muted' as const }),
  };
}

/**
 * Reads incidents from the alert engine's store and their SLA records from escalation's, in the state
 * database (`<stateDir>/noctua.db`). Incidents without an SLA record (escalation not running) are graded
 * by the report from their timestamps with the default targets.
 */
export class AlertStoreIncidentSource implements IncidentSource {
  private readonly alerts: AlertStore;
  private readonly sla: SlaStore;
  constructor(db: Db, private readonly clock: Clock = systemClock) {
    this.alerts = new AlertStore(db);
    this.sla = new SlaStore(db);
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
          resolvedAt: v.resolvedAt,
          ...(sla ? { sla: fromEscalationSla(sla) } : {}),
        });
      }
      offset += items.length;
      if (items.length < PAGE) break;
    }
    return out.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  }
}
