import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Notice } from '../escalation/notice.js';
import { renderNotice } from '../escalation/templates.js';
import { classifyStatus, postBody } from './http.js';
import { plainText } from './markup.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { secret } from '../../config/secret.js';

/** Version of the generic webhook body; bumped only on incompatible changes. */
export const WEBHOOK_BODY_VERSION = '1';

/** `type: webhook`: Noctua's own JSON body, signed when a secret is set. */
export const webhookSchema = z.strictObject({
  type: z.literal('webhook'),
  url: secret(z.url({ protocol: /^https?$/ })),
  /** HMAC-SHA256 key for X-Noctua-Signature; receivers should refuse unsigned or stale requests. */
  secret: secret(z.string().min(16, 'expected a secret of at least 16 characters')).optional(),
  /** Extra request headers, e.g. an Authorization header the receiver wants. */
  headers: z.record(z.string(), secret(z.string())).default({}),
  ...channelBaseFields,
});

/** Signature of a generic webhook request: hex HMAC-SHA256 of `<timestamp>.<body>` with the channel secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Checks a generic webhook request the way a receiver should: the signature matches and the
 * timestamp (unix seconds) is within `toleranceS` of now, so a captured request cannot be replayed later.
 */
export function verifyWebhookSignature(
  secret: string, headers: { timestamp?: string; signature?: string }, body: string, nowMs = Date.now(), toleranceS = 300,
): boolean {
  if (!headers.timestamp || !headers.signature || !/^\d+$/.test(headers.timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(headers.timestamp)) > toleranceS) return false;
  const want = Buffer.from(webhookSignature(secret, headers.timestamp, body));
  const got = Buffer.from(headers.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The documented body of the generic webhook (version 1). */
export function webhookBody(notice: Notice, text: { title: string; body: string }) {
  return {
    version: WEBHOOK_BODY_VERSION,
    id: notice.id,
    kind: notice.kind,
    channel: notice.channel,
    createdAt: notice.createdAt,
    locale: notice.locale,
    incident: notice.incident,
    step: notice.step,
    tier: notice.tier,
    repeat: notice.repeat,
    recipients: notice.recipients,
    outageMs: notice.outageMs,
    deadline: notice.deadline,
    links: notice.links,
    configChanges: notice.configChanges,
    text,
  };
}

/** The generic webhook channel. */
export const webhookChannel: ChannelType<typeof webhookSchema> = {
  type: 'webhook',
  schema: webhookSchema,
  create(name, cfg): Notifier {
    return {
      name, type: 'webhook', timeoutMs: cfg.timeout,
      // A receiver we do not know: no documented limit, so a generous one that still stops a flood.
      limits: effectiveLimits({ perMinute: 600 }, cfg.perMinute),
      handles: () => true,
      async send(notice, signal) {
        const body = JSON.stringify(webhookBody(notice, renderNotice(notice, plainText, cfg.templates)));
        const timestamp = String(Math.floor(Date.now() / 1000));
        const headers: Record<string, string> = { ...cfg.headers, 'idempotency-key': notice.id, 'x-noctua-notice-id': notice.id, 'x-noctua-timestamp': timestamp, 'user-agent': 'Noctua' };
        if (cfg.secret) headers['x-noctua-signature'] = webhookSignature(cfg.secret, timestamp, body);
        const r = await postBody(cfg.url, body, headers, signal);
        return 'failure' in r ? r.failure : classifyStatus(r.reply, `webhook ${name}`);
      },
    };
  },
};
