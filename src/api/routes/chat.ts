import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LinkAction } from '../../alerting/escalation/ack-token.js';
import { dingtalkPlatform } from '../chat/dingtalk.js';
import { feishuPlatform } from '../chat/feishu.js';
import type { ChatOutcome, ChatParse, ChatPlatform, ChatReply, ChatRequest } from '../chat/platform.js';
import { slackPlatform } from '../chat/slack.js';
import { wecomPlatform } from '../chat/wecom.js';
import { REFUSAL_STATUS } from '../link-page.js';
import { apiPlugin } from '../plugin.js';
import { problem } from '../problems.js';
import type { AckOutcome, ChatSettings } from '../services/index.js';
import type { Lang } from '../../config/lang.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { LINK_AUDIT_ACTION, actingPrincipal } from './ack.js';
import { incidentAuditState } from './incidents.js';

/** Every platform whose buttons call back, one line each. */
const PLATFORMS: readonly ChatPlatform<unknown>[] = [slackPlatform, feishuPlatform, dingtalkPlatform, wecomPlatform] as readonly ChatPlatform<never>[] as readonly ChatPlatform<unknown>[];

/** Largest callback body read; platforms send a few kilobytes. */
const MAX_CALLBACK_BYTES = 64 * 1024;

type Words = Record<Lang, string>;
const DONE: Record<LinkAction, (by: string, until?: string) => Words> = {
  ack: (by) => ({ en: `Acknowledged by ${by}`, 'zh-CN': `${by} 已确认` }),
  claim: (by) => ({ en: `${by} is on it`, 'zh-CN': `${by} 正在处理` }),
  mute: (_by, until) => ({ en: `Pages held until ${until}`, 'zh-CN': `通知已暂停至 ${until}` }),
};
const NOTHING: Record<'acknowledged' | 'resolved', Words> = {
  acknowledged: { en: 'Already acknowledged; nothing changed', 'zh-CN': '此前已确认，本次未作更改' },
  resolved: { en: 'Already resolved; nothing to do', 'zh-CN': '故障已恢复，无需操作' },
};
const REFUSED: Record<keyof typeof REFUSAL_STATUS, Words> = {
  expired: { en: 'This button has expired', 'zh-CN': '按钮已过期' },
  'bad-signature': { en: 'This button was altered or signed by another Noctua', 'zh-CN': '按钮已被修改，或并非本系统签发' },
  malformed: { en: 'This is not a Noctua button', 'zh-CN': '这不是本系统的按钮' },
  used: { en: 'This button has already been used once', 'zh-CN': '此按钮已使用过一次' },
  'not-found': { en: 'The incident no longer exists', 'zh-CN': '该故障已不存在' },
  unavailable: { en: 'Buttons are not configured on this Noctua', 'zh-CN': '本系统未配置消息按钮' },
};

/** What acting did, as the platform's answer will say it. */
function outcomeOf(action: LinkAction, result: AckOutcome): ChatOutcome {
  if (!result.ok) return { ok: false, status: REFUSAL_STATUS[result.reason], reason: result.reason, message: REFUSED[result.reason] };
  if (result.changed) return { ok: true, status: 200, message: DONE[action](result.by ?? '', result.mutedUntil?.toISOString()) };
  return { ok: true, status: 200, message: NOTHING[result.incident.state === 'resolved' ? 'resolved' : 'acknowledged'] };
}

const asRequest = (request: FastifyRequest): ChatRequest => ({
  headers: request.headers, query: (request.query ?? {}) as Record<string, unknown>, body: typeof request.body === 'string' ? request.body : '',
});

const sendReply = (reply: FastifyReply, r: ChatReply) => reply.code(r.status).type(r.type).header('cache-control', 'no-store').send(r.body);

/**
 * POST /api/v1/chat/{slack|feishu|dingtalk|wecom}/callback: button presses in chat messages. Public: each
 * platform's own signature (and timestamp, at most `chat.maxAge` old) is the credential, checked on the raw
 * body; a callback taken before is refused (409); the button's signed token then acts exactly as the link
 * would, in the name of the chat user (notify.yaml `chat.users`, else "<platform>:<user id>").
 */
export const chatRoutes = apiPlugin('noctua-chat', [], async (app, { services, now }) => {
  // Signatures cover the exact bytes: every body stays raw text in this plugin (its parsers are its own).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_CALLBACK_BYTES }, (_req, body, done) => done(null, body));

  const settingsFor = async (name: string): Promise<{ platform: ChatPlatform<unknown>; chat: ChatSettings; s: unknown } | undefined> => {
    const platform = PLATFORMS.find((p) => p.name === name);
    const chat = platform ? await services.paging?.chatSettings() : undefined;
    const s = platform && chat ? platform.settings(chat) : undefined;
    return platform && chat && s ? { platform, chat, s } : undefined;
  };
  const refuse = (request: FastifyRequest, reply: FastifyReply, platform: string, parsed: Extract<ChatParse, { kind: 'refused' }>) => {
    request.log.warn({ platform, reason: parsed.reason }, 'chat callback refused');
    return reply.code(parsed.status).send(problem(parsed.status, parsed.reason));
  };
  const route = { config: { access: 'public' as const }, schema: { hide: true } };

  app.post<{ Params: { platform: string } }>('/chat/:platform/callback', route, async (request, reply) => {
    const found = await settingsFor(request.params.platform);
    if (!found || !services.paging) return reply.code(404).send(problem(404, `no chat callbacks for "${String(request.params.platform).slice(0, 40)}" (notify.yaml chat:)`));
    const { platform, chat, s } = found;
    const nowMs = now().getTime();
    const parsed = platform.parse(asRequest(request), s, nowMs, chat.maxAge);
    if (parsed.kind === 'refused') return refuse(request, reply, platform.name, parsed);
    if (parsed.kind === 'handshake') return sendReply(reply, parsed.reply);
    if (!(await services.paging.firstCallback(platform.name, parsed.replayId, chat.maxAge))) {
      return refuse(request, reply, platform.name, { kind: 'refused', status: 409, reason: 'this callback was already taken (a replay)' });
    }
    const by = chat.users[`${platform.name}:${parsed.userId}`] ?? `${platform.name}:${parsed.userId}`;
    const seen = await services.paging.inspectLink(parsed.action, parsed.token);
    noteAudit(request, {
      action: LINK_AUDIT_ACTION[parsed.action], via: 'chat', who: by,
      ...(seen.ok ? { target: `incident:${seen.incident.id}`, before: incidentAuditState(seen.incident) } : { detail: seen.reason }),
    });
    const result = await services.paging.actWithLink(parsed.action, parsed.token, by);
    request.principal = actingPrincipal(by, 'chat');
    if (result.ok) noteAudit(request, { after: incidentAuditState(result.incident), ...(result.mutedUntil ? { detail: `pages held until ${result.mutedUntil.toISOString()}` } : result.changed ? {} : { detail: 'nothing changed' }) });
    request.log.info({ platform: platform.name, action: parsed.action, ok: result.ok, changed: result.ok && result.changed }, 'chat button pressed');
    return sendReply(reply, platform.reply(s, outcomeOf(parsed.action, result), nowMs));
  });

  // WeCom checks the URL with a GET carrying an encrypted echostr before it sends anything.
  app.get('/chat/wecom/callback', route, async (request, reply) => {
    const found = await settingsFor('wecom');
    if (!found) return reply.code(404).send(problem(404, 'no WeCom callbacks (notify.yaml chat.wecom)'));
    const parsed = wecomPlatform.verifyUrl(asRequest(request), found.s as Parameters<typeof wecomPlatform.verifyUrl>[1], now().getTime(), found.chat.maxAge);
    if (parsed.kind === 'refused') return refuse(request, reply, 'wecom', parsed);
    return parsed.kind === 'handshake' ? sendReply(reply, parsed.reply) : reply.code(400).send(problem(400, 'expected echostr'));
  });
});
