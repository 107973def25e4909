/**
 * Escalation as the API's paging service, with the links in notices that act once — acknowledge, claim
 * ("I'm on it") and mute for 1 h — by a link or by a chat button carrying the same signed token: the token is
 * checked (signature for its action, expiry), then claimed in the state database, and only a successful
 * claim acts. One implementation for the three actions; each differs only in what acting does.
 */
import { AckTokenLedger, type AckTokenCheck, type LinkAction } from '../alerting/escalation/ack-token.js';
import type { EscalationService } from '../alerting/escalation/index.js';
import type { AlertEngine } from '../alerting/engine.js';
import { formatOutage } from '../alerting/escalation/templates.js';
import { openStateDb, type Db } from '../core/database.js';
import type { IncidentView } from '../core/incident.js';
import type { AckLinkCheck, AckOutcome, PagingService } from './services/index.js';
import { CallbackReplayLedger } from './chat/replay.js';

/** The escalation calls the paging service makes. */
export type EscalationPaging = Pick<EscalationService, 'outboxStats' | 'failedNotices' | 'retryNotice' | 'incidentNotices' | 'slaRecord' | 'verifyAckToken' | 'acknowledge' | 'pauses' | 'pauseClock' | 'endPause' | 'muteNotices' | 'muteForMs' | 'chatSettings'>;

/** What the incident's timeline says each action through a link or a chat button was. */
const NOTES: Record<LinkAction, string> = {
  ack: 'acknowledged from the link in a notice',
  // The same words as the console's claim (both languages: notes are stored text the whole team reads).
  claim: "claimed: I'm on it / 认领：我来处理 (from a notice)",
  mute: 'pages held from a notice / 已从通知暂停通知',
};

type Valid = Extract<AckTokenCheck, { ok: true }>;
type Engine = Pick<AlertEngine, 'getIncident' | 'comment'>;

/** The noun a refusal uses for the link. */
const LINK_NAME: Record<LinkAction, string> = { ack: 'acknowledge link', claim: 'claim link', mute: 'mute link' };

/** Builds the paging service; `db` is where used tokens are recorded (a database in memory without one). */
export function ackLinkService(paging: EscalationPaging, engine: Engine, db: Db | undefined, now: () => Date): PagingService {
  const store = db ?? openStateDb('', ':memory:');
  const ledger = new AckTokenLedger(store);
  const callbacks = new CallbackReplayLedger(store);

  /** The token's claim and its incident, or why the link does nothing; no side effects. */
  const inspect = (action: LinkAction, token: string): AckLinkCheck & { check?: Valid } => {
    const check = paging.verifyAckToken(token, action);
    if (!check.ok) {
      // Escalation answers `malformed` when notify.yaml has no ackLinks; say so rather than blame the link.
      const unavailable = /not configured/.test(check.message);
      return { ok: false, reason: unavailable ? 'unavailable' : check.reason, message: check.message };
    }
    const usedAt = ledger.usedAt(check.tokenId);
    if (usedAt) return { ok: false, reason: 'used', message: `this ${LINK_NAME[action]} was already used at ${usedAt.toISOString()}` };
    const incident = engine.getIncident(check.incidentId)?.incident;
    if (!incident) return { ok: false, reason: 'not-found', message: `incident ${check.incidentId} does not exist (any more)` };
    return { ok: true, incident, recipient: check.by, expiresAt: check.expiresAt, muteForMs: action === 'mute' ? paging.muteForMs() : undefined, check };
  };

  /** Whether the action would change anything now; a token that would not is left unused for later. */
  const wouldAct = (action: LinkAction, inc: IncidentView) => (action === 'ack' ? inc.state === 'open' : inc.state !== 'resolved');

  /** Does the action (the token already claimed); the incident afterwards, and the hold's end for a mute. */
  const act = (action: LinkAction, check: Valid, by: string, viaLinkOf: string | undefined): { incident?: IncidentView; mutedUntil?: Date } => {
    const note = viaLinkOf ? `${NOTES[action]} (sent to ${viaLinkOf})` : NOTES[action];
    const id = check.incidentId;
    if (action === 'ack') return { incident: paging.acknowledge(id, by, note) };
    if (action === 'claim') {
      // Claiming an open incident answers it (stops escalation, meets the response clock); one already
      // acknowledged by someone else changes hands, which the timeline records.
      const current = engine.getIncident(id)?.incident;
      if (current?.state === 'open') return { incident: paging.acknowledge(id, by, note) };
      return { incident: engine.comment(id, by, note) };
    }
    const hold = paging.muteNotices(id, by);
    if (!hold) return {};
    const minutes = formatOutage(hold.until.getTime() - now().getTime(), 'en');
    return { incident: engine.comment(id, by, `${note}: no pages for ${minutes}, until ${hold.until.toISOString()}`), mutedUntil: hold.until };
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
    chatSettings: () => paging.chatSettings(),
    firstCallback: (platform, id, windowMs) => callbacks.first(platform, id, now().getTime(), windowMs),
    inspectLink(action, token) {
      const { check: _check, ...result } = inspect(action, token);
      return result;
    },
    actWithLink(action, token, actor): AckOutcome {
      const found = inspect(action, token);
      if (!found.ok) return found;
      const { incident, check } = found;
      // Nothing to do: the token stays unused, so its recipient can still act if the incident is reopened to them.
      if (!wouldAct(action, incident)) return { ok: true, incident, changed: false };
      if (!ledger.claim(check!, now().getTime())) return { ok: false, reason: 'used', message: `this ${LINK_NAME[action]} was already used` };
      const by = actor ?? check!.by;
      const done = act(action, check!, by, actor ? check!.by : undefined);
      const after = done.incident ?? engine.getIncident(check!.incidentId)?.incident;
      if (!after) return { ok: false, reason: 'not-found', message: `incident ${check!.incidentId} does not exist (any more)` };
      const changed = action === 'ack' ? after.state === 'acknowledged' : done.incident !== undefined;
      return { ok: true, incident: after, changed, by, mutedUntil: done.mutedUntil };
    },
  };
}
