import { z } from 'zod';
import type { IncidentView } from '../../core/incident.js';
import { apiPlugin } from '../plugin.js';

const TEXT = {
  en: {
    done: 'Incident acknowledged', already: 'Already acknowledged', resolved: 'Already resolved',
    doneBody: 'Escalation has stopped paging further tiers for this incident.',
    alreadyBody: 'Someone took this incident before you; nothing changed.',
    resolvedBody: 'This incident is resolved; there is nothing to acknowledge.',
    refused: 'This link cannot acknowledge anything',
    reasons: {
      expired: 'The link has expired. Acknowledge the incident on the wall or through the API.',
      'bad-signature': 'The link was altered or signed by another Noctua.',
      malformed: 'This is not an acknowledge link.',
      'not-found': 'The incident no longer exists.',
      unavailable: 'Acknowledge links are not configured on this Noctua.',
    } as Record<string, string>,
    by: 'Acknowledged by', device: 'Device', severity: 'Severity', opened: 'Opened',
  },
  'zh-CN': {
    done: '已确认故障', already: '此前已确认', resolved: '故障已恢复',
    doneBody: '升级通知已停止，不再通知更高一级。',
    alreadyBody: '已有人先确认了此故障，本次未作更改。',
    resolvedBody: '该故障已恢复，无需确认。',
    refused: '此链接无法确认故障',
    reasons: {
      expired: '链接已过期，请在大屏或通过 API 确认故障。',
      'bad-signature': '链接已被修改，或并非本系统签发。',
      malformed: '这不是故障确认链接。',
      'not-found': '该故障已不存在。',
      unavailable: '本系统未配置故障确认链接。',
    } as Record<string, string>,
    by: '确认人', device: '设备', severity: '级别', opened: '开始时间',
  },
} as const;

const params = z.strictObject({ token: z.string().min(1).max(2000) });

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The small page a person sees after tapping the link in a notice on a phone. */
function page(lang: 'en' | 'zh-CN', tone: 'ok' | 'info' | 'bad', title: string, body: string, incident?: IncidentView): string {
  const t = TEXT[lang];
  const colour = tone === 'ok' ? '#1f9d55' : tone === 'info' ? '#2b6cb0' : '#c53030';
  const facts = incident
    ? `<dl><dt>${t.device}</dt><dd>${escapeHtml(incident.device ?? '-')}</dd><dt>${t.severity}</dt><dd>${incident.severity}</dd>` +
      `<dt>${t.opened}</dt><dd>${incident.openedAt.toISOString()}</dd>` +
      (incident.acknowledgedBy ? `<dt>${t.by}</dt><dd>${escapeHtml(incident.acknowledgedBy)}</dd>` : '') + '</dl>'
    : '';
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>body{font:18px/1.5 system-ui,sans-serif;background:#111;color:#eee;margin:0;padding:2em}` +
    `h1{color:${colour};font-size:1.6em}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em}dt{color:#aaa}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>` +
    (incident ? `<p><strong>${escapeHtml(incident.title)}</strong></p>${facts}` : '') + '</body></html>';
}

/** HTTP status for each reason a link is refused. */
const REFUSAL_STATUS: Record<string, number> = { expired: 410, 'bad-signature': 403, malformed: 400, 'not-found': 404, unavailable: 404 };

/**
 * /ack/{token}: the acknowledge link in notices. Public (the signed token is the credential) and
 * answered as a small HTML page in the configured locale; `?lang=` overrides it.
 */
export const ackRoutes = apiPlugin('noctua-ack', [], async (app, { ports, locale }) => {
  app.get<{ Params: z.infer<typeof params>; Querystring: { lang?: string } }>('/ack/:token', {
    config: { access: 'public' },
    schema: { hide: true },
  }, async (request, reply) => {
    const q = request.query;
    const lang = q.lang === 'en' || q.lang === 'zh-CN' ? q.lang : locale;
    const t = TEXT[lang];
    // The page tells a person what happened; nothing about it may be cached by a proxy or the phone.
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const parsed = params.safeParse(request.params);
    if (!parsed.success) return reply.code(400).send(page(lang, 'bad', t.refused, t.reasons.malformed!));
    if (!ports.paging) return reply.code(404).send(page(lang, 'bad', t.refused, t.reasons.unavailable!));
    const result = await ports.paging.acknowledgeWithToken(parsed.data.token);
    if (!result.ok) {
      request.log.info({ reason: result.reason }, 'acknowledge link refused');
      return reply.code(REFUSAL_STATUS[result.reason] ?? 400).send(page(lang, 'bad', t.refused, t.reasons[result.reason] ?? result.message));
    }
    const inc = result.incident;
    if (inc.state === 'resolved') return reply.code(409).send(page(lang, 'info', t.resolved, t.resolvedBody, inc));
    return reply.code(200).send(result.changed ? page(lang, 'ok', t.done, t.doneBody, inc) : page(lang, 'info', t.already, t.alreadyBody, inc));
  });
});
