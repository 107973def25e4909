import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { NoticeRecipient } from '../escalation/notice.js';
import { fitBytes, renderNotice } from '../escalation/templates.js';
import { classifyStatus, jsonAnswer, postBody } from './http.js';
import { chatMarkdown, plainText } from './markup.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier, type SendResult } from './notifier.js';
import { secret } from '../../config/secret.js';
import { callbackButtonsSchema, noticeButtons, withoutActionLinks } from './buttons.js';

/** Feishu custom bots accept request bodies up to 20 KB; the text is cut to leave room for the card around it. */
const FEISHU_MAX_TEXT_BYTES = 18_000;
/** 9499 too many requests, 11232 frequency limited: wait and retry. */
const FEISHU_RETRY = new Set([9499, 11232]);

/** `type: feishu`: a Feishu/Lark custom bot (自定义机器人) posting an interactive card. */
export const feishuSchema = z.strictObject({
  type: z.literal('feishu'),
  /** https://open.feishu.cn/open-apis/bot/v2/hook/... (or open.larksuite.com for Lark). */
  url: secret(z.url({ protocol: /^https?$/ })),
  /** The bot's signature secret (签名校验); when set every body carries timestamp and sign. */
  secret: secret(z.string().min(1)).optional(),
  /**
   * Card buttons for acknowledge, claim and mute: `links` open the confirm pages; `callback` (a Feishu app's bot,
   * with its card callback URL set to {publicUrl}/api/v1/chat/feishu/callback and notify.yaml chat.feishu)
   * acts on the press; `none` keeps the links in the text.
   */
  buttons: callbackButtonsSchema,
  ...channelBaseFields,
});

/** Feishu's documented signature: base64(HMAC-SHA256(key="<timestamp s>\n<secret>", message="")). */
export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

function feishuResult(text: string, service: string): SendResult {
  const a = jsonAnswer(text);
  // Current bots answer {code, msg}; older ones {StatusCode, StatusMessage}.
  const code = typeof a?.code === 'number' ? a.code : typeof a?.StatusCode === 'number' ? a.StatusCode : undefined;
  if (code === undefined) return { ok: false, retryable: false, status: 200, response: text.slice(0, 2000), detail: `${service} answered without a code: ${text.slice(0, 200) || '(empty)'}` };
  if (code === 0) return { ok: true, status: 200 };
  const detail = `${service} answered code ${code}: ${String(a?.msg ?? a?.StatusMessage ?? '')}`;
  if (FEISHU_RETRY.has(code)) return { ok: false, retryable: true, status: 200, retryAfterMs: 60_000, response: text.slice(0, 2000), detail };
  return { ok: false, retryable: false, status: 200, response: text.slice(0, 2000), detail };
}

/** The Feishu/Lark bot channel. */
export const feishuChannel: ChannelType<typeof feishuSchema> = {
  type: 'feishu',
  schema: feishuSchema,
  create(name, cfg): Notifier {
    // open_id is validated in notify.yaml; without one the name is written out.
    const mention = (r: NoticeRecipient & { feishuOpenId?: string }) => (r.feishuOpenId ? `<at id=${r.feishuOpenId}></at>` : undefined);
    return {
      name, type: 'feishu', timeoutMs: cfg.timeout,
      // Feishu: 100 requests per minute and 5 per second per bot.
      limits: effectiveLimits({ perMinute: 100, perSecond: 5 }, cfg.perMinute),
      handles: () => true,
      async send(notice, signal) {
        const buttons = cfg.buttons === 'links' || cfg.buttons === 'callback' ? noticeButtons(notice) : [];
        const text = renderNotice(buttons.length > 0 ? withoutActionLinks(notice) : notice, chatMarkdown, cfg.templates, mention);
        // The card header is plain_text: nothing there is markup, so values only lose their line breaks.
        const title = renderNotice(notice, plainText, cfg.templates, mention).title;
        const colour = notice.kind === 'resolved' ? 'green' : notice.kind === 'acknowledged' ? 'blue' : notice.incident.severity === 'P1' ? 'red' : notice.incident.severity === 'P2' ? 'orange' : 'yellow';
        const card = {
          header: { title: { tag: 'plain_text', content: title }, template: colour },
          elements: [
            { tag: 'div', text: { tag: 'lark_md', content: fitBytes(text.body, FEISHU_MAX_TEXT_BYTES) } },
            ...(buttons.length === 0 ? [] : [{
              tag: 'action',
              actions: buttons.map((b) => ({
                tag: 'button', text: { tag: 'plain_text', content: b.text }, type: b.action === 'ack' ? 'primary' : 'default',
                ...(cfg.buttons === 'callback' && b.token ? { value: { action: b.action, token: b.token } } : { url: b.url }),
              })),
            }]),
          ],
        };
        const signed: Record<string, string> = {};
        if (cfg.secret) {
          const ts = Math.floor(Date.now() / 1000);
          signed.timestamp = String(ts);
          signed.sign = feishuSign(cfg.secret, ts);
        }
        const r = await postBody(cfg.url, JSON.stringify({ ...signed, msg_type: 'interactive', card }), {}, signal);
        if ('failure' in r) return r.failure;
        const http = classifyStatus(r.reply, `Feishu bot ${name}`);
        return http.ok ? feishuResult(r.reply.text, `Feishu bot ${name}`) : http;
      },
    };
  },
};
