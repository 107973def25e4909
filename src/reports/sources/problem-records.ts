import type { Db } from '../../core/database.js';
import { ProblemStore } from '../../service/problems/store.js';
import type { ProblemRecordSource, ProblemRecordSummary, TimeRange } from './types.js';

/** Most problem records a report lists; a fleet with more has a bigger problem than the report. */
const MAX_RECORDS = 500;

/** Problem records from the state database (src/service/problems). */
export class StateDbProblemSource implements ProblemRecordSource {
  private readonly store: ProblemStore;

  constructor(db: Db) {
    this.store = new ProblemStore(db);
  }

  async problems(range: TimeRange): Promise<ProblemRecordSummary[]> {
    const active = (p: ProblemRecordSummary) =>
      p.openedAt < range.end && (!p.closedAt || p.closedAt >= range.start)
      || p.incidentTimes.some((t) => t >= range.start && t < range.end);
    return this.store.list({ limit: MAX_RECORDS }).items
      .map((p): ProblemRecordSummary => ({
        id: p.id, device: p.device, site: p.site, rule: p.rule, state: p.state, openedAt: p.openedAt, closedAt: p.closedAt, reopened: p.reopened,
        rootCause: p.rootCause, workaround: p.workaround, fixStatus: p.fixStatus, incidentTimes: p.incidents.map((i) => i.openedAt),
      }))
      .filter(active);
  }
}
