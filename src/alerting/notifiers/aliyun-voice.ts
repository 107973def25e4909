import { z } from 'zod';
import { secret } from '../../config/secret.js';
import { aliyunRpc } from './aliyun-rpc.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier, type SendResult } from './notifier.js';
import { namedParamsSchema, pagesOnly, phoneBaseFields, phoneNumbersFor, phoneValue } from './phone.js';

/** `type: aliyun-voice`: an Aliyun voice notification call (语音服务 SingleCallByTts) reading an approved TTS template. */
export const aliyunVoiceSchema = z.strictObject({
  type: z.literal('aliyun-voice'),
  endpoint: z.url({ protocol: /^https?$/ }).default('https://dyvmsapi.aliyuncs.com/'),
  regionId: z.string().min(1).default('cn-hangzhou'),
  accessKeyId: secret(z.string().min(1)),
  accessKeySecret: secret(z.string().min(1)),
  /** The approved text-to-speech template, e.g. TTS_123456789. */
  ttsCode: z.string().regex(/^TTS_\d+$/, 'expected a template code such as TTS_123456789'),
  /** The number people see calling (a purchased one); absent: Aliyun's public pool. */
  calledShowNumber: z.string().regex(/^[0-9]{5,20}$/).optional(),
  templateParams: namedParamsSchema.default({ severity: 'severity', device: 'device' }),
  ...phoneBaseFields,
  ...channelBaseFields,
});

/** The Aliyun voice call channel: one call per number, in order. */
export const aliyunVoiceChannel: ChannelType<typeof aliyunVoiceSchema> = {
  type: 'aliyun-voice',
  schema: aliyunVoiceSchema,
  create(name, cfg): Notifier {
    return {
      name, type: 'aliyun-voice', timeoutMs: cfg.timeout,
      limits: effectiveLimits({ perMinute: 20 }, cfg.perMinute),
      handles: pagesOnly,
      async send(notice, signal) {
        const numbers = phoneNumbersFor(notice, cfg.phoneNumbers);
        if (numbers.length === 0) return { ok: false, retryable: false, detail: `Aliyun voice ${name}: nobody to call (no recipient with a mobile, no phoneNumbers)` };
        const params = JSON.stringify(Object.fromEntries(Object.entries(cfg.templateParams).map(([k, v]) => [k, phoneValue(notice, v, cfg.maxParamLength)])));
        let called = 0;
        for (const n of numbers) {
          const r: SendResult = await aliyunRpc({
            endpoint: cfg.endpoint, accessKeyId: cfg.accessKeyId, accessKeySecret: cfg.accessKeySecret, regionId: cfg.regionId,
            action: 'SingleCallByTts', version: '2017-05-25', service: `Aliyun voice ${name}`, signal,
            params: { CalledNumber: n.replace(/^\+86/, '').replace(/^\+/, ''), TtsCode: cfg.ttsCode, TtsParam: params, OutId: notice.id, ...(cfg.calledShowNumber ? { CalledShowNumber: cfg.calledShowNumber } : {}) },
          });
          // Once someone was called, a retry would call them again: a later failure is reported, not retried.
          if (!r.ok) return called > 0 ? { ...r, retryable: false, detail: `${r.detail} (after ${called} of ${numbers.length} calls were placed)` } : r;
          called++;
        }
        return { ok: true };
      },
    };
  },
};
