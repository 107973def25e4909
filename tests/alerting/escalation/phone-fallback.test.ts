import { createHash, createHmac } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService, type EscalationService } from '../../../src/alerting/escalation/index.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb, type Db } from '../../../src/core/database.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { event, incident, notifyConfig } from './notify-fixture.js';

const MIN = 60_000;
const log = pino({ level: 'silent' });
const tmp = tempDir('noctua-phone-');
const ALI = { id: 'LTAI5tTestKeyId', secret: 'aliyun-test-secret-0001' };
const TX = { id: 'AKIDtestSecretId', key: 'tencent-test-secret-key' };
let receiver: WebhookReceiver;
const open: { svc: EscalationService; db: Db }[] = [];
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);

beforeAll(async () => {
  receiver = await startWebhookReceiver((req) => {
    if (req.path === '/ali-sms' || req.path === '/ali-voice') return { status: 200, body: { Code: 'OK', Message: 'OK', RequestId: 'r1', BizId: 'b1' } };
    if (req.path === '/tx') return { status: 200, body: { Response: { SendStatusSet: [{ Code: 'Ok', Message: 'send success', PhoneNumber: '+8613800000001' }], RequestId: 'r2' } } };
    return { status: 200, body: { ok: true } };
  });
});
afterAll(async () => { await receiver.close(); tmp.cleanup(); });
afterEach(async () => { for (const o of open.splice(0)) { await o.svc.stop(); o.db.close(); } });

function yaml(base: string): string {
  return `ackLinks: { secret: phone-test-secret-0123456789, ttl: 1h }
channels:
  eng: { type: webhook, url: "${base}/eng" }
  lead: { type: webhook, url: "${base}/lead" }
  ali-sms: { type: aliyun-sms, endpoint: "${base}/ali-sms", accessKeyId: ${ALI.id}, accessKeySecret: "\${ALI_SECRET}", signName: 运维中心, templateCode: SMS_000001, phoneNumbers: ["+86138-0000-0001"] }
  ali-voice: { type: aliyun-voice, endpoint: "${base}/ali-voice", accessKeyId: ${ALI.id}, accessKeySecret: "\${ALI_SECRET}", ttsCode: TTS_000001, phoneNumbers: ["13800000001"] }
  tx: { type: tencent-sms, endpoint: "${base}/tx", secretId: ${TX.id}, secretKey: "\${TX_KEY}", smsSdkAppId: "1400000001", signName: 运维中心, templateId: "100001", templateParams: [severity, device], phoneNumbers: ["13800000001"] }
tiers:
  engineer: { notify: [{ channel: eng }, { channel: ali-sms }] }
  lead: { notify: [{ channel: lead }] }
  manager: { notify: [{ channel: lead }] }
phoneFallback:
  notify: [{ channel: ali-sms }, { channel: ali-voice }, { channel: tx }]
policies:
  P1: { respond: 10m, resolve: 2h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }, { after: 5m, tier: lead }] }
`;
}

let n = 0;
async function service(clock: FakeClock): Promise<EscalationService> {
  const db = openStateDb(tmp.dir, `phone-${n++}.db`);
  const config = notifyConfig(tmp.dir, yaml(receiver.url), { ALI_SECRET: ALI.secret, TX_KEY: TX.key });
  const svc = createEscalationService({ db, config, clock, log, locale: 'en', timezone: 'Asia/Shanghai', publicUrl: 'https://noc.example.com', random: () => 0.5 });
  open.push({ svc, db });
  await svc.start();
  return svc;
}

let seen = 0;
/** Paths of the requests that arrived since the last call (waiting a moment for the outbox). */
async function fresh(svc: EscalationService): Promise<string[]> {
  await svc.flush();
  const out = receiver.requests.slice(seen).map((r) => r.path);
  seen = receiver.requests.length;
  return out.sort();
}
async function at(clock: FakeClock, svc: EscalationService, minutes: number): Promise<string[]> {
  await clock.advance(T0 + minutes * MIN - clock.ms());
  return fresh(svc);
}

// Independent checks, written here from the providers' documents (not the signers under test).
function rfc3986(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}
function aliyunSignatureOk(req: ReceivedRequest): boolean {
  const params = [...new URLSearchParams(req.body)];
  const sig = params.find(([k]) => k === 'Signature')![1];
  const rest = params.filter(([k]) => k !== 'Signature').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = rest.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
  const expected = createHmac('sha1', `${ALI.secret}&`).update(`POST&%2F&${rfc3986(query)}`).digest('base64');
  return sig === expected;
}
function tencentSignatureOk(req: ReceivedRequest): boolean {
  const ts = Number(req.headers['x-tc-timestamp']);
  const day = new Date(ts * 1000).toISOString().slice(0, 10);
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  const request = ['POST', '/', '', `content-type:${req.headers['content-type'] as string}`, `host:${req.headers.host as string}`, '', 'content-type;host', hash(req.body)].join('\n');
  const toSign = ['TC3-HMAC-SHA256', String(ts), `${day}/sms/tc3_request`, hash(request)].join('\n');
  let k: Buffer = createHmac('sha256', `TC3${TX.key}`).update(day).digest();
  for (const part of ['sms', 'tc3_request']) k = createHmac('sha256', k).update(part).digest();
  const sig = createHmac('sha256', k).update(toSign).digest('hex');
  return req.headers.authorization === `TC3-HMAC-SHA256 Credential=${TX.id}/${day}/sms/tc3_request, SignedHeaders=content-type;host, Signature=${sig}`;
}

describe('phone fallback for a P1 past its response target', () => {
  it('texts and calls once, signed as Aliyun and Tencent document, when nobody acknowledged within the response target', async () => {
    const clock = new FakeClock(T0);
    const svc = await service(clock);
    await fresh(svc);
    await svc.onIncidentEvent(event('opened', incident('ph-1', 'P1', new Date(T0), { device: 'core-sw-01 <b>' }), new Date(T0)));
    expect(await at(clock, svc, 0)).toEqual(['/ali-sms', '/eng']);
    expect(await at(clock, svc, 5)).toEqual(['/lead']);
    expect(await at(clock, svc, 9.9)).toEqual([]);
    expect(await at(clock, svc, 10)).toEqual(['/ali-sms', '/ali-voice', '/tx']);
    expect(await at(clock, svc, 30)).toEqual([]);
    expect(await at(clock, svc, 100)).toEqual([]);
    const phone = receiver.requests.filter((r) => r.path !== '/eng' && r.path !== '/lead').slice(-3);
    const byPath = new Map(phone.map((r) => [r.path, r]));
    for (const p of ['/ali-sms', '/ali-voice']) {
      expect(aliyunSignatureOk(byPath.get(p)!), p).toBe(true);
      // A request signed with another key must not pass the same check: the check checks something.
      expect(aliyunSignatureOk({ ...byPath.get(p)!, body: byPath.get(p)!.body.replace('Format=JSON', 'Format=XML') })).toBe(false);
    }
    const sms = new URLSearchParams(byPath.get('/ali-sms')!.body);
    expect(sms.get('Action')).toBe('SendSms');
    expect(sms.get('PhoneNumbers')).toBe('13800000001');
    expect(JSON.parse(sms.get('TemplateParam')!)).toEqual({ severity: 'P1', device: 'core-sw-01 <b>', title: 'core-sw-01 unreachable' });
    expect(new URLSearchParams(byPath.get('/ali-voice')!.body).get('Action')).toBe('SingleCallByTts');
    const tx = byPath.get('/tx')!;
    expect(tencentSignatureOk(tx)).toBe(true);
    expect(tencentSignatureOk({ ...tx, body: tx.body.replace('P1', 'P2') })).toBe(false);
    expect(tx.headers['x-tc-action']).toBe('SendSms');
    expect(tx.json).toMatchObject({ PhoneNumberSet: ['+8613800000001'], SmsSdkAppId: '1400000001', TemplateId: '100001', TemplateParamSet: ['P1', 'core-sw-01 <b>'] });
  });

  it('does not ring for a P1 acknowledged before its response target, nor for a P2', async () => {
    const clock = new FakeClock(T0);
    const svc = await service(clock);
    await fresh(svc);
    const inc = incident('ph-2', 'P1', new Date(T0));
    await svc.onIncidentEvent(event('opened', inc, new Date(T0)));
    await svc.onIncidentEvent(event('opened', incident('ph-3', 'P2', new Date(T0)), new Date(T0)));
    await at(clock, svc, 3);
    await svc.onIncidentEvent(event('acknowledged', { ...inc, state: 'acknowledged', acknowledgedAt: new Date(T0 + 3 * MIN), acknowledgedBy: 'alice' }, new Date(T0 + 3 * MIN), 'alice'));
    for (const m of [10, 30, 120]) expect((await at(clock, svc, m)).filter((p) => p === '/ali-voice' || p === '/tx')).toEqual([]);
  });
});

describe('mute for 1 h from a notice', () => {
  it('holds pages and the phone fallback for the hour, then sends what fell due once; recovery notices still go', async () => {
    const clock = new FakeClock(T0);
    const svc = await service(clock);
    await fresh(svc);
    await svc.onIncidentEvent(event('opened', incident('mu-1', 'P1', new Date(T0)), new Date(T0)));
    expect(await at(clock, svc, 0)).toEqual(['/ali-sms', '/eng']);
    await clock.advance(MIN);
    const hold = svc.muteNotices('mu-1', 'alice')!;
    expect(hold.until.getTime()).toBe(T0 + 61 * MIN);
    expect(svc.noticeMute('mu-1')!.by).toBe('alice');
    for (const m of [5, 10, 30, 60.9]) expect(await at(clock, svc, m), `at ${m} min`).toEqual([]);
    expect(await at(clock, svc, 61)).toEqual(['/ali-sms', '/ali-voice', '/lead', '/tx']);
    expect(await at(clock, svc, 90)).toEqual([]);
    // A second incident, muted, then resolved within the hold: the recovery goes to those who were paged.
    await svc.onIncidentEvent(event('opened', incident('mu-2', 'P1', new Date(T0 + 90 * MIN)), new Date(T0 + 90 * MIN)));
    expect(await at(clock, svc, 90)).toEqual(['/ali-sms', '/eng']);
    svc.muteNotices('mu-2', 'bob');
    await svc.onIncidentEvent(event('resolved', incident('mu-2', 'P1', new Date(T0 + 90 * MIN), { state: 'resolved', resolvedAt: new Date(T0 + 95 * MIN) }), new Date(T0 + 95 * MIN)));
    expect(await at(clock, svc, 95)).toEqual(['/eng']);
    expect(svc.muteNotices('mu-2', 'bob')).toBeUndefined();
  });
});
