import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';
import type { Notice, NoticeKind } from '../escalation/notice.js';
import { templateOverridesSchema } from '../escalation/templates.js';

/**
 * What a channel says about one delivery attempt. Channels only classify; backoff, rate limits and
 * giving up live in the outbox's single retry stage.
 */
export type SendResult =
  | { ok: true; status?: number; detail?: string }
  | { ok: false; retryable: boolean; detail: string; status?: number; retryAfterMs?: number; response?: string };

/** A configured channel that can deliver notices. */
export interface Notifier {
  /** Channel name from notify.yaml. */
  readonly name: string;
  readonly type: string;
  /** The service's documented rate limit for one robot/integration: messages per minute, and burst per second. */
  readonly limits: { perMinute: number; perSecond?: number };
  /** How long one attempt may take before it counts as a timeout (retried). */
  readonly timeoutMs: number;
  /** False for notice kinds the service has no use for (e.g. PagerDuty manages its own SLA reminders). */
  handles(kind: NoticeKind): boolean;
  send(notice: Notice, signal: AbortSignal): Promise<SendResult>;
}

/** Options every channel accepts besides its own. */
export const channelBaseFields = {
  /** Longest wait for the receiver's answer. */
  timeout: durationSchema.default(10_000),
  /** Lower the documented rate limit (never raise it: the service would drop or block the robot). */
  perMinute: z.number().int().min(1).optional(),
  templates: templateOverridesSchema.optional(),
};

/** A channel type: its config schema and how to build a notifier from a validated config. */
export interface ChannelType<S extends z.ZodType = z.ZodType> {
  type: string;
  schema: S;
  create(name: string, config: z.output<S>): Notifier;
}

/** The rate limit a channel runs with: the service's documented limit, or the user's lower one. */
export function effectiveLimits(documented: { perMinute: number; perSecond?: number }, perMinute?: number): { perMinute: number; perSecond?: number } {
  return { ...documented, perMinute: Math.min(documented.perMinute, perMinute ?? documented.perMinute) };
}
