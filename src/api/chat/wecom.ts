/**
 * WeCom app callbacks: `?msg_signature=&timestamp=<s>&nonce=` and an XML body whose <Encrypt> is in the
 * SHA-1 + AES scheme of biz-msg-crypt.ts (receiver id: the corp id). A template card's button press is the
 * decrypted event `template_card_event` with FromUserName (the user id) and EventKey, where Noctua's buttons
 * put "<action>:<token>". The URL check is a GET with `echostr`, answered with its decrypted text.
 */
import type { ChatSettings } from '../services/index.js';
import { bizMsgDecrypt, bizMsgSignature } from './biz-msg-crypt.js';
import { parseButtonKey, queryValue, safeEqual, staleness, type ChatParse, type ChatPlatform, type ChatRequest } from './platform.js';

type WeComSettings = NonNullable<ChatSettings['wecom']>;

/**
 * One element's text from WeCom's flat XML, CDATA or not. The name is ours (a fixed word) and the content
 * pattern has no nested quantifier, so this cannot backtrack badly on hostile input.
 */
export function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([^\\]]*)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Verifies and decrypts what WeCom signed: the query's signature over `encrypted`. */
function open(req: ChatRequest, s: WeComSettings, encrypted: string, nowMs: number, maxAgeMs: number): { message: string } | Extract<ChatParse, { kind: 'refused' }> {
  const sig = queryValue(req, 'msg_signature');
  const ts = queryValue(req, 'timestamp');
  const nonce = queryValue(req, 'nonce');
  if (!sig || !/^\d{1,12}$/.test(ts) || !nonce) return { kind: 'refused', status: 401, reason: 'missing msg_signature, timestamp or nonce' };
  const stale = staleness(Number(ts) * 1000, nowMs, maxAgeMs);
  if (stale) return stale as Extract<ChatParse, { kind: 'refused' }>;
  if (!safeEqual(sig, bizMsgSignature(s.token, ts, nonce, encrypted))) return { kind: 'refused', status: 401, reason: 'the WeCom signature does not match' };
  const plain = bizMsgDecrypt(s.encodingAesKey, encrypted, s.corpId);
  return 'error' in plain ? { kind: 'refused', status: 400, reason: plain.error } : plain;
}

/** WeCom app callbacks (POST, and the GET URL check, at /api/v1/chat/wecom/callback). */
export const wecomPlatform: ChatPlatform<WeComSettings> & { verifyUrl(req: ChatRequest, s: WeComSettings, nowMs: number, maxAgeMs: number): ChatParse } = {
  name: 'wecom',
  settings: (chat) => chat.wecom,
  verifyUrl(req, s, nowMs, maxAgeMs) {
    const echostr = queryValue(req, 'echostr');
    if (!echostr) return { kind: 'refused', status: 400, reason: 'expected echostr' };
    const plain = open(req, s, echostr, nowMs, maxAgeMs);
    if ('kind' in plain) return plain;
    return { kind: 'handshake', reply: { status: 200, type: 'text/plain; charset=utf-8', body: plain.message } };
  },
  parse(req, s, nowMs, maxAgeMs): ChatParse {
    const encrypted = xmlField(req.body, 'Encrypt');
    if (!encrypted) return { kind: 'refused', status: 401, reason: 'expected <Encrypt> in the body' };
    const plain = open(req, s, encrypted, nowMs, maxAgeMs);
    if ('kind' in plain) return plain;
    const xml = plain.message;
    if (xmlField(xml, 'Event') !== 'template_card_event') return { kind: 'refused', status: 400, reason: 'expected a template_card_event' };
    const userId = xmlField(xml, 'FromUserName');
    const button = parseButtonKey(xmlField(xml, 'EventKey') ?? '');
    if (!userId || !/^[A-Za-z0-9_@.-]{1,64}$/.test(userId) || !button) return { kind: 'refused', status: 400, reason: 'expected FromUserName and a Noctua button key' };
    return { kind: 'act', replayId: queryValue(req, 'msg_signature'), userId, ...button };
  },
  // WeCom takes an empty answer as received; it would show any text to nobody.
  reply: (_s, outcome) => ({ status: outcome.status === 200 ? 200 : outcome.status, type: 'text/plain; charset=utf-8', body: '' }),
};
