/**
 * Tencent Cloud SMS SendSms (API 3.0), signed with TC3-HMAC-SHA256 as Tencent documents: a canonical request
 * (POST, "/", no query, the content-type and host headers, the hex SHA-256 of the body) hashed into the string
 * to sign with the timestamp and the credential scope "<UTC date>/sms/tc3_request"; the signing key is derived
 * by HMAC-SHA256 chained over "TC3"+SecretKey, the date, the service and "tc3_request".
 */
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { secret } from '../../config/secret.js';
import { classifyStatus, jsonAnswer, postBody } from './http.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier, type SendResult } from './notifier.js';
import { e164, orderedParamsSchema, pagesOnly, phoneBaseFields, phoneNumbersFor, phoneValue } from './phone.js';

/** `type: tencent-sms`: Tencent Cloud SMS with an approved signature and template. */
export const tencentSmsSchema = z.strictObject({
  type: z.literal('tencent-sms'),
  /** The API endpoint; tests point it at a local receiver. */
  endpoint: z.url({ protocol: /^https?$/ }).default('https://sms.tencentcloudapi.com'),
  region: z.string().min(1).default('ap-guangzhou'),
  secretId: secret(z.string().min(1)),
  secretKey: secret(z.string().min(1)),
  /** The SMS application's SdkAppId (1400…). */
  smsSdkAppId: z.string().regex(/^\d+$/, 'expected the SmsSdkAppId digits'),
  signName: z.string().min(1),
  templateId: z.string().regex(/^\d+$/, 'expected the template id digits'),
  /** What fills the template's {1}, {2}, … in order. */
  templateParams: orderedParamsSchema.default(['severity', 'device', 'title']),
  ...phoneBaseFields,
  ...channelBaseFields,
});

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** The Authorization header of a TC3-HMAC-SHA256 request. */
export function tc3Authorization(o: { secretId: string; secretKey: string; service: string; host: string; contentType: string; body: string; timestampS: number }): string {
  const date = new Date(o.timestampS * 1000).toISOString().slice(0, 10);
  const canonical = `POST\n/\n\ncontent-type:${o.contentType}\nhost:${o.host}\n\ncontent-type;host\n${sha256hex(o.body)}`;
  const scope = `${date}/${o.service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${o.timestampS}\n${scope}\n${sha256hex(canonical)}`;
  const key = hmac(hmac(hmac(`TC3${o.secretKey}`, date), o.service), 'tc3_request');
  return `TC3-HMAC-SHA256 Credential=${o.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
}

/** Busy or throttled (the API, or one number within 30 s): wait and retry. */
const RETRY = /^(InternalError|RequestLimitExceeded|LimitExceeded\.PhoneNumberThirtySecondLimit)/;

function tencentResult(text: string, status: number, service: string): SendResult | undefined {
  const res = jsonAnswer(text)?.Response as { Error?: { Code?: string; Message?: string }; SendStatusSet?: { Code?: string; Message?: string; PhoneNumber?: string }[] } | undefined;
  if (!res) return undefined;
  const response = text.slice(0, 2000);
  if (res.Error?.Code) {
    const detail = `${service} answered ${res.Error.Code}: ${res.Error.Message ?? ''}`;
    return RETRY.test(res.Error.Code) ? { ok: false, retryable: true, status, retryAfterMs: 60_000, response, detail } : { ok: false, retryable: false, status, response, detail };
  }
  const set = res.SendStatusSet ?? [];
  const failed = set.filter((s) => s.Code !== 'Ok');
  if (set.length > 0 && failed.length === 0) return { ok: true, status };
  const detail = `${service}: ${failed.map((f) => `${f.PhoneNumber ?? '?'} ${f.Code ?? '?'} ${f.Message ?? ''}`).join('; ') || 'no send status'}`;
  // Texts that went out must not go again: retry only when none did and every failure is a wait-and-retry one.
  const retryable = failed.length === set.length && set.length > 0 && failed.every((f) => RETRY.test(f.Code ?? ''));
  return { ok: false, retryable, status, response, detail, ...(retryable ? { retryAfterMs: 60_000 } : {}) };
}

/** The Tencent Cloud SMS channel. */
export const tencentSmsChannel: ChannelType<typeof tencentSmsSchema> = {
  type: 'tencent-sms',
  schema: tencentSmsSchema,
  create(name, cfg): Notifier {
    const service = `Tencent SMS ${name}`;
    return {
      name, type: 'tencent-sms', timeoutMs: cfg.timeout,
      limits: effectiveLimits({ perMinute: 60 }, cfg.perMinute),
      handles: pagesOnly,
      async send(notice, signal) {
        const numbers = phoneNumbersFor(notice, cfg.phoneNumbers);
        if (numbers.length === 0) return { ok: false, retryable: false, detail: `${service}: nobody to text (no recipient with a mobile, no phoneNumbers)` };
        const body = JSON.stringify({
          PhoneNumberSet: numbers.map(e164), SmsSdkAppId: cfg.smsSdkAppId, SignName: cfg.signName, TemplateId: cfg.templateId,
          TemplateParamSet: cfg.templateParams.map((v) => phoneValue(notice, v, cfg.maxParamLength)), SessionContext: notice.id,
        });
        const contentType = 'application/json; charset=utf-8';
        const timestampS = Math.floor(Date.now() / 1000);
        const host = new URL(cfg.endpoint).host;
        const r = await postBody(cfg.endpoint, body, {
          'content-type': contentType, authorization: tc3Authorization({ secretId: cfg.secretId, secretKey: cfg.secretKey, service: 'sms', host, contentType, body, timestampS }),
          'x-tc-action': 'SendSms', 'x-tc-version': '2021-01-11', 'x-tc-timestamp': String(timestampS), 'x-tc-region': cfg.region,
        }, signal);
        if ('failure' in r) return r.failure;
        return tencentResult(r.reply.text, r.reply.status, service) ?? classifyStatus(r.reply, service);
      },
    };
  },
};
