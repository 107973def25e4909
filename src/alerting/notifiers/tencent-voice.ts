/** Tencent Cloud voice messages (VMS) SendTtsVoice (API 3.0): a call reading an approved template, signed by tencent-api.ts. */
import { z } from 'zod';
import { secret } from '../../config/secret.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier, type SendResult } from './notifier.js';
import { e164, orderedParamsSchema, pagesOnly, phoneBaseFields, phoneNumbersFor, phoneValue } from './phone.js';
import { tencentCall } from './tencent-api.js';

/** `type: tencent-voice`: a Tencent Cloud voice notification call with an approved template. */
export const tencentVoiceSchema = z.strictObject({
  type: z.literal('tencent-voice'),
  /** The API endpoint; tests point it at a local receiver. */
  endpoint: z.url({ protocol: /^https?$/ }).default('https://vms.tencentcloudapi.com'),
  region: z.string().min(1).default('ap-guangzhou'),
  secretId: secret(z.string().min(1)),
  secretKey: secret(z.string().min(1)),
  /** The voice application's SdkAppid from the VMS console (1400…). */
  voiceSdkAppId: z.string().regex(/^\d+$/, 'expected the VoiceSdkAppid digits'),
  templateId: z.string().regex(/^\d+$/, 'expected the template id digits'),
  /** What fills the template's {1}, {2}, … in order (the whole message is read out, 350 characters at most). */
  templateParams: orderedParamsSchema.default(['severity', 'device']),
  /** How often the message is read out in one call (Tencent: 1 to 3). */
  playTimes: z.number().int().min(1).max(3).default(2),
  ...phoneBaseFields,
  ...channelBaseFields,
});

/** The Tencent Cloud voice call channel: one call per number, in order. */
export const tencentVoiceChannel: ChannelType<typeof tencentVoiceSchema> = {
  type: 'tencent-voice',
  schema: tencentVoiceSchema,
  create(name, cfg): Notifier {
    const label = `Tencent voice ${name}`;
    return {
      name, type: 'tencent-voice', timeoutMs: cfg.timeout,
      limits: effectiveLimits({ perMinute: 20 }, cfg.perMinute),
      handles: pagesOnly,
      async send(notice, signal) {
        const numbers = phoneNumbersFor(notice, cfg.phoneNumbers);
        if (numbers.length === 0) return { ok: false, retryable: false, detail: `${label}: nobody to call (no recipient with a mobile, no phoneNumbers)` };
        const params = cfg.templateParams.map((v) => phoneValue(notice, v, cfg.maxParamLength));
        let called = 0;
        for (const n of numbers) {
          const r: SendResult = await tencentCall({
            endpoint: cfg.endpoint, secretId: cfg.secretId, secretKey: cfg.secretKey, region: cfg.region,
            service: 'vms', action: 'SendTtsVoice', version: '2020-09-02', label, signal,
            payload: { TemplateId: cfg.templateId, TemplateParamSet: params, CalledNumber: e164(n), VoiceSdkAppid: cfg.voiceSdkAppId, PlayTimes: cfg.playTimes, SessionContext: notice.id },
            // A call was placed when Tencent gives it an id.
            read: (res, status, response) => ((res.SendStatus as { CallId?: string } | undefined)?.CallId
              ? { ok: true, status }
              : { ok: false, retryable: false, status, response, detail: `${label}: no CallId in the answer` }),
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
