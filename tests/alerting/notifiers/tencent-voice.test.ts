/**
 * Tencent Cloud voice (VMS SendTtsVoice) against a local HTTP server that checks each request's TC3-HMAC-SHA256
 * signature with code written here from Tencent's document (not the signer under test) and answers as Tencent does:
 * a CallId per call, AuthFailure for a bad signature, throttling codes that are retried.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/alerting/escalation/notice.js';
import { channelConfigSchema, createNotifier } from '../../../src/alerting/notifiers/registry.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const TX = { id: 'AKIDvoiceSecretId', key: 'tencent-voice-secret-key' };
let receiver: WebhookReceiver;
/** Numbers the fake VMS refuses, and how. */
const refuse = new Map<string, { Code: string; Message: string }>();

/** Tencent's TC3-HMAC-SHA256, service vms: canonical request, string to sign, key chained over date, service, tc3_request. */
function signatureOk(req: Pick<ReceivedRequest, 'headers' | 'body'>): boolean {
  const ts = Number(req.headers['x-tc-timestamp']);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return false;
  const day = new Date(ts * 1000).toISOString().slice(0, 10);
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  const request = ['POST', '/', '', `content-type:${req.headers['content-type'] as string}`, `host:${req.headers.host as string}`, '', 'content-type;host', hash(req.body)].join('\n');
  const toSign = ['TC3-HMAC-SHA256', String(ts), `${day}/vms/tc3_request`, hash(request)].join('\n');
  let k: Buffer = createHmac('sha256', `TC3${TX.key}`).update(day).digest();
  for (const part of ['vms', 'tc3_request']) k = createHmac('sha256', k).update(part).digest();
  const sig = createHmac('sha256', k).update(toSign).digest('hex');
  return req.headers.authorization === `TC3-HMAC-SHA256 Credential=${TX.id}/${day}/vms/tc3_request, SignedHeaders=content-type;host, Signature=${sig}`;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver((req) => {
    if (!signatureOk(req)) return { status: 200, body: { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'The provided credentials could not be validated.' }, RequestId: 'r-bad' } } };
    const called = (req.json as { CalledNumber?: string }).CalledNumber ?? '';
    const error = refuse.get(called);
    if (error) return { status: 200, body: { Response: { Error: error, RequestId: 'r-err' } } };
    return { status: 200, body: { Response: { SendStatus: { CallId: `call-${called}`, SessionContext: (req.json as { SessionContext?: string }).SessionContext }, RequestId: 'r-ok' } } };
  });
});
afterAll(async () => { await receiver.close(); });

const notice = (mobiles: string[]): Notice => ({
  id: 'ntc-voice-1', kind: 'escalated', channel: 'tx-voice', locale: 'zh-CN', timezone: 'Asia/Shanghai', createdAt: '2026-01-05T02:10:00.000Z',
  incident: { id: 'inc-7', key: 'device:core-sw-01', title: 'core-sw-01 不可达', severity: 'P1', state: 'open', device: 'core-sw-01 <b>机房</b>', site: 'hq', openedAt: '2026-01-05T02:00:00.000Z', alerts: [] },
  tier: '电话（响应超时）', recipients: mobiles.map((m, i) => ({ name: `p${i}`, displayName: `p${i}`, mobile: m })), links: {},
});

function channel(over: Record<string, unknown> = {}) {
  const cfg = channelConfigSchema.parse({
    type: 'tencent-voice', endpoint: `${receiver.url}/vms`, secretId: TX.id, secretKey: TX.key, voiceSdkAppId: '1400006666', templateId: '4356', ...over,
  });
  return createNotifier('tx-voice', cfg);
}
const send = (n: Notice, over?: Record<string, unknown>) => channel(over).send(n, new AbortController().signal);
const since = (i: number) => receiver.requests.slice(i);

describe('Tencent Cloud voice (tencent-voice)', () => {
  it('calls each number once, signed as Tencent documents, with the template values in order', async () => {
    const before = receiver.requests.length;
    expect(await send(notice(['13800000001', '+85291234567']))).toEqual({ ok: true });
    const reqs = since(before);
    expect(reqs).toHaveLength(2);
    for (const r of reqs) {
      expect(signatureOk(r)).toBe(true);
      // The check checks something: the same request with one byte of the body changed does not pass.
      expect(signatureOk({ ...r, body: r.body.replace('4356', '4357') })).toBe(false);
      expect(r.headers['x-tc-action']).toBe('SendTtsVoice');
      expect(r.headers['x-tc-version']).toBe('2020-09-02');
      expect(r.headers['x-tc-region']).toBe('ap-guangzhou');
    }
    expect(reqs.map((r) => r.json)).toEqual([
      { TemplateId: '4356', TemplateParamSet: ['P1', 'core-sw-01 <b>机房</b>'], CalledNumber: '+8613800000001', VoiceSdkAppid: '1400006666', PlayTimes: 2, SessionContext: 'ntc-voice-1' },
      { TemplateId: '4356', TemplateParamSet: ['P1', 'core-sw-01 <b>机房</b>'], CalledNumber: '+85291234567', VoiceSdkAppid: '1400006666', PlayTimes: 2, SessionContext: 'ntc-voice-1' },
    ]);
    expect(channel().limits).toEqual({ perMinute: 20 });
    expect(channel().handles('acknowledged')).toBe(false);
  });

  it('keeps a wrong-key failure permanent with Tencent\'s answer, and retries throttling after a minute', async () => {
    const bad = await send(notice(['13800000001']), { secretKey: 'not-the-key' });
    expect(bad).toMatchObject({ ok: false, retryable: false, status: 200, detail: 'Tencent voice tx-voice answered AuthFailure.SignatureFailure: The provided credentials could not be validated.' });
    expect((bad as { response?: string }).response).toContain('AuthFailure.SignatureFailure');
    refuse.set('+8613800000002', { Code: 'RequestLimitExceeded', Message: 'too many requests' });
    expect(await send(notice(['13800000002']))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
  });

  it('does not retry once a call was placed: a later number\'s failure is reported with how many calls went out', async () => {
    refuse.set('+8613800000003', { Code: 'FailedOperation.PhoneNumberInBlacklist', Message: 'number in blacklist' });
    const before = receiver.requests.length;
    const r = await send(notice(['13800000001', '13800000003', '13800000004']));
    expect(r).toMatchObject({ ok: false, retryable: false, detail: 'Tencent voice tx-voice answered FailedOperation.PhoneNumberInBlacklist: number in blacklist (after 1 of 3 calls were placed)' });
    // The third number is not called after the second failed.
    expect(since(before).map((q) => (q.json as { CalledNumber: string }).CalledNumber)).toEqual(['+8613800000001', '+8613800000003']);
    refuse.set('+8613800000001', { Code: 'RequestLimitExceeded', Message: 'busy' });
    // Throttled on the second number after the first was called: still not retried (it would ring the first again).
    expect(await send(notice(['13800000004', '13800000001']))).toMatchObject({ ok: false, retryable: false });
    refuse.clear();
  });

  it('refuses a config with a non-numeric app id or PlayTimes out of range, and says so when nobody has a number', async () => {
    const issues = channelConfigSchema.safeParse({ type: 'tencent-voice', secretId: 'a', secretKey: 'b', voiceSdkAppId: 'app-1', templateId: '1', playTimes: 4 });
    expect(issues.success).toBe(false);
    expect(issues.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['playTimes', 'voiceSdkAppId']);
    expect(await send(notice([]))).toEqual({ ok: false, retryable: false, detail: 'Tencent voice tx-voice: nobody to call (no recipient with a mobile, no phoneNumbers)' });
  });
});
