/**
 * Escalation as the API's paging service, with acknowledge links that act once: the token is checked
 * (signature, expiry), then claimed in the state database, and only a successful claim acknowledges.
 */
import { AckTokenLedger, type AckTokenCheck } from '../alerting/escalation/ack-token.js';
import type { EscalationService } from '../alerting/escalation/index.js';
import type { AlertEngine } from '../alerting/engine.js';
import { openStateDb, type Db } from '../core/database.js';
import type { AckLinkCheck, AckOutcome, PagingService } from './services/index.js';

/** The escalation calls the paging service makes. */
export type EscalationPaging = Pick<EscalationService, 'outboxStats' | 'failedNotices' | 'retryNotice' | 'incidentNotices' | 'slaRecord' | 'verifyAckToken' | 'acknowledge' | 'pauses' | 'pauseClock' | 'endPause'>;

/** What the audit trail says an acknowledgement through a link was. */
const LINK_NOTE = 'acknowledged from the link in a notice';

/** Builds the paging service; `db` is where used tokens are recorded (a database in memory without one). */
export function ackLinkService(paging: EscalationPaging, engine: Pick<AlertEngine, 'getIncident'>, db: Db | undefined, now: () => Date): PagingService {
  const ledger = new AckTokenLedger(db ?? openStateDb('', ':memory:'));

  /** The token's claim and its incident, or why the link does nothing; no side effects. */
  const inspect = (token: string): AckLinkCheck & { check?: Extract<AckTokenCheck, { ok: true }> } => {
    const check = paging.verifyAckToken(token);
    if (!check.ok) {
      // Escalation answers `malformed` when notify.yaml has no ackLinks; say so rather than blame the link.
      const unavailable = /not configured/.test(check.message);
      return { ok: false, reason: unavailable ? 'unavailable' : check.reason, message: check.message };
    }
    const usedAt = ledger.usedAt(check.tokenId);
    if (usedAt) return { ok: false, reason: 'used', message: `this acknowledge link was already used at ${usedAt.toISOString()}` };
    const incident = engine.getIncident(check.incidentId)?.incident;
    if (!incident) return { ok: false, reason: 'not-found', message: `incident ${check.incidentId} does not exist (any more)` };
    return { ok: true, incident, recipient: check.by, expiresAt: check.expiresAt, check };
  };

  return {
    outboxStats: () => paging.outboxStats(),
    failedNotices: (limit) => paging.failedNotices(limit),
    retryNotice: (id) => paging.retryNotice(id),
    incidentNotices: (id) => paging.incidentNotices(id),
    slaRecord: (id) => paging.slaRecord(id),
    pauses: (id) => paging.pauses(id),
    pauseClock: (id, pause) => paging.pauseClock(id, pause),
    endPause: (id, pauseId, by) => paging.endPause(id, pauseId, by),
    inspectAckLink(token) {
      const { check: _check, ...result } = inspect(token);
      return result;
    },
    acknowledgeWithLink(token): AckOutcome {
      const found = inspect(token);
      if (!found.ok) return found;
      const { incident, check } = found;
      // Nothing to do: the token stays unused, so its recipient can still act if someone un-acknowledges.
      if (incident.state !== 'open') return { ok: true, incident, changed: false };
      if (!ledger.claim(check!, now().getTime())) return { ok: false, reason: 'used', message: 'this acknowledge link was already used' };
      const acked = paging.acknowledge(check!.incidentId, check!.by, LINK_NOTE);
      if (!acked) return { ok: false, reason: 'not-found', message: `incident ${check!.incidentId} does not exist (any more)` };
      return { ok: true, incident: acked, changed: acked.state === 'acknowledged' };
    },
  };
}
