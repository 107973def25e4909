import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/alerting/escalation/notice.js';
import { createNotifier, type ChannelConfig } from '../../../src/alerting/notifiers/registry.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

let receiver: WebhookReceiver;
beforeAll(async () => { receiver = await startWebhookReceiver(); });
afterAll(async () => { await receiver.close(); });

const opened: Notice = {
  id: 'ntc-ch-1', kind: 'opened', channel: 'x', locale: 'zh-CN', timezone: 'Asia/Shanghai', createdAt: '2026-01-05T02:00:00.000Z',
  incident: {
    id: 'inc-42', key: 'device:core-sw-01', title: 'core-sw-01 不可达', severity: 'P1', state: 'open', device: 'core-sw-01', site: 'hq', openedAt: '2026-01-05T02:00:00.000Z',
    alerts: [{ fingerprint: 'fp1', rule: 'device-down', severity: 'P1', device: 'core-sw-01', instance: '', state: 'firing', summary: 'core-sw-01 无法 ping 通', labels: { class: 'switch' }, startsAt: '2026-01-05T02:00:00.000Z' }],
  },
  step: 0, tier: '现场工程师', repeat: 0,
  recipients: [{ name: 'zw', displayName: '张伟', mobile: '13800000001' }],
  links: { ack: 'https://noc.example.com/ack/tok.sig', dashboard: 'https://noc.example.com/wall?incident=inc-42' },
};

const send = (cfg: Record<string, unknown>, notice: Notice = opened) => createNotifier('x', { timeout: 2000, headers: {}, ...cfg } as ChannelConfig).send(notice, new AbortController().signal);
const last = () => receiver.requests.at(-1)!;

describe('DingTalk robot', () => {
  it('signs the URL with timestamp and sign as DingTalk documents, and posts markdown that @mentions by mobile', async () => {
    const secret = 'SECtest0123456789abcdef';
    receiver.respond((req) => {
      // DingTalk: sign = urlencode(base64(HMAC-SHA256(key=secret, "<timestamp>\n<secret>"))), timestamp in ms within an hour.
      const ts = req.query.get('timestamp') ?? '';
      const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
      const fresh = Math.abs(Date.now() - Number(ts)) < 3_600_000;
      return { status: 200, body: req.query.get('sign') === expected && fresh ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' } };
    });
    expect(await send({ type: 'dingtalk', url: `${receiver.url}/robot/send?access_token=abc`, secret, atAllForP1: true })).toEqual({ ok: true, status: 200 });
    const req = last();
    expect(req.path).toBe('/robot/send');
    expect(req.query.get('access_token')).toBe('abc');
    expect(req.url).toMatch(/&sign=[^&]*%[0-9A-F]{2}/); // the base64 signature is url-encoded
    const body = req.json as { msgtype: string; markdown: { title: string; text: string }; at: { atMobiles: string[]; isAtAll: boolean } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('【P1 故障】core-sw-01 不可达');
    expect(body.markdown.text).toContain('通知：@13800000001');
    expect(body.markdown.text).toContain('[确认故障](https://noc.example.com/ack/tok.sig)');
    expect(body.at).toEqual({ atMobiles: ['13800000001'], isAtAll: true });
  });

  it('reads errcode answers sent with HTTP 200: a wrong signature is permanent, sending too fast is retried after a minute', async () => {
    expect(await send({ type: 'dingtalk', url: `${receiver.url}/robot/send?access_token=abc`, secret: 'wrong-secret', atAllForP1: false })).toMatchObject({ ok: false, retryable: false, detail: 'DingTalk robot x answered errcode 310000: sign not match' });
    receiver.respond(() => ({ status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } }));
    expect(await send({ type: 'dingtalk', url: `${receiver.url}/robot/send?access_token=abc`, atAllForP1: false })).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
    expect(createNotifier('d', { type: 'dingtalk', url: 'http://127.0.0.1/', atAllForP1: false, timeout: 1000 } as ChannelConfig).limits).toEqual({ perMinute: 20 });
  });
});

describe('Feishu bot', () => {
  it('signs the body as Feishu documents and posts a card; a bad signature answer is permanent', async () => {
    const secret = 'feishu-secret-xyz';
    receiver.respond((req) => {
      // Feishu: sign = base64(HMAC-SHA256(key="<timestamp>\n<secret>", message="")), timestamp in seconds.
      const b = req.json as { timestamp: string; sign: string };
      const expected = createHmac('sha256', `${b.timestamp}\n${secret}`).update('').digest('base64');
      const fresh = Math.abs(Date.now() / 1000 - Number(b.timestamp)) < 3600;
      return { status: 200, body: b.sign === expected && fresh ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
    });
    expect(await send({ type: 'feishu', url: `${receiver.url}/open-apis/bot/v2/hook/h1`, secret })).toEqual({ ok: true, status: 200 });
    const body = last().json as { msg_type: string; card: { header: { title: { content: string }; template: string }; elements: { text: { tag: string; content: string } }[] } };
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header).toMatchObject({ title: { content: '【P1 故障】core-sw-01 不可达' }, template: 'red' });
    expect(body.card.elements[0]!.text.tag).toBe('lark_md');
    expect(body.card.elements[0]!.text.content).toContain('设备：core-sw-01');
    expect(await send({ type: 'feishu', url: `${receiver.url}/open-apis/bot/v2/hook/h1`, secret: 'other' })).toMatchObject({ ok: false, retryable: false, detail: expect.stringContaining('code 19021') });
  });
});

describe('WeCom robot', () => {
  it('posts markdown within the 4096-byte limit even for a huge incident, and retries its frequency-limit answer', async () => {
    receiver.respond(() => ({ status: 200, body: { errcode: 0, errmsg: 'ok' } }));
    const many: Notice = { ...opened, incident: { ...opened.incident, title: '端口大量中断 '.repeat(400) } };
    expect(await send({ type: 'wecom', url: `${receiver.url}/cgi-bin/webhook/send?key=k` }, many)).toEqual({ ok: true, status: 200 });
    const body = last().json as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
    expect(body.markdown.content.endsWith('…(truncated)')).toBe(true);
    receiver.respond(() => ({ status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } }));
    expect(await send({ type: 'wecom', url: `${receiver.url}/cgi-bin/webhook/send?key=k` })).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
  });
});

describe('Slack incoming webhook', () => {
  it('posts mrkdwn text with Slack links, and keeps Slack\'s plain-text refusal', async () => {
    receiver.respond(() => ({ status: 200, body: 'ok' }));
    expect(await send({ type: 'slack', url: `${receiver.url}/services/T/B/x` }, { ...opened, locale: 'en' })).toEqual({ ok: true, status: 200 });
    const text = (last().json as { text: string }).text;
    expect(text.split('\n')[0]).toBe('*[P1 FAULT] core-sw-01 不可达*');
    expect(text).toContain('<https://noc.example.com/ack/tok.sig|Acknowledge>');
    receiver.respond(() => ({ status: 404, body: 'no_service' }));
    expect(await send({ type: 'slack', url: `${receiver.url}/services/T/B/x` })).toMatchObject({ ok: false, retryable: false, status: 404, response: 'no_service' });
  });
});

describe('PagerDuty Events API v2', () => {
  it('triggers, acknowledges and resolves one PagerDuty alert keyed by the incident id', async () => {
    receiver.respond(() => ({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'inc-42' } }));
    const cfg = { type: 'pagerduty', routingKey: 'R0UTINGKEY', url: `${receiver.url}/v2/enqueue` };
    await send(cfg);
    expect(last().json).toMatchObject({
      routing_key: 'R0UTINGKEY', event_action: 'trigger', dedup_key: 'inc-42',
      payload: { summary: '[P1] core-sw-01: core-sw-01 不可达', source: 'core-sw-01', severity: 'critical', timestamp: '2026-01-05T02:00:00.000Z', group: 'hq', class: 'device-down' },
      links: [{ href: 'https://noc.example.com/wall?incident=inc-42', text: 'Noctua' }],
    });
    await send(cfg, { ...opened, kind: 'acknowledged' });
    expect(last().json).toEqual({ routing_key: 'R0UTINGKEY', event_action: 'acknowledge', dedup_key: 'inc-42' });
    await send(cfg, { ...opened, kind: 'resolved' });
    expect(last().json).toEqual({ routing_key: 'R0UTINGKEY', event_action: 'resolve', dedup_key: 'inc-42' });
    expect(createNotifier('pd', { ...cfg, timeout: 1000 } as ChannelConfig).handles('sla-reminder')).toBe(false);
    receiver.respond(() => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ['Length of \'routing_key\' is incorrect'] } }));
    expect(await send(cfg)).toMatchObject({ ok: false, retryable: false, status: 400, detail: expect.stringContaining("Length of 'routing_key' is incorrect") });
  });
});

describe('Alertmanager-compatible webhook', () => {
  it('sends the version 4 body with firing, then resolved alerts', async () => {
    receiver.respond(() => ({ status: 200 }));
    await send({ type: 'alertmanager', url: `${receiver.url}/am` });
    expect(last().headers['idempotency-key']).toBe('ntc-ch-1');
    expect(last().json).toMatchObject({
      version: '4', status: 'firing', receiver: 'x', groupKey: '{}:{incident="device:core-sw-01"}', truncatedAlerts: 0,
      commonLabels: { incident: 'inc-42', severity: 'P1', device: 'core-sw-01', site: 'hq' }, externalURL: 'https://noc.example.com',
      alerts: [{ status: 'firing', labels: { alertname: 'device-down', class: 'switch', severity: 'P1', device: 'core-sw-01' }, annotations: { summary: 'core-sw-01 无法 ping 通', ack_url: 'https://noc.example.com/ack/tok.sig' }, startsAt: '2026-01-05T02:00:00.000Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'fp1' }],
    });
    await send({ type: 'alertmanager', url: `${receiver.url}/am` }, { ...opened, kind: 'resolved', incident: { ...opened.incident, state: 'resolved', resolvedAt: '2026-01-05T03:00:00.000Z' } });
    expect(last().json).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', endsAt: '2026-01-05T03:00:00.000Z' }] });
  });
});
