/**
 * Feishu/Lark card callbacks (`card.action.trigger`, schema 2.0) sent to the developer's server. With an
 * Encrypt Key the body is `{"encrypt": base64(iv ‖ AES-256-CBC(key = SHA-256(encrypt key)))}` and
 * X-Lark-Signature is the hex SHA-256 of X-Lark-Request-Timestamp ‖ X-Lark-Request-Nonce ‖ encrypt key ‖ raw
 * body; the decrypted (or plain) event's header.token must be the app's Verification Token. The answer is a
 * toast the person sees on the card, in Chinese and English.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import type { ChatSettings } from '../services/index.js';
import { buttonValue, header, jsonOf, safeEqual, staleness, type ChatParse, type ChatPlatform } from './platform.js';

type FeishuSettings = NonNullable<ChatSettings['feishu']>;

/** Feishu's request signature (used when an Encrypt Key is set). */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + body).digest('hex');
}

/** Decrypts Feishu's `encrypt` field; undefined when it is not valid ciphertext for this key. */
export function feishuDecrypt(encryptKey: string, encrypted: string): string | undefined {
  try {
    const raw = Buffer.from(encrypted, 'base64');
    if (raw.length < 32 || raw.length % 16 !== 0) return undefined;
    const key = createHash('sha256').update(encryptKey).digest();
    const d = createDecipheriv('aes-256-cbc', key, raw.subarray(0, 16));
    return Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

interface FeishuEvent {
  type?: unknown; challenge?: unknown; token?: unknown; schema?: unknown;
  header?: { event_id?: unknown; token?: unknown; create_time?: unknown; event_type?: unknown };
  event?: { operator?: { open_id?: unknown; user_id?: unknown }; action?: { value?: unknown } };
}

/** Feishu card callbacks (POST /api/v1/chat/feishu/callback). */
export const feishuPlatform: ChatPlatform<FeishuSettings> = {
  name: 'feishu',
  settings: (chat) => chat.feishu,
  parse(req, s, nowMs, maxAgeMs): ChatParse {
    let text = req.body;
    let signedAtMs: number | undefined;
    if (s.encryptKey) {
      const ts = header(req, 'x-lark-request-timestamp');
      const nonce = header(req, 'x-lark-request-nonce');
      const sig = header(req, 'x-lark-signature');
      if (!/^\d{1,12}$/.test(ts) || !nonce || !sig) return { kind: 'refused', status: 401, reason: 'missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature' };
      const stale = staleness(Number(ts) * 1000, nowMs, maxAgeMs);
      if (stale) return stale;
      if (!safeEqual(sig, feishuSignature(ts, nonce, s.encryptKey, req.body))) return { kind: 'refused', status: 401, reason: 'the Feishu signature does not match' };
      const outer = jsonOf(req.body) as { encrypt?: unknown } | undefined;
      const plain = typeof outer?.encrypt === 'string' ? feishuDecrypt(s.encryptKey, outer.encrypt) : undefined;
      if (plain === undefined) return { kind: 'refused', status: 400, reason: 'the body is not encrypted with this Encrypt Key' };
      text = plain;
      signedAtMs = Number(ts) * 1000;
    }
    const ev = jsonOf(text) as FeishuEvent | undefined;
    if (!ev) return { kind: 'refused', status: 400, reason: 'the body is not JSON' };
    const token = typeof ev.header?.token === 'string' ? ev.header.token : typeof ev.token === 'string' ? ev.token : '';
    if (!safeEqual(token, s.verificationToken)) return { kind: 'refused', status: 401, reason: 'the Feishu verification token does not match' };
    if (ev.type === 'url_verification' && typeof ev.challenge === 'string') {
      return { kind: 'handshake', reply: { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify({ challenge: ev.challenge.slice(0, 512) }) } };
    }
    if (ev.schema !== '2.0' || ev.header?.event_type !== 'card.action.trigger') return { kind: 'refused', status: 400, reason: 'expected a card.action.trigger callback (schema 2.0)' };
    // Without an Encrypt Key nothing is signed: the event's own creation time bounds its age.
    if (signedAtMs === undefined) {
      const stale = staleness(Number(ev.header.create_time), nowMs, maxAgeMs);
      if (stale) return stale;
    }
    const eventId = ev.header.event_id;
    const userId = ev.event?.operator?.open_id ?? ev.event?.operator?.user_id;
    const button = buttonValue(ev.event?.action?.value);
    if (typeof eventId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(eventId)) return { kind: 'refused', status: 400, reason: 'expected header.event_id' };
    if (typeof userId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(userId) || !button) return { kind: 'refused', status: 400, reason: 'expected an operator and a Noctua button' };
    return { kind: 'act', replayId: eventId, userId, ...button };
  },
  reply: (_s, outcome) => ({
    // Feishu shows the toast whatever happened; a non-200 answer would only show "request failed".
    status: 200, type: 'application/json; charset=utf-8',
    body: JSON.stringify({ toast: { type: outcome.ok ? 'success' : 'error', content: outcome.message['zh-CN'], i18n: { zh_cn: outcome.message['zh-CN'], en_us: outcome.message.en } } }),
  }),
};
