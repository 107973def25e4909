/**
 * DingTalk app callbacks over HTTP (event subscription): `?msg_signature=&timestamp=<ms>&nonce=` and a body
 * `{"encrypt": ...}` in the SHA-1 + AES scheme of biz-msg-crypt.ts; the answer is "success" encrypted back
 * (`{msg_signature, timeStamp, nonce, encrypt}`), or DingTalk retries. An interactive card's button press
 * arrives as a decrypted event naming the user and the card's private params, where Noctua's buttons put
 * `{action, token}`. (Custom group robots cannot call back: their ActionCard buttons open the link pages.)
 */
import { randomBytes } from 'node:crypto';
import type { ChatSettings } from '../services/index.js';
import { bizMsgDecrypt, bizMsgEncrypt, bizMsgSignature } from './biz-msg-crypt.js';
import { buttonValue, jsonOf, queryValue, safeEqual, staleness, type ChatParse, type ChatPlatform, type ChatReply } from './platform.js';

type DingTalkSettings = NonNullable<ChatSettings['dingtalk']>;

interface DingTalkEvent {
  EventType?: unknown; userId?: unknown; staffId?: unknown; outTrackId?: unknown;
  /** The card's private data as JSON text: `{"cardPrivateData": {"params": {...}}}`. */
  content?: unknown; value?: unknown;
}

/** DingTalk's encrypted "success". */
function success(s: DingTalkSettings, nowMs: number): ChatReply {
  const encrypt = bizMsgEncrypt(s.aesKey, 'success', s.ownerKey);
  const timeStamp = String(nowMs);
  const nonce = randomBytes(6).toString('hex');
  return { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify({ msg_signature: bizMsgSignature(s.token, timeStamp, nonce, encrypt), timeStamp, nonce, encrypt }) };
}

function params(ev: DingTalkEvent): unknown {
  const text = typeof ev.content === 'string' ? ev.content : typeof ev.value === 'string' ? ev.value : '';
  const data = jsonOf(text) as { cardPrivateData?: { params?: unknown } } | undefined;
  return data?.cardPrivateData?.params;
}

/** DingTalk app callbacks (POST /api/v1/chat/dingtalk/callback). */
export const dingtalkPlatform: ChatPlatform<DingTalkSettings> = {
  name: 'dingtalk',
  settings: (chat) => chat.dingtalk,
  parse(req, s, nowMs, maxAgeMs): ChatParse {
    const sig = queryValue(req, 'msg_signature') || queryValue(req, 'signature');
    const ts = queryValue(req, 'timestamp') || queryValue(req, 'timeStamp');
    const nonce = queryValue(req, 'nonce');
    const encrypt = (jsonOf(req.body) as { encrypt?: unknown } | undefined)?.encrypt;
    if (!sig || !/^\d{1,15}$/.test(ts) || !nonce || typeof encrypt !== 'string') return { kind: 'refused', status: 401, reason: 'missing msg_signature, timestamp, nonce or encrypt' };
    const stale = staleness(Number(ts), nowMs, maxAgeMs);
    if (stale) return stale;
    if (!safeEqual(sig, bizMsgSignature(s.token, ts, nonce, encrypt))) return { kind: 'refused', status: 401, reason: 'the DingTalk signature does not match' };
    const plain = bizMsgDecrypt(s.aesKey, encrypt, s.ownerKey);
    if ('error' in plain) return { kind: 'refused', status: 400, reason: plain.error };
    const ev = jsonOf(plain.message) as DingTalkEvent | undefined;
    if (!ev) return { kind: 'refused', status: 400, reason: 'the decrypted event is not JSON' };
    if (ev.EventType === 'check_url') return { kind: 'handshake', reply: success(s, nowMs) };
    const userId = ev.userId ?? ev.staffId;
    const button = buttonValue(params(ev));
    if (typeof userId !== 'string' || !/^[A-Za-z0-9_$-]{1,64}$/.test(userId) || !button) return { kind: 'refused', status: 400, reason: 'expected a user id and a Noctua button' };
    return { kind: 'act', replayId: `${ts}:${nonce}`, userId, ...button };
  },
  reply: (s, _outcome, nowMs) => success(s, nowMs),
};
