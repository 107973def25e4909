import type { PauseOutcome } from '../../alerting/escalation/service.js';
import type { PauseReason, SlaPause } from '../../alerting/escalation/pauses.js';
import type { SlaRecord } from '../../alerting/escalation/sla.js';
import type { FailedNotice, IncidentNotice, OutboxStats } from '../../alerting/outbox.js';
import type { IncidentView } from '../../core/incident.js';
import type { Awaitable } from './awaitable.js';

/** Why an acknowledge link does nothing; each has its own page. */
export type AckRefusal = {
  ok: false;
  reason: 'malformed' | 'bad-signature' | 'expired' | 'used' | 'not-found' | 'unavailable';
  message: string;
};

/** What an acknowledge link would act on, read without acting (the confirm page). */
export type AckLinkCheck = { ok: true; incident: IncidentView; recipient: string; expiresAt: Date } | AckRefusal;

/** What acting on an acknowledge link did; `changed` is false when the incident was already acknowledged or resolved. */
export type AckOutcome = { ok: true; incident: IncidentView; changed: boolean } | AckRefusal;

/** Escalation's durable outbox, SLA records and acknowledge links. */
export interface PagingService {
  outboxStats(): Awaitable<OutboxStats>;
  /** Notices given up on, newest first. */
  failedNotices(limit: number): Awaitable<FailedNotice[]>;
  /** Every notice written for one incident, oldest first: channel, tier and delivery state. */
  incidentNotices(incidentId: string): Awaitable<IncidentNotice[]>;
  /** Queues a failed notice again; false when there is no failed notice with that id. */
  retryNotice(id: string): Awaitable<boolean>;
  slaRecord(incidentId: string): Awaitable<SlaRecord | undefined>;
  /** Checks a link token and finds its incident; changes nothing (link previews and mail scanners open links). */
  inspectAckLink(token: string): Awaitable<AckLinkCheck>;
  /** Acknowledges the incident a link names, once per token: a used token is refused, also after an un-acknowledge. */
  acknowledgeWithLink(token: string): Awaitable<AckOutcome>;
  /** Clock pauses of an incident; undefined when escalation has no SLA record of it. */
  pauses(incidentId: string): Awaitable<SlaPause[] | undefined>;
  /** Stops the incident's SLA clocks from now on, for a reason. */
  pauseClock(incidentId: string, pause: { reason: PauseReason; note?: string; by: string }): Awaitable<PauseOutcome>;
  /** Lets the clocks run again from now. */
  endPause(incidentId: string, pauseId: string, by: string): Awaitable<PauseOutcome>;
}
