import type { PauseOutcome } from '../../alerting/escalation/service.js';
import type { PauseReason, SlaPause } from '../../alerting/escalation/pauses.js';
import type { SlaRecord } from '../../alerting/escalation/sla.js';
import type { FailedNotice, IncidentNotice, OutboxStats } from '../../alerting/outbox.js';
import type { IncidentView } from '../../core/incident.js';
import type { Awaitable } from './awaitable.js';
import type { LinkAction } from '../../alerting/escalation/ack-token.js';
import type { NotifyFile } from '../../alerting/escalation/schema.js';

/** notify.yaml `chat:`: the platforms whose callbacks are verified, and chat users who are Noctua users. */
export type ChatSettings = NonNullable<NotifyFile['chat']>;

/** Why an acknowledge link does nothing; each has its own page. */
export type AckRefusal = {
  ok: false;
  reason: 'malformed' | 'bad-signature' | 'expired' | 'used' | 'not-found' | 'unavailable';
  message: string;
};

/** What an acknowledge link would act on, read without acting (the confirm page). */
export type AckLinkCheck = { ok: true; incident: IncidentView; recipient: string; expiresAt: Date; /** For a mute link: how long it holds pages. */ muteForMs?: number } | AckRefusal;

/**
 * What acting on a link (or a chat button with its token) did; `changed` is false when there was nothing to do
 * (acknowledge: already acknowledged or resolved; claim and mute: resolved). `mutedUntil`: when a mute's hold ends.
 */
export type AckOutcome = { ok: true; incident: IncidentView; changed: boolean; /** Who acted (when it did). */ by?: string; mutedUntil?: Date } | AckRefusal;

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
  /** Checks a link token for its action and finds its incident; changes nothing (link previews and mail scanners open links). */
  inspectLink(action: LinkAction, token: string): Awaitable<AckLinkCheck>;
  /**
   * Acknowledges, claims or mutes the incident a link names, once per token: a used token is refused, also after an
   * un-acknowledge. `actor`: who acted when it is not the link's recipient (a chat user pressing a button).
   */
  actWithLink(action: LinkAction, token: string, actor?: string): Awaitable<AckOutcome>;
  /** Records a verified chat callback by its id; false when it was taken before (a replay is refused). */
  firstCallback(platform: string, callbackId: string, windowMs: number): Awaitable<boolean>;
  /** notify.yaml `chat:`, undefined when chat callbacks are not configured. */
  chatSettings(): Awaitable<ChatSettings | undefined>;
  /** Clock pauses of an incident; undefined when escalation has no SLA record of it. */
  pauses(incidentId: string): Awaitable<SlaPause[] | undefined>;
  /** Stops the incident's SLA clocks from now on, for a reason. */
  pauseClock(incidentId: string, pause: { reason: PauseReason; note?: string; by: string }): Awaitable<PauseOutcome>;
  /** Lets the clocks run again from now. */
  endPause(incidentId: string, pauseId: string, by: string): Awaitable<PauseOutcome>;
}
