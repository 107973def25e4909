import { z } from 'zod';
import { alertmanagerChannel } from './alertmanager.js';
import { aliyunSmsChannel } from './aliyun-sms.js';
import { aliyunVoiceChannel } from './aliyun-voice.js';
import { dingtalkChannel } from './dingtalk.js';
import { feishuChannel } from './feishu.js';
import type { ChannelType, Notifier } from './notifier.js';
import { pagerdutyChannel } from './pagerduty.js';
import { slackChannel } from './slack.js';
import { tencentSmsChannel } from './tencent-sms.js';
import { tencentVoiceChannel } from './tencent-voice.js';
import { webhookChannel } from './webhook.js';
import { wecomChannel } from './wecom.js';

/** Every channel type, one line each: a new channel is a new file plus one line here. */
export const CHANNEL_TYPES = [
  webhookChannel,
  alertmanagerChannel,
  slackChannel,
  dingtalkChannel,
  wecomChannel,
  feishuChannel,
  pagerdutyChannel,
  aliyunSmsChannel,
  aliyunVoiceChannel,
  tencentSmsChannel,
  tencentVoiceChannel,
] as const;

type SchemaOf<T> = T extends { schema: infer S extends z.ZodType } ? S : never;
/** A validated entry of `channels:`, whichever type it is. */
export type ChannelConfig = { [K in keyof typeof CHANNEL_TYPES]: z.output<SchemaOf<(typeof CHANNEL_TYPES)[K]>> }[number];

/** One entry of `channels:` in notify.yaml, chosen by its `type`. */
export const channelConfigSchema = z.discriminatedUnion('type', CHANNEL_TYPES.map((c) => c.schema) as unknown as [z.ZodObject, ...z.ZodObject[]], {
  error: (iss) => {
    if (iss.code !== 'invalid_union') return undefined;
    const got = (iss.input as { type?: unknown } | undefined)?.type;
    return `expected type to be one of ${CHANNEL_TYPES.map((c) => c.type).join(', ')}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`;
  },
}) as unknown as z.ZodType<ChannelConfig>;

/** Builds the notifier for a validated channel config. */
export function createNotifier(name: string, config: ChannelConfig): Notifier {
  const entry = CHANNEL_TYPES.find((c) => c.type === config.type) as ChannelType | undefined;
  if (!entry) throw new Error(`no notifier registered for channel type "${config.type}"`);
  return entry.create(name, config);
}
