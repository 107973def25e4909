import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { NoticeRecipient } from '../escalation/notice.js';
import { fitBytes, renderNotice } from '../escalation/templates.js';
import { classifyStatus, jsonAnswer, postBody } from './http.js';
import { chatMarkdown } from './markup.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier, type SendResult } from './notifier.js';
import { secret } from '../../config/secret.js';
import { linkButtonsSchema, noticeButtons, withoutActionLinks } from './buttons.js';

/** Keeps a markdown message well inside what the DingTalk robot accepts. */
const DINGTALK_MAX_BYTES = 20_000;
/** DingTalk answers these with HTTP 200 when the robot is sending too fast or the service is busy: wait and retry. */
const DINGTALK_RETRY = new Set([-1, 130101, 660026, 90018]);

/** `type: dingtalk`: a DingTalk custom robot (自定义机器人) posting markdown to a group. */
export const dingtalkSchema = z.strictObject({
  type: z.literal('dingtalk'),
  /** The robot's webhook, https://oapi.dingtalk.com/robot/send?access_token=... */
  url: secret(z.url({ protocol: /^https?$/ })),
  /** The robot's 加签 secret (SEC...); when set every request carries timestamp and sign in the URL. */
  secret: secret(z.string().min(1)).optional(),
  /** @all in the group for P1 incidents. */
  atAllForP1: z.boolean().default(false),
  /**
   * `links`: an ActionCard whose buttons open the acknowledge, claim and mute confirm pages (a custom robot's
   * buttons can only open links; ActionCards carry no @mentions, so P1 @all and @mobile are lost); `none`: markdown.
   */
  buttons: linkButtonsSchema,
  ...channelBaseFields,
});

/** DingTalk's documented signature: base64(HMAC-SHA256(key=secret, "<timestamp ms>\n<secret>")). */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The robot URL with `timestamp` and url-encoded `sign` appended, as DingTalk requires for signed robots. */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}timestamp=${timestampMs}&sign=${encodeURIComponent(dingtalkSign(secret, timestampMs))}`;
}

/** Reads a DingTalk/WeCom-style `{errcode, errmsg}` answer (sent with HTTP 200 even on failure). */
export function errcodeResult(text: string, service: string, retryCodes: ReadonlySet<number>): SendResult {
  const a = jsonAnswer(text);
  if (!a || typeof a.errcode !== 'number') return { ok: false, retryable: false, response: text.slice(0, 2000), detail: `${service} answered HTTP 200 without an errcode: ${text.slice(0, 200) || '(empty)'}` };
  if (a.errcode === 0) return { ok: true, status: 200 };
  const detail = `${service} answered errcode ${a.errcode}: ${String(a.errmsg ?? '')}`;
  // Both robots block a sender for a while after the per-minute limit is hit: back off a full minute.
  if (retryCodes.has(a.errcode)) return { ok: false, retryable: true, status: 200, retryAfterMs: 60_000, response: text.slice(0, 2000), detail };
  return { ok: false, retryable: false, status: 200, response: text.slice(0, 2000), detail };
}

/** The DingTalk robot channel. */
export const dingtalkChannel: ChannelType<typeof dingtalkSchema> = {
  type: 'dingtalk',
  schema: dingtalkSchema,
  create(name, cfg): Notifier {
    // DingTalk only pings people whose mobile appears as @mobile in the text and in at.atMobiles (validated digits).
    const mention = (r: NoticeRecipient) => (r.mobile ? `@${r.mobile}` : undefined);
    return {
      name, type: 'dingtalk', timeoutMs: cfg.timeout,
      // DingTalk: 20 messages per minute per robot; more and the robot is throttled for 10 minutes.
      limits: effectiveLimits({ perMinute: 20 }, cfg.perMinute),
      handles: () => true,
      async send(notice, signal) {
        const buttons = cfg.buttons === 'links' ? noticeButtons(notice) : [];
        const text = renderNotice(buttons.length > 0 ? withoutActionLinks(notice) : notice, chatMarkdown, cfg.templates, mention);
        const mobiles = notice.recipients.flatMap((r) => (r.mobile ? [r.mobile] : []));
        const body = buttons.length > 0 ? JSON.stringify({
          msgtype: 'actionCard',
          actionCard: {
            title: text.title, text: fitBytes(`### ${text.title}\n\n${text.body}`, DINGTALK_MAX_BYTES), btnOrientation: '1',
            btns: buttons.map((b) => ({ title: b.text, actionURL: b.url })),
          },
        }) : JSON.stringify({
          msgtype: 'markdown',
          markdown: { title: text.title, text: fitBytes(`### ${text.title}\n\n${text.body}`, DINGTALK_MAX_BYTES) },
          at: { atMobiles: mobiles, isAtAll: cfg.atAllForP1 && notice.incident.severity === 'P1' && notice.kind !== 'resolved' },
        });
        const url = cfg.secret ? dingtalkSignedUrl(cfg.url, cfg.secret, Date.now()) : cfg.url;
        const r = await postBody(url, body, {}, signal);
        if ('failure' in r) return r.failure;
        const http = classifyStatus(r.reply, `DingTalk robot ${name}`);
        return http.ok ? errcodeResult(r.reply.text, `DingTalk robot ${name}`, DINGTALK_RETRY) : http;
      },
    };
  },
};
