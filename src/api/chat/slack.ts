/**
 * Slack interactivity: a button press in a Block Kit message arrives at the app's Request URL as
 * `payload=<json>` (form-encoded), signed as Slack documents: X-Slack-Signature is "v0=" and the hex
 * HMAC-SHA256, keyed with the app's signing secret, of "v0:<X-Slack-Request-Timestamp>:<raw body>";
 * requests whose timestamp is more than five minutes away are refused.
 */
import { createHmac } from 'node:crypto';
import type { ChatSettings } from '../services/index.js';
import { header, jsonOf, parseButtonKey, safeEqual, staleness, type ChatParse, type ChatPlatform } from './platform.js';

type SlackSettings = NonNullable<ChatSettings['slack']>;

/** Slack's request signature over a timestamp (seconds, as sent) and the raw body. */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return 'v0=' + createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
}

/** Slack block_actions callbacks (POST /api/v1/chat/slack/callback). */
export const slackPlatform: ChatPlatform<SlackSettings> = {
  name: 'slack',
  settings: (chat) => chat.slack,
  parse(req, s, nowMs, maxAgeMs): ChatParse {
    const ts = header(req, 'x-slack-request-timestamp');
    const sig = header(req, 'x-slack-signature');
    if (!/^\d{1,12}$/.test(ts) || !sig) return { kind: 'refused', status: 401, reason: 'missing X-Slack-Request-Timestamp or X-Slack-Signature' };
    // Freshness first, so an old request is refused whatever its signature; then the signature over it.
    const stale = staleness(Number(ts) * 1000, nowMs, maxAgeMs);
    if (stale) return stale;
    if (!safeEqual(sig, slackSignature(s.signingSecret, ts, req.body))) return { kind: 'refused', status: 401, reason: 'the Slack signature does not match' };
    const payload = jsonOf(new URLSearchParams(req.body).get('payload') ?? '') as
      { type?: unknown; user?: { id?: unknown }; actions?: { action_id?: unknown; value?: unknown }[] } | undefined;
    if (!payload || payload.type !== 'block_actions') return { kind: 'refused', status: 400, reason: 'expected a block_actions payload' };
    const userId = payload.user?.id;
    const press = Array.isArray(payload.actions) ? payload.actions[0] : undefined;
    const button = typeof press?.value === 'string' ? parseButtonKey(press.value) : undefined;
    if (typeof userId !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(userId) || !button) return { kind: 'refused', status: 400, reason: 'expected a user id and a Noctua button' };
    // The signature is unique to this timestamp and body: the same one again is the same request again.
    return { kind: 'act', replayId: sig, userId, ...button };
  },
  reply: (_s, outcome) => ({
    status: outcome.status, type: 'application/json; charset=utf-8',
    body: JSON.stringify({ ok: outcome.ok, reason: outcome.reason, text: outcome.message.en }),
  }),
};
