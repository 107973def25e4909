import { z } from 'zod';
import type { Notice, NoticeRecipient } from '../escalation/notice.js';
import type { TemplateOverrides } from '../escalation/templates.js';
import { fitBytes, renderNotice } from '../escalation/templates.js';
import { errcodeResult } from './dingtalk.js';
import { classifyStatus, postBody } from './http.js';
import { chatMarkdown } from './markup.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { secret } from '../../config/secret.js';
import { boundText } from '../escalation/notice.js';
import { plainText } from './markup.js';
import { linkButtonsSchema, noticeButtons, withoutActionLinks, type NoticeButton } from './buttons.js';

/** WeCom: markdown content is at most 4096 bytes of UTF-8. */
const WECOM_MAX_BYTES = 4096;
/** -1 system busy, 45009 API frequency limit: wait and retry. */
const WECOM_RETRY = new Set([-1, 45009]);

/** `type: wecom`: a WeCom (企业微信) group robot posting markdown. */
export const wecomSchema = z.strictObject({
  type: z.literal('wecom'),
  /** https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... */
  url: secret(z.url({ protocol: /^https?$/ })),
  /**
   * `links`: a template card (text_notice) whose jump list opens the acknowledge, claim and mute confirm pages
   * (a group robot's card can only open links; the card is plain text, without @mentions); `none`: markdown.
   */
  buttons: linkButtonsSchema,
  ...channelBaseFields,
});

/** The WeCom robot channel. */
export const wecomChannel: ChannelType<typeof wecomSchema> = {
  type: 'wecom',
  schema: wecomSchema,
  create(name, cfg): Notifier {
    // WeCom markdown mentions by user id (<@userid>, validated in notify.yaml); without one the name is written out.
    const mention = (r: NoticeRecipient & { wecomUserId?: string }) => (r.wecomUserId ? `<@${r.wecomUserId}>` : undefined);
    const post = async (message: object, signal: AbortSignal) => {
      const r = await postBody(cfg.url, JSON.stringify(message), {}, signal);
      if ('failure' in r) return r.failure;
      const http = classifyStatus(r.reply, `WeCom robot ${name}`);
      return http.ok ? errcodeResult(r.reply.text, `WeCom robot ${name}`, WECOM_RETRY) : http;
    };
    return {
      name, type: 'wecom', timeoutMs: cfg.timeout,
      // WeCom: 20 messages per minute per robot.
      limits: effectiveLimits({ perMinute: 20 }, cfg.perMinute),
      handles: () => true,
      async send(notice, signal) {
        const buttons = cfg.buttons === 'links' ? noticeButtons(notice) : [];
        if (buttons.length > 0) return post(templateCard(notice, buttons, cfg.templates), signal);
        const text = renderNotice(notice, chatMarkdown, cfg.templates, mention);
        const colour = notice.kind === 'resolved' ? 'info' : notice.incident.severity === 'P1' || notice.incident.severity === 'P2' ? 'warning' : 'comment';
        const content = fitBytes(`### <font color="${colour}">${text.title}</font>\n${text.body}`, WECOM_MAX_BYTES);
        return post({ msgtype: 'markdown', markdown: { content } }, signal);
      },
    };
  },
};

/** WeCom's documented bounds of a text_notice card: title 26 characters, description 112, jump titles 13. */
const CARD = { title: 26, sub: 112, jump: 13 } as const;

/** A robot template card: the notice as plain text, its action links as the jump list, the dashboard on a tap. */
function templateCard(notice: Notice, buttons: NoticeButton[], templates: TemplateOverrides | undefined): object {
  const text = renderNotice(withoutActionLinks({ ...notice, links: { ...notice.links, dashboard: undefined } }), plainText, templates);
  return {
    msgtype: 'template_card',
    template_card: {
      card_type: 'text_notice',
      main_title: { title: boundText(text.title, CARD.title), desc: boundText(notice.incident.device ?? '', CARD.title) },
      sub_title_text: boundText(text.body.replace(/\n+/g, ' · '), CARD.sub),
      jump_list: buttons.slice(0, 3).map((b) => ({ type: 1, title: boundText(b.text, CARD.jump), url: b.url })),
      card_action: { type: 1, url: notice.links.dashboard ?? buttons[0]!.url },
    },
  };
}
