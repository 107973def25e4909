import { z } from 'zod';
import { fitBytes, renderNotice } from '../escalation/templates.js';
import { classifyStatus, postBody } from './http.js';
import { slackMrkdwn } from './markup.js';
import { channelBaseFields, effectiveLimits, type ChannelType, type Notifier } from './notifier.js';
import { secret } from '../../config/secret.js';

/** Slack shows at most 40,000 characters of `text`; longer messages are cut by Slack, so we cut them ourselves, visibly. */
const SLACK_MAX_CHARS = 40_000;

/** `type: slack`: a Slack incoming webhook. */
export const slackSchema = z.strictObject({
  type: z.literal('slack'),
  url: secret(z.url({ protocol: /^https?$/ })),
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
        const text = renderNotice(notice, slackMrkdwn, cfg.templates);
        const body = JSON.stringify({ text: fitBytes(`*${text.title}*\n${text.body}`, SLACK_MAX_CHARS) });
        const r = await postBody(cfg.url, body, {}, signal);
        return 'failure' in r ? r.failure : classifyStatus(r.reply, `Slack webhook ${name}`);
      },
    };
  },
};
