import { z } from 'zod';
import { fitBytes, renderNotice } from '../escalation/templates.js';
import { classifyStatus, postBody } from './http.js';
import { slackMrkdwn } from './markup.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { secret } from '../../config/secret.js';
import { buttonKey, callbackButtonsSchema, noticeButtons, withoutActionLinks } from './buttons.js';

/** Slack's limit on a section block's text. */
const SLACK_SECTION_MAX = 3000;

/** Slack shows at most 40,000 characters of `text`; longer messages are cut by Slack, so we cut them ourselves, visibly. */
const SLACK_MAX_CHARS = 40_000;

/** `type: slack`: a Slack incoming webhook. */
export const slackSchema = z.strictObject({
  type: z.literal('slack'),
  url: secret(z.url({ protocol: /^https?$/ })),
  /**
   * Block Kit buttons for acknowledge, claim and mute: `links` open the confirm pages; `callback` posts to the
   * Slack app's Request URL (set it to {publicUrl}/api/v1/chat/slack/callback and give notify.yaml chat.slack
   * the signing secret); `none` keeps the links in the text.
   */
  buttons: callbackButtonsSchema,
  ...channelBaseFields,
});

/** The Slack incoming webhook channel. */
export const slackChannel: ChannelType<typeof slackSchema> = {
  type: 'slack',
  schema: slackSchema,
  create(name, cfg): Notifier {
    return {
      name, type: 'slack', timeoutMs: cfg.timeout,
      // Slack: about one message per second per incoming webhook, short bursts tolerated.
      limits: effectiveLimits({ perMinute: 60, perSecond: 1 }, cfg.perMinute),
      handles: () => true,
      async send(notice, signal) {
        const buttons = cfg.buttons === 'links' || cfg.buttons === 'callback' ? noticeButtons(notice) : [];
        const text = renderNotice(buttons.length > 0 ? withoutActionLinks(notice) : notice, slackMrkdwn, cfg.templates);
        const message = `*${text.title}*\n${text.body}`;
        const body = JSON.stringify(buttons.length === 0 ? { text: fitBytes(message, SLACK_MAX_CHARS) } : {
          // `text` is what notifications and screen readers show; the blocks are the message itself.
          text: fitBytes(message, SLACK_MAX_CHARS),
          blocks: [
            { type: 'section', text: { type: 'mrkdwn', text: fitBytes(message, SLACK_SECTION_MAX) } },
            {
              type: 'actions',
              elements: buttons.map((b) => ({
                type: 'button', action_id: `noctua-${b.action}`, text: { type: 'plain_text', text: b.text },
                ...(b.action === 'ack' ? { style: 'primary' } : {}),
                ...(cfg.buttons === 'callback' && b.token ? { value: buttonKey(b.action, b.token) } : { url: b.url }),
              })),
            },
          ],
        });
        const r = await postBody(cfg.url, body, {}, signal);
        return 'failure' in r ? r.failure : classifyStatus(r.reply, `Slack webhook ${name}`);
      },
    };
  },
};
