/** Tencent Cloud SMS SendSms (API 3.0), signed with TC3-HMAC-SHA256 by tencent-api.ts. */
import { z } from 'zod';
import { secret } from '../../config/secret.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier, type SendResult } from './notifier.js';
import { TENCENT_RETRY, tencentCall, type TencentResponse } from './tencent-api.js';
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

/** Reads SendSms's answer: every number's `SendStatusSet` entry must say Ok. */
function sendSmsResult(res: TencentResponse, status: number, response: string, service: string): SendResult {
  const set = (res.SendStatusSet ?? []) as { Code?: string; Message?: string; PhoneNumber?: string }[];
  const failed = set.filter((s) => s.Code !== 'Ok');
  if (set.length > 0 && failed.length === 0) return { ok: true, status };
  const detail = `${service}: ${failed.map((f) => `${f.PhoneNumber ?? '?'} ${f.Code ?? '?'} ${f.Message ?? ''}`).join('; ') || 'no send status'}`;
  // Texts that went out must not go again: retry only when none did and every failure is a wait-and-retry one.
  const retryable = failed.length === set.length && set.length > 0 && failed.every((f) => TENCENT_RETRY.test(f.Code ?? ''));
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
        return tencentCall({
          endpoint: cfg.endpoint, secretId: cfg.secretId, secretKey: cfg.secretKey, region: cfg.region,
          service: 'sms', action: 'SendSms', version: '2021-01-11', label: service, signal,
          payload: {
            PhoneNumberSet: numbers.map(e164), SmsSdkAppId: cfg.smsSdkAppId, SignName: cfg.signName, TemplateId: cfg.templateId,
            TemplateParamSet: cfg.templateParams.map((v) => phoneValue(notice, v, cfg.maxParamLength)), SessionContext: notice.id,
          },
          read: (res, status, response) => sendSmsResult(res, status, response, service),
        });
      },
    };
  },
};
