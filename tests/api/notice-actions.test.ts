import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { redactUrl } from '../../src/api/request-log.js';
import { signAckToken, type EscalationService } from '../../src/alerting/escalation/index.js';
import type { AlertEngine } from '../../src/alerting/engine.js';
import { FakeClock } from '../../src/core/clock.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';
import { createAuth, type AuthRuntime } from '../../src/auth/runtime.js';
import { authSectionSchema } from '../../src/config/sections/auth.js';
import { icmpDevice, startPagingBench, type PagingBench } from './paging-bench.js';
import { apiSettings, TOKENS } from './memory-noc.js';

const RULES = `
rules:
  - name: device-down
    severity: P1
    consecutive: 2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: "{{device}} down"
`;
const SECRET = 'notice-actions-secret-0123456789';
const SLACK_SECRET = 'slack-signing-secret-8f2a';
const FEISHU = { token: 'feishu-verification-token', key: 'feishu-encrypt-key' };
// 43 letters and digits, as both platforms issue them.
const DING = { token: 'ding-token', aesKey: 'a'.repeat(21) + 'B'.repeat(22), owner: 'dingcorp01' };
const WECOM = { token: 'wecom-token', aesKey: 'Q'.repeat(20) + '7'.repeat(23), corp: 'ww0123456789' };
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
/** A device name a hostile inventory import might carry. */
const DEVICE = 'rt-<script>alert(1)</script>';

function notifyYaml(base: string): string {
  return `ackLinks: { secret: ${SECRET}, ttl: 1h }
chat:
  slack: { signingSecret: ${SLACK_SECRET} }
  feishu: { verificationToken: ${FEISHU.token}, encryptKey: ${FEISHU.key} }
  dingtalk: { token: ${DING.token}, aesKey: ${DING.aesKey}, ownerKey: ${DING.owner} }
  wecom: { token: ${WECOM.token}, encodingAesKey: ${WECOM.aesKey}, corpId: ${WECOM.corp} }
  users: { "slack:U024BE7LH": alice }
channels:
  hook: { type: webhook, url: "${base}/hook" }
  slack: { type: slack, url: "${base}/slack", buttons: callback }
  feishu: { type: feishu, url: "${base}/feishu", buttons: callback }
  ding: { type: dingtalk, url: "${base}/ding", buttons: links }
  wecom: { type: wecom, url: "${base}/wecom", buttons: links }
tiers:
  engineer: { notify: [{ channel: hook }, { channel: slack }, { channel: feishu }, { channel: ding }, { channel: wecom }] }
  lead: { notify: [{ channel: hook }] }
  manager: { notify: [{ channel: hook }] }
policies:
  P1: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }] }
`;
}

// Independent signers, written here from the platforms' documents (not the verifiers under test).
function slackHeaders(body: string, tsS: number, secret = SLACK_SECRET): Record<string, string> {
  const mac = createHmac('sha256', secret).update(`v0:${tsS}:${body}`).digest('hex');
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(tsS), 'x-slack-signature': `v0=${mac}` };
}
function feishuRequest(event: object, tsS: number, key = FEISHU.key): { body: string; headers: Record<string, string> } {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  const encrypt = Buffer.concat([iv, c.update(JSON.stringify(event), 'utf8'), c.final()]).toString('base64');
  const body = JSON.stringify({ encrypt });
  const nonce = randomBytes(8).toString('hex');
  const sig = createHash('sha256').update(`${tsS}${nonce}${key}${body}`).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': String(tsS), 'x-lark-request-nonce': nonce, 'x-lark-signature': sig } };
}
/** WeChat-family message crypto (DingTalk, WeCom): random(16) | length | message | receiver, PKCS#7 to 32 bytes. */
function wxEncrypt(aesKey: string, message: string, receiver: string): string {
  const key = Buffer.from(aesKey + '=', 'base64');
  const msg = Buffer.from(message);
  const head = Buffer.alloc(20);
  randomBytes(16).copy(head);
  head.writeUInt32BE(msg.length, 16);
  const plain = Buffer.concat([head, msg, Buffer.from(receiver)]);
  const n = 32 - (plain.length % 32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(n, n)])), c.final()]).toString('base64');
}
const wxSign = (...parts: string[]) => createHash('sha1').update(parts.sort().join('')).digest('hex');

describe('acting from the notice: claim and mute links, chat buttons, over real HTTP', () => {
  const tmp = tempDir('noctua-notice-actions-');
  const clock = new FakeClock(T0);
  const device = icmpDevice(DEVICE);
  let bench: PagingBench;
  let receiver: WebhookReceiver;
  let engine: AlertEngine;
  let escalation: EscalationService;
  let server: ApiServer;
  let id: string;
  let auth: AuthRuntime;
  /** The audit rows written so far for an action, oldest first. */
  const audit = (action: string) => auth.audit.list({ action, limit: 100, offset: 0 }).items.reverse();
  const notice = (path: string) => receiver.requests.find((r) => r.path === path)!;
  const links = () => (notice('/hook').json as { links: Record<string, string> }).links;
  const state = () => engine.getIncident(id)!.incident;
  const post = (path: string, body = '', headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { method: 'POST', body: body === '' ? undefined : body, headers });
  const unack = async () => {
    const r = await post(`/api/v1/incidents/${id}/unacknowledge`, '', { authorization: `Bearer ${TOKENS.operator}` });
    expect(r.status).toBe(200);
    expect(state().state).toBe('open');
  };
  const nowS = () => Math.floor(clock.ms() / 1000);

  beforeAll(async () => {
    bench = await startPagingBench({
      dir: tmp.dir, clock, device, rules: RULES, notify: notifyYaml, locale: 'en', publicUrl: 'https://noc.example.com',
      reply: (req) => ({ status: 200, body: req.path === '/hook' || req.path === '/slack' ? { ok: true } : req.path === '/feishu' ? { code: 0 } : { errcode: 0 } }),
    });
    ({ engine, escalation, receiver } = bench);
    auth = createAuth({ settings: authSectionSchema.parse({}), db: bench.db });
    server = await startApiServer({ settings: apiSettings({ host: '127.0.0.1', port: 0, publicUrl: 'https://noc.example.com' }), services: bench.services(), log: pino({ level: 'silent' }), now: () => clock.now(), locale: 'en', auth });
    id = await bench.openIncident(['/hook', '/slack', '/feishu', '/ding', '/wecom']);
    await clock.advance(2 * 60_000);
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    await bench?.close();
    tmp.cleanup();
  });

  it('sends acknowledge, claim and mute as links, Slack and Feishu callback buttons, a DingTalk ActionCard and a WeCom card', () => {
    expect(Object.keys(links()).sort()).toEqual(['ack', 'claim', 'dashboard', 'mute']);
    const slack = notice('/slack').json as { text: string; blocks: { type: string; text?: { text: string }; elements?: { value?: string; text: { text: string } }[] }[] };
    const buttons = slack.blocks.find((b) => b.type === 'actions')!.elements!;
    expect(buttons.map((b) => b.text.text)).toEqual(['Acknowledge', "I'm on it", 'Mute 1h']);
    expect(buttons.map((b) => b.value!.split(':')[0])).toEqual(['ack', 'claim', 'mute']);
    // The device's markup is text in Slack's mrkdwn, and the links are not repeated in the text beside the buttons.
    expect(slack.blocks[0]!.text!.text).toContain('rt-&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(slack.blocks[0]!.text!.text).not.toContain('/ack/');
    const card = (notice('/feishu').json as { card: { elements: { tag: string; actions?: { value: { action: string; token: string } }[] }[] } }).card;
    expect(card.elements.find((e) => e.tag === 'action')!.actions!.map((a) => a.value.action)).toEqual(['ack', 'claim', 'mute']);
    const ding = notice('/ding').json as { msgtype: string; actionCard: { btns: { title: string; actionURL: string }[] } };
    expect(ding.msgtype).toBe('actionCard');
    expect(ding.actionCard.btns.map((b) => new URL(b.actionURL).pathname.split('/')[1])).toEqual(['ack', 'claim', 'mute']);
    const wecom = notice('/wecom').json as { msgtype: string; template_card: { jump_list: { url: string }[] } };
    expect(wecom.msgtype).toBe('template_card');
    expect(wecom.template_card.jump_list).toHaveLength(3);
  });

  it('shows the incident on GET of claim and mute links, escaped, and changes nothing', async () => {
    for (const action of ['claim', 'mute'] as const) {
      const r = await fetch(`${server.url}${new URL(links()[action]!).pathname}`);
      expect(r.status).toBe(200);
      const html = await r.text();
      expect(html).toContain(action === 'claim' ? 'Claim this incident?' : "Hold this incident&#39;s pages for 1h?");
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>');
      for (const fact of ['device-down', 'P1', 'open, not acknowledged', '2 min', 'channel:hook']) expect(html).toContain(fact);
    }
    expect(state().state).toBe('open');
    expect(escalation.noticeMute(id)).toBeUndefined();
  });

  it('mutes once on POST: pages held for an hour, the incident still open; a second POST is refused', async () => {
    const path = new URL(links().mute!).pathname;
    const r = await post(path);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('Pages held');
    expect(state().state).toBe('open');
    expect(escalation.noticeMute(id)!.until.getTime()).toBe(clock.ms() + 3_600_000);
    const note = engine.getIncident(id)!.timeline.find((e) => e.kind === 'commented');
    expect(note).toMatchObject({ by: 'channel:hook' });
    expect(note!.note).toContain('no pages for 1h');
    const again = await post(path);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already been used');
    const [done, refused] = audit('incident.mute');
    expect(done).toMatchObject({ who: 'channel:hook', via: 'link', target: `incident:${id}`, status: 200, outcome: 'ok', before: { state: 'open' }, after: { state: 'open' } });
    expect(done!.detail).toMatch(/^pages held until /);
    expect(refused).toMatchObject({ via: 'link', status: 409, outcome: 'failed' });
  });

  it('claims once on POST: acknowledged in the recipient\'s name; a second POST is refused', async () => {
    const path = new URL(links().claim!).pathname;
    const r = await post(path, '', { 'accept-language': 'zh-CN' });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('已由你处理');
    expect(state()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'channel:hook' });
    expect((await post(path)).status).toBe(409);
    expect(audit('incident.claim')[0]).toMatchObject({ who: 'channel:hook', via: 'link', before: { state: 'open' }, after: { state: 'acknowledged', acknowledgedBy: 'channel:hook' } });
    await unack();
  });

  it('refuses expired, tampered and wrong-action tokens with a page that says why', async () => {
    const expired = signAckToken(SECRET, { incidentId: id, by: 'x', expiresAt: new Date(clock.ms() - 1000) }, 'claim');
    const ackToken = new URL(links().ack!).pathname.slice('/ack/'.length);
    const claimToken = new URL(links().claim!).pathname.slice('/claim/'.length);
    const tampered = claimToken.slice(0, -1) + (claimToken.endsWith('A') ? 'B' : 'A');
    const cases: [string, number, string][] = [
      [`/claim/${expired}`, 410, 'The link has expired'],
      [`/claim/${tampered}`, 403, 'altered or signed by another Noctua'],
      [`/mute/${ackToken}`, 403, 'altered or signed by another Noctua'],
      [`/mute/nonsense`, 400, 'This is not a mute link'],
    ];
    for (const [path, status, text] of cases) {
      for (const method of ['GET', 'POST']) {
        const r = await fetch(`${server.url}${path}?lang=en`, { method });
        expect(r.status, `${method} ${path.slice(0, 30)}`).toBe(status);
        expect(await r.text()).toContain(text);
      }
    }
    const zh = await fetch(`${server.url}/claim/${expired}`, { headers: { 'accept-language': 'zh-CN' } });
    expect(await zh.text()).toContain('链接已过期');
    expect(state().state).toBe('open');
  });

  const slackValue = (action: string) => ((notice('/slack').json as { blocks: { type: string; elements?: { value: string }[] }[] }).blocks.find((b) => b.type === 'actions')!.elements!.find((e) => e.value.startsWith(`${action}:`))!.value);
  const slackBody = (value: string) => 'payload=' + encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U024BE7LH' }, actions: [{ action_id: 'noctua-ack', value }] }));

  it('Slack: refuses a wrong signature and an old timestamp, acknowledges a signed press as the mapped user, refuses its replay', async () => {
    const body = slackBody(slackValue('ack'));
    expect((await post('/api/v1/chat/slack/callback', body, slackHeaders(body, nowS(), 'another-secret'))).status).toBe(401);
    expect((await post('/api/v1/chat/slack/callback', body, slackHeaders(body, nowS() - 301))).status).toBe(401);
    expect(state().state).toBe('open');
    const headers = slackHeaders(body, nowS());
    const r = await post('/api/v1/chat/slack/callback', body, headers);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, text: 'Acknowledged by alice' });
    expect(state()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    expect((await post('/api/v1/chat/slack/callback', body, headers)).status).toBe(409);
    const rows = audit('incident.acknowledge').filter((r) => r.via === 'chat');
    expect(rows.at(-1)).toMatchObject({ who: 'alice', via: 'chat', route: '/api/v1/chat/:platform/callback', before: { state: 'open' }, after: { state: 'acknowledged', acknowledgedBy: 'alice' }, status: 200 });
    await unack();
  });

  const feishuEvent = (over: { token?: string; eventId?: string } = {}) => {
    const value = (notice('/feishu').json as { card: { elements: { tag: string; actions?: { value: { action: string } }[] }[] } }).card.elements.find((e) => e.tag === 'action')!.actions![0]!.value;
    return {
      schema: '2.0',
      header: { event_id: over.eventId ?? 'ev-1', token: over.token ?? FEISHU.token, create_time: String(clock.ms()), event_type: 'card.action.trigger' },
      event: { operator: { open_id: 'ou_7d8a6e6df7621556ce0d21922b676706' }, action: { tag: 'button', value } },
    };
  };

  it('Feishu: refuses a wrong key, an old timestamp and a wrong verification token, acknowledges a signed press, refuses its replay', async () => {
    const url = '/api/v1/chat/feishu/callback';
    for (const bad of [feishuRequest(feishuEvent(), nowS(), 'other-key'), feishuRequest(feishuEvent(), nowS() - 400), feishuRequest(feishuEvent({ token: 'forged' }), nowS())]) {
      expect((await post(url, bad.body, bad.headers)).status).toBe(401);
    }
    expect(state().state).toBe('open');
    const ok = feishuRequest(feishuEvent(), nowS());
    const r = await post(url, ok.body, ok.headers);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ toast: { type: 'success', i18n: { en_us: 'Acknowledged by feishu:ou_7d8a6e6df7621556ce0d21922b676706' } } });
    expect(state()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'feishu:ou_7d8a6e6df7621556ce0d21922b676706' });
    expect((await post(url, ok.body, ok.headers)).status).toBe(409);
    await unack();
  });

  const tokenIn = (url: string) => new URL(url).pathname.split('/')[2]!;

  it('DingTalk: refuses a wrong signature and an old timestamp, acknowledges a signed card callback, answers encrypted success, refuses its replay', async () => {
    const btn = (notice('/ding').json as { actionCard: { btns: { actionURL: string }[] } }).actionCard.btns[0]!;
    const event = { EventType: 'card_callback', userId: 'manager7', content: JSON.stringify({ cardPrivateData: { params: { action: 'ack', token: tokenIn(btn.actionURL) } } }) };
    const encrypt = wxEncrypt(DING.aesKey, JSON.stringify(event), DING.owner);
    const call = (ts: number, sig?: string) => {
      const nonce = 'n0nce1';
      const s = sig ?? wxSign(DING.token, String(ts), nonce, encrypt);
      return post(`/api/v1/chat/dingtalk/callback?msg_signature=${s}&timestamp=${ts}&nonce=${nonce}`, JSON.stringify({ encrypt }), { 'content-type': 'application/json' });
    };
    expect((await call(clock.ms(), 'f'.repeat(40))).status).toBe(401);
    expect((await call(clock.ms() - 600_000)).status).toBe(401);
    expect(state().state).toBe('open');
    const r = await call(clock.ms());
    expect(r.status).toBe(200);
    const answer = await r.json() as { msg_signature: string; timeStamp: string; nonce: string; encrypt: string };
    expect(answer.msg_signature).toBe(wxSign(DING.token, answer.timeStamp, answer.nonce, answer.encrypt));
    expect(state()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'dingtalk:manager7' });
    expect((await call(clock.ms())).status).toBe(409);
    await unack();
  });

  it('WeCom: answers the URL check, refuses a wrong signature and an old timestamp, acknowledges a signed card event, refuses its replay', async () => {
    const echo = wxEncrypt(WECOM.aesKey, 'echo-4711', WECOM.corp);
    const ts = String(nowS());
    const check = await fetch(`${server.url}/api/v1/chat/wecom/callback?msg_signature=${wxSign(WECOM.token, ts, 'n1', echo)}&timestamp=${ts}&nonce=n1&echostr=${encodeURIComponent(echo)}`);
    expect(await check.text()).toBe('echo-4711');
    const url = (notice('/wecom').json as { template_card: { jump_list: { url: string }[] } }).template_card.jump_list[0]!.url;
    const inner = `<xml><ToUserName><![CDATA[${WECOM.corp}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${nowS()}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[ack:${tokenIn(url)}]]></EventKey><TaskId><![CDATA[t1]]></TaskId></xml>`;
    const encrypt = wxEncrypt(WECOM.aesKey, inner, WECOM.corp);
    const body = `<xml><ToUserName><![CDATA[${WECOM.corp}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    const call = (tsS: number, sig?: string) => post(`/api/v1/chat/wecom/callback?msg_signature=${sig ?? wxSign(WECOM.token, String(tsS), 'n2', encrypt)}&timestamp=${tsS}&nonce=n2`, body, { 'content-type': 'text/xml' });
    expect((await call(nowS(), '0'.repeat(40))).status).toBe(401);
    expect((await call(nowS() - 3600)).status).toBe(401);
    expect(state().state).toBe('open');
    expect((await call(nowS())).status).toBe(200);
    expect(state()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'wecom:zhangsan' });
    expect((await call(nowS())).status).toBe(409);
  });

  it('keeps link tokens and callback signatures out of the request log', () => {
    expect(redactUrl(`${new URL(links().claim!).pathname}?lang=en`)).toBe('/claim/[redacted]?lang=en');
    expect(redactUrl(new URL(links().mute!).pathname)).toBe('/mute/[redacted]');
    expect(redactUrl('/api/v1/chat/wecom/callback?msg_signature=abc&timestamp=1&nonce=n')).toBe('/api/v1/chat/wecom/callback?msg_signature=[redacted]&timestamp=1&nonce=[redacted]');
  });

  it('refuses a callback for a platform that is not configured, and a used token pressed again in a new callback', async () => {
    expect((await post('/api/v1/chat/teams/callback', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    await unack();
    const body = slackBody(slackValue('ack'));
    await clock.advance(1000);
    const r = await post('/api/v1/chat/slack/callback', body, slackHeaders(body, nowS()));
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ ok: false, reason: 'used' });
    expect(state().state).toBe('open');
  });
});
