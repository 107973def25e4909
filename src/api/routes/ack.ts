import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { IncidentView } from '../../core/incident.js';
import { apiPlugin } from '../plugin.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { incidentAuditState } from './incidents.js';
import type { AckRefusal } from '../services/index.js';
import { type Lang } from '../../config/lang.js';


const TEXT = {
  en: {
    confirm: 'Acknowledge this incident?', confirmBody: 'Acknowledging stops escalation from paging further tiers. Nothing has changed yet.',
    button: 'Acknowledge', done: 'Incident acknowledged', already: 'Already acknowledged', resolved: 'Already resolved',
    doneBody: 'Escalation has stopped paging further tiers for this incident.',
    alreadyBody: 'Someone took this incident before you; nothing changed.',
    resolvedBody: 'This incident is resolved; there is nothing to acknowledge.',
    refused: 'This link cannot acknowledge anything',
    crossSite: 'The acknowledgement was not sent from this page. Open the link and press the button.',
    reasons: {
      expired: 'The link has expired. Acknowledge the incident on the wall or through the API.',
      'bad-signature': 'The link was altered or signed by another Noctua.',
      malformed: 'This is not an acknowledge link.',
      used: 'This link has already been used once. Acknowledge again on the wall or through the API.',
      'not-found': 'The incident no longer exists.',
      unavailable: 'Acknowledge links are not configured on this Noctua.',
    } satisfies Record<AckRefusal['reason'], string>,
    incident: 'Incident', by: 'Acknowledged by', device: 'Device', severity: 'Severity', age: 'Open for', sentTo: 'Link sent to',
    units: { d: ' d', h: ' h', min: ' min' },
  },
  'zh-CN': {
    confirm: '确认此故障？', confirmBody: '确认后，升级通知将不再通知更高一级。目前尚未作任何更改。',
    button: '确认故障', done: '已确认故障', already: '此前已确认', resolved: '故障已恢复',
    doneBody: '升级通知已停止，不再通知更高一级。',
    alreadyBody: '已有人先确认了此故障，本次未作更改。',
    resolvedBody: '该故障已恢复，无需确认。',
    refused: '此链接无法确认故障',
    crossSite: '确认请求并非来自本页面。请打开链接后点击按钮。',
    reasons: {
      expired: '链接已过期，请在大屏或通过 API 确认故障。',
      'bad-signature': '链接已被修改，或并非本系统签发。',
      malformed: '这不是故障确认链接。',
      used: '此链接已使用过一次。如需再次确认，请在大屏或通过 API 操作。',
      'not-found': '该故障已不存在。',
      unavailable: '本系统未配置故障确认链接。',
    } satisfies Record<AckRefusal['reason'], string>,
    incident: '故障编号', by: '确认人', device: '设备', severity: '级别', age: '已持续', sentTo: '链接发送给',
    units: { d: ' 天', h: ' 小时', min: ' 分钟' },
  },
} as const;

/** An ack token is at most this long; the app's maxParamLength (app.ts) is set above it. */
export const MAX_ACK_TOKEN_LENGTH = 2000;
const params = z.strictObject({ token: z.string().min(1).max(MAX_ACK_TOKEN_LENGTH) });

/** HTTP status for each reason a link is refused. */
const REFUSAL_STATUS: Record<AckRefusal['reason'], number> = { expired: 410, 'bad-signature': 403, malformed: 400, used: 409, 'not-found': 404, unavailable: 404 };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** "2 h 5 min" / "2 小时 5 分钟": how long the incident has been open, to the minute. */
function age(ms: number, lang: Lang): string {
  const u = TEXT[lang].units;
  const min = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(min / 1440); const h = Math.floor((min % 1440) / 60); const m = min % 60;
  const parts = d > 0 ? [`${d}${u.d}`, `${h}${u.h}`] : h > 0 ? [`${h}${u.h}`, `${m}${u.min}`] : [`${m}${u.min}`];
  return parts.join(' ');
}

/** The language of the page: `?lang=`, else the browser's Accept-Language, else the configured locale. */
function pickLang(request: FastifyRequest, fallback: Lang): Lang {
  const q = (request.query as { lang?: unknown } | undefined)?.lang;
  if (q === 'en' || q === 'zh-CN') return q;
  const accept = request.headers['accept-language'];
  if (typeof accept === 'string') {
    for (const part of accept.split(',').slice(0, 20)) {
      const tag = part.split(';')[0]!.trim().toLowerCase();
      if (tag.startsWith('zh')) return 'zh-CN';
      if (tag.startsWith('en')) return 'en';
    }
  }
  return fallback;
}

interface PageParts { lang: Lang; tone: 'ok' | 'info' | 'bad' | 'ask'; title: string; body: string; incident?: IncidentView; recipient?: string; now: Date; form?: boolean }

/** The small page a person sees after tapping the link in a notice on a phone; every value from outside is escaped. */
function page(p: PageParts): string {
  const t = TEXT[p.lang];
  const colour = { ok: '#1f9d55', info: '#2b6cb0', bad: '#c53030', ask: '#d69e2e' }[p.tone];
  const inc = p.incident;
  const row = (k: string, v: string) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`;
  const summary = inc ? (inc.alerts[0]?.summary[p.lang] || inc.title) : '';
  const facts = inc
    ? '<dl>' + row(t.incident, inc.id) + row(t.device, inc.device ?? '-') + row(t.severity, inc.severity) +
      row(t.age, age(p.now.getTime() - inc.openedAt.getTime(), p.lang)) +
      (p.recipient ? row(t.sentTo, p.recipient) : '') + (inc.acknowledgedBy ? row(t.by, inc.acknowledgedBy) : '') + '</dl>'
    : '';
  // Without an action the form posts back to this very URL (token and ?lang included), wherever a proxy mounts Noctua.
  const form = p.form ? `<form method="post"><button type="submit">${escapeHtml(t.button)}</button></form>` : '';
  return `<!doctype html><html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(p.title)}</title><style>body{font:18px/1.5 system-ui,sans-serif;background:#111;color:#eee;margin:0;padding:2em}` +
    `h1{color:${colour};font-size:1.6em}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em}dt{color:#aaa}` +
    `button{font:inherit;font-weight:bold;padding:.6em 2em;border:0;border-radius:.3em;background:#d69e2e;color:#111}</style></head>` +
    `<body><h1>${escapeHtml(p.title)}</h1><p>${escapeHtml(p.body)}</p>` +
    (inc ? `<p><strong>${escapeHtml(summary)}</strong></p>${facts}` : '') + form + '</body></html>';
}

/**
 * True when a POST may act: a browser says where the form was (Sec-Fetch-Site, Origin) and it must be
 * this page's origin (or api.publicUrl's). Clients that send neither (curl, scripts) hold the token itself.
 */
function sameOrigin(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return true;
  const allowed = new Set([`${request.protocol}://${request.host}`]);
  if (publicUrl) {
    try { allowed.add(new URL(publicUrl).origin); } catch { /* api.publicUrl is checked at load */ }
  }
  return allowed.has(origin);
}

/**
 * /ack/{token}: the acknowledge link in notices. Public (the signed token is the credential).
 * GET (and the HEAD fastify derives from it) only shows what the link would do, with a button: chat
 * previews and mail scanners open links, and must not stop the paging of an incident nobody read.
 * The button POSTs back to the same URL, which acknowledges; each token acts once (recorded in the
 * state database), so it does not act again after someone un-acknowledges.
 */
export const ackRoutes = apiPlugin('noctua-ack', [], async (app, { services, locale, now, settings }) => {
  // The confirm page's form posts as a browser does; its body carries nothing the route reads.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));

  const start = (request: FastifyRequest, reply: FastifyReply): { lang: Lang; token?: string } => {
    const lang = pickLang(request, locale);
    // The page tells a person what happened; nothing about it may be cached, nor its URL (the token) passed on.
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'same-origin').header('vary', 'accept-language');
    const parsed = params.safeParse(request.params);
    return { lang, token: parsed.success ? parsed.data.token : undefined };
  };
  const refuse = (request: FastifyRequest, reply: FastifyReply, lang: Lang, r: AckRefusal) => {
    request.log.info({ reason: r.reason }, 'acknowledge link refused');
    return reply.code(REFUSAL_STATUS[r.reason]).send(page({ lang, tone: 'bad', title: TEXT[lang].refused, body: TEXT[lang].reasons[r.reason], now: now() }));
  };
  const noToken: AckRefusal = { ok: false, reason: 'malformed', message: 'no token' };
  const noPaging: AckRefusal = { ok: false, reason: 'unavailable', message: 'no escalation' };

  app.get('/ack/:token', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const { lang, token } = start(request, reply);
    if (!token) return refuse(request, reply, lang, noToken);
    if (!services.paging) return refuse(request, reply, lang, noPaging);
    const found = await services.paging.inspectAckLink(token);
    if (!found.ok) return refuse(request, reply, lang, found);
    const t = TEXT[lang];
    const { incident, recipient } = found;
    const base = { lang, incident, recipient, now: now() };
    if (incident.state === 'resolved') return reply.send(page({ ...base, tone: 'info', title: t.resolved, body: t.resolvedBody }));
    if (incident.state === 'acknowledged') return reply.send(page({ ...base, tone: 'info', title: t.already, body: t.alreadyBody }));
    return reply.send(page({ ...base, tone: 'ask', title: t.confirm, body: t.confirmBody, form: true }));
  });

  app.post('/ack/:token', { config: { access: 'public', audit: 'incident.acknowledge' }, schema: { hide: true } }, async (request, reply) => {
    const { lang, token } = start(request, reply);
    const t = TEXT[lang];
    if (!sameOrigin(request, settings.publicUrl)) {
      request.log.warn({ origin: request.headers.origin, site: request.headers['sec-fetch-site'] }, 'cross-site acknowledge refused');
      return reply.code(403).send(page({ lang, tone: 'bad', title: t.refused, body: t.crossSite, now: now() }));
    }
    if (!token) return refuse(request, reply, lang, noToken);
    if (!services.paging) return refuse(request, reply, lang, noPaging);
    // Read first (changes nothing) so the audit row names the link's recipient and the state before.
    const seen = await services.paging.inspectAckLink(token);
    noteAudit(request, { via: 'link', who: seen.ok ? seen.recipient : 'notice link', ...(seen.ok ? { target: `incident:${seen.incident.id}`, before: incidentAuditState(seen.incident) } : {}) });
    const result = await services.paging.acknowledgeWithLink(token);
    if (!result.ok) return refuse(request, reply, lang, result);
    const inc = result.incident;
    noteAudit(request, { target: `incident:${inc.id}`, after: incidentAuditState(inc), ...(result.changed ? {} : { detail: 'nothing changed' }) });
    const base = { lang, incident: inc, now: now() };
    if (inc.state === 'resolved') return reply.code(409).send(page({ ...base, tone: 'info', title: t.resolved, body: t.resolvedBody }));
    if (result.changed) request.log.info({ incident: inc.id }, 'incident acknowledged through a link');
    return reply.send(result.changed ? page({ ...base, tone: 'ok', title: t.done, body: t.doneBody }) : page({ ...base, tone: 'info', title: t.already, body: t.alreadyBody }));
  });
});
