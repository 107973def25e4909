import { z } from 'zod';
import { secret } from '../../config/secret.js';
import { aliyunRpc } from './aliyun-rpc.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { namedParamsSchema, pagesOnly, phoneBaseFields, phoneNumbersFor, phoneValue } from './phone.js';

/** `type: aliyun-sms`: Aliyun SMS (短信服务) SendSms with an approved signature and template. */
export const aliyunSmsSchema = z.strictObject({
  type: z.literal('aliyun-sms'),
  /** The API endpoint; tests point it at a local receiver. */
  endpoint: z.url({ protocol: /^https?$/ }).default('https://dysmsapi.aliyuncs.com/'),
  regionId: z.string().min(1).default('cn-hangzhou'),
  accessKeyId: secret(z.string().min(1)),
  accessKeySecret: secret(z.string().min(1)),
  /** The approved signature (签名), e.g. "某某运维". */
  signName: z.string().min(1),
  /** The approved template's code, e.g. SMS_123456789. */
  templateCode: z.string().regex(/^SMS_\d+$/, 'expected a template code such as SMS_123456789'),
  /** The template's variables and what fills them: { sev: severity, dev: device }. */
  templateParams: namedParamsSchema.default({ severity: 'severity', device: 'device', title: 'title' }),
  ...phoneBaseFields,
  ...channelBaseFields,
});

/** Aliyun takes mainland numbers without a country code and others as country code and number, without "+". */
const aliyunNumber = (n: string) => n.replace(/^\+86/, '').replace(/^\+/, '');

/** The Aliyun SMS channel. */
export const aliyunSmsChannel: ChannelType<typeof aliyunSmsSchema> = {
  type: 'aliyun-sms',
  schema: aliyunSmsSchema,
  create(name, cfg): Notifier {
    return {
      name, type: 'aliyun-sms', timeoutMs: cfg.timeout,
      // The API allows far more; one number gets at most one text a minute, so more would only be refused.
      limits: effectiveLimits({ perMinute: 60 }, cfg.perMinute),
      handles: pagesOnly,
      async send(notice, signal) {
        const numbers = phoneNumbersFor(notice, cfg.phoneNumbers);
        if (numbers.length === 0) return { ok: false, retryable: false, detail: `Aliyun SMS ${name}: nobody to text (no recipient with a mobile, no phoneNumbers)` };
        const params = Object.fromEntries(Object.entries(cfg.templateParams).map(([k, v]) => [k, phoneValue(notice, v, cfg.maxParamLength)]));
        return aliyunRpc({
          endpoint: cfg.endpoint, accessKeyId: cfg.accessKeyId, accessKeySecret: cfg.accessKeySecret, regionId: cfg.regionId,
          action: 'SendSms', version: '2017-05-25', service: `Aliyun SMS ${name}`, signal,
          params: { PhoneNumbers: numbers.map(aliyunNumber).join(','), SignName: cfg.signName, TemplateCode: cfg.templateCode, TemplateParam: JSON.stringify(params), OutId: notice.id },
        });
      },
    };
  },
};
