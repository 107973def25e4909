import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingtalkPlatform } from '../../src/api/chat/dingtalk.js';
import { feishuPlatform } from '../../src/api/chat/feishu.js';
import type { ChatRequest } from '../../src/api/chat/platform.js';
import { slackPlatform } from '../../src/api/chat/slack.js';
import { wecomPlatform } from '../../src/api/chat/wecom.js';

// The edges of each platform's verification, table by table; the signers are written here from the platforms'
// documents, apart from the verifiers under test. The HTTP path is covered by notice-actions.test.ts.
const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);
const MAX_AGE = 300_000;
const req = (body: string, headers: Record<string, string> = {}, query: Record<string, string> = {}): ChatRequest => ({ body, headers, query });
const button = { action: 'ack', token: 'payload.sig' };

describe('Slack verification', () => {
  const secret = 'slack-secret-01';
  const signed = (body: string, ts: number) => req(body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex') });
  const body = 'payload=' + encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ value: 'claim:payload.sig' }] }));

  it('takes a fresh signed press and refuses future, altered, unsigned and foreign payloads', () => {
    expect(slackPlatform.parse(signed(body, NOW / 1000), { signingSecret: secret }, NOW, MAX_AGE)).toMatchObject({ kind: 'act', userId: 'U1', action: 'claim', token: 'payload.sig' });
    expect(slackPlatform.parse(signed(body, NOW / 1000 + 301), { signingSecret: secret }, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 401 });
    const altered = signed(body, NOW / 1000);
    expect(slackPlatform.parse({ ...altered, body: body.replace('claim', 'mute') }, { signingSecret: secret }, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 401 });
    expect(slackPlatform.parse(req(body), { signingSecret: secret }, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 401 });
    const other = 'payload=' + encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U1' } }));
    expect(slackPlatform.parse(signed(other, NOW / 1000), { signingSecret: secret }, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 400 });
  });
});

describe('Feishu without an Encrypt Key', () => {
  const s = { verificationToken: 'verify-token-01' };
  const event = (over: Record<string, unknown> = {}) => JSON.stringify({
    schema: '2.0', header: { event_id: 'e1', token: s.verificationToken, create_time: String(NOW), event_type: 'card.action.trigger', ...over },
    event: { operator: { open_id: 'ou_1' }, action: { value: button } },
  });

  it('checks the verification token and the event time, and answers the URL check with its challenge', () => {
    expect(feishuPlatform.parse(req(event()), s, NOW, MAX_AGE)).toMatchObject({ kind: 'act', replayId: 'e1', userId: 'ou_1', action: 'ack' });
    expect(feishuPlatform.parse(req(event({ token: 'forged-token-01' })), s, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 401 });
    expect(feishuPlatform.parse(req(event({ create_time: String(NOW - 600_000) })), s, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 401 });
    const challenge = feishuPlatform.parse(req(JSON.stringify({ type: 'url_verification', challenge: 'c-42', token: s.verificationToken })), s, NOW, MAX_AGE);
    expect(challenge).toMatchObject({ kind: 'handshake', reply: { status: 200, body: '{"challenge":"c-42"}' } });
    expect(feishuPlatform.parse(req('not json'), s, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 400 });
  });

  it('refuses a body encrypted with another key even when its signature is computed with ours', () => {
    const key = 'encrypt-key-01';
    const iv = randomBytes(16);
    const c = createCipheriv('aes-256-cbc', createHash('sha256').update('another-key').digest(), iv);
    const body = JSON.stringify({ encrypt: Buffer.concat([iv, c.update(event()), c.final()]).toString('base64') });
    const ts = String(NOW / 1000);
    const sig = createHash('sha256').update(`${ts}n1${key}${body}`).digest('hex');
    const r = feishuPlatform.parse(req(body, { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n1', 'x-lark-signature': sig }), { ...s, encryptKey: key }, NOW, MAX_AGE);
    expect(r).toMatchObject({ kind: 'refused', status: 400 });
  });
});

/** WeChat-family encryption, written here: random(16) | big-endian length | message | receiver, PKCS#7 to 32 bytes. */
function wx(aesKey: string, message: string, receiver: string): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(Buffer.byteLength(message));
  const plain = Buffer.concat([randomBytes(16), len, Buffer.from(message), Buffer.from(receiver)]);
  const pad = 32 - (plain.length % 32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), c.final()]).toString('base64');
}
const sha1 = (...p: string[]) => createHash('sha1').update(p.sort().join('')).digest('hex');

describe('DingTalk and WeCom verification', () => {
  const ding = { token: 'tk', aesKey: '0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', ownerKey: 'corp-a' };
  const wecom = { token: 'tk', encodingAesKey: '0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', corpId: 'ww-a' };

  it('DingTalk: answers check_url with an encrypted success, and refuses a message for another owner', () => {
    const encrypt = wx(ding.aesKey, JSON.stringify({ EventType: 'check_url' }), ding.ownerKey);
    const q = { msg_signature: sha1(ding.token, String(NOW), 'n', encrypt), timestamp: String(NOW), nonce: 'n' };
    const r = dingtalkPlatform.parse(req(JSON.stringify({ encrypt }), {}, q), ding, NOW, MAX_AGE);
    expect(r.kind).toBe('handshake');
    const answer = JSON.parse((r as { reply: { body: string } }).reply.body) as Record<string, string>;
    expect(answer.msg_signature).toBe(sha1(ding.token, answer.timeStamp!, answer.nonce!, answer.encrypt!));
    const foreign = wx(ding.aesKey, JSON.stringify({ EventType: 'check_url' }), 'corp-b');
    const q2 = { msg_signature: sha1(ding.token, String(NOW), 'n', foreign), timestamp: String(NOW), nonce: 'n' };
    expect(dingtalkPlatform.parse(req(JSON.stringify({ encrypt: foreign }), {}, q2), ding, NOW, MAX_AGE)).toMatchObject({ kind: 'refused', status: 400, reason: 'the callback is for another receiver id' });
  });

  it('WeCom: refuses an event that is not a card press, a foreign key and a forged signature', () => {
    const send = (inner: string, receiver = wecom.corpId, sig?: string) => {
      const enc = wx(wecom.encodingAesKey, inner, receiver);
      const ts = String(NOW / 1000);
      return wecomPlatform.parse(req(`<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`, {}, { msg_signature: sig ?? sha1(wecom.token, ts, 'n', enc), timestamp: ts, nonce: 'n' }), wecom, NOW, MAX_AGE);
    };
    const press = '<xml><FromUserName><![CDATA[li.si]]></FromUserName><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[mute:payload.sig]]></EventKey></xml>';
    expect(send(press)).toMatchObject({ kind: 'act', userId: 'li.si', action: 'mute', token: 'payload.sig' });
    expect(send(press.replace('template_card_event', 'enter_agent'))).toMatchObject({ kind: 'refused', status: 400 });
    expect(send(press.replace('mute:', 'delete:'))).toMatchObject({ kind: 'refused', status: 400 });
    expect(send(press, 'ww-b')).toMatchObject({ kind: 'refused', status: 400 });
    expect(send(press, wecom.corpId, 'a'.repeat(40))).toMatchObject({ kind: 'refused', status: 401 });
  });
});
