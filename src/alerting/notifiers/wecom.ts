import { z } from 'zod';
import type { NoticeRecipient } from '../escalation/notice.js';
import { fitBytes, renderNotice } from '../escalation/templates.js';
import { errcodeResult } from './dingtalk.js';
import { classifyStatus, postBody } from './http.js';
import { chatMarkdown } from './markup.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { secret } from '../../config/secret.js';

/** WeCom: markdown content is at most 4096 bytes of UTF-8. */
const WECOM_MAX_BYTES = 4096;
/** -1 system busy, 45009 API frequency limit: wait and retry. */
const WECOM_RETRY = new Set([-1, 45009]);

/** `type: wecom`: a WeCom (企业微信) group robot posting markdown. */
export const wecomSchema = z.strictObject({
  type: z.literal('wecom'),
  /** https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... */
  url: secret(z.url({ protocol: /^https?$/ })),
  ...channelBaseFields,
});

/** The WeCom robot channel. */
export const wecomChannel: ChannelType<typeof wecomSchema> = {
  type: 'wecom',
  schema: wecomSchema,
  create(name, cfg): Notifier {
    // WeCom markdown mentions by user id (<@userid>, validated in notify.yaml); without one the name is written out.
    const mention = (r: NoticeRecipient & { wecomUserId?: string }) => (r.wecomUserId ? `<@${r.wecomUserId}>` : undefined);
    return {
      name, type: 'wecom', timeoutMs: cfg.timeout,
      // WeCom: 20 messages per minute per robot.
      limits: effectiveLimits({ perMinute: 20 }, cfg.perMinute),
      handles: () => true,
      async send(notice, signal) {
        const text = renderNotice(notice, chatMarkdown, cfg.templates, mention);
        const colour = notice.kind === 'resolved' ? 'info' : notice.incident.severity === 'P1' || notice.incident.severity === 'P2' ? 'warning' : 'comment';
        const content = fitBytes(`### <font color="${colour}">${text.title}</font>\n${text.body}`, WECOM_MAX_BYTES);
        const r = await postBody(cfg.url, JSON.stringify({ msgtype: 'markdown', markdown: { content } }), {}, signal);
        if ('failure' in r) return r.failure;
        const http = classifyStatus(r.reply, `WeCom robot ${name}`);
        return http.ok ? errcodeResult(r.reply.text, `WeCom robot ${name}`, WECOM_RETRY) : http;
      },
    };
  },
};
