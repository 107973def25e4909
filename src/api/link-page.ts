/**
 * The small page a person sees after tapping a link in a notice on a phone (acknowledge, claim, mute): what
 * the link would do, the incident it names, and afterwards what happened or why nothing did. zh-CN and en;
 * every value from a device, a rule or a person is escaped.
 */
import type { FastifyRequest } from 'fastify';
import type { LinkAction } from '../alerting/escalation/ack-token.js';
import { formatOutage } from '../alerting/escalation/templates.js';
import type { IncidentView } from '../core/incident.js';
import type { Lang } from '../config/lang.js';
import type { AckRefusal } from './services/index.js';

type Reasons = Record<AckRefusal['reason'], string>;
/** One action's words; `{d}` is how long a mute holds pages, `{until}` when it ends. */
interface ActionText { confirm: string; confirmBody: string; button: string; done: string; doneBody: string; refused: string; malformed: string }

const ACTIONS: Record<Lang, Record<LinkAction, ActionText>> = {
  en: {
    ack: {
      confirm: 'Acknowledge this incident?', confirmBody: 'Acknowledging stops escalation from paging further tiers. Nothing has changed yet.',
      button: 'Acknowledge', done: 'Incident acknowledged', doneBody: 'Escalation has stopped paging further tiers for this incident.',
      refused: 'This link cannot acknowledge anything', malformed: 'This is not an acknowledge link.',
    },
    claim: {
      confirm: 'Claim this incident?', confirmBody: 'Claiming tells everyone you are on it: it acknowledges the incident if nobody has yet, and the timeline records you as handling it. Nothing has changed yet.',
      button: "I'm on it", done: 'You are on it', doneBody: 'The incident is acknowledged and its timeline records you as handling it.',
      refused: 'This link cannot claim anything', malformed: 'This is not a claim link.',
    },
    mute: {
      confirm: 'Hold this incident\'s pages for {d}?', confirmBody: 'For {d} no pages, escalations, SLA reminders or phone calls go out for this incident; a page that falls due meanwhile goes out when the hold ends, if the incident is still not handled. It is not an acknowledgement: the SLA clocks keep running. Nothing has changed yet.',
      button: 'Mute {d}', done: 'Pages held', doneBody: 'No pages for this incident until {until}.',
      refused: 'This link cannot mute anything', malformed: 'This is not a mute link.',
    },
  },
  'zh-CN': {
    ack: {
      confirm: '确认此故障？', confirmBody: '确认后，升级通知将不再通知更高一级。目前尚未作任何更改。',
      button: '确认故障', done: '已确认故障', doneBody: '升级通知已停止，不再通知更高一级。',
      refused: '此链接无法确认故障', malformed: '这不是故障确认链接。',
    },
    claim: {
      confirm: '认领此故障？', confirmBody: '认领即告诉大家由你处理：如尚无人确认，将确认此故障，时间线记录由你处理。目前尚未作任何更改。',
      button: '我来处理', done: '已由你处理', doneBody: '故障已确认，时间线记录由你处理。',
      refused: '此链接无法认领故障', malformed: '这不是故障认领链接。',
    },
    mute: {
      confirm: '暂停此故障的通知 {d}？', confirmBody: '{d}内不再发送此故障的通知、升级、SLA 提醒或电话；期间到期的通知在暂停结束后、故障仍未处理时发送。这不是确认：SLA 计时继续。目前尚未作任何更改。',
      button: '静默 {d}', done: '通知已暂停', doneBody: '{until} 前不再发送此故障的通知。',
      refused: '此链接无法静默故障', malformed: '这不是故障静默链接。',
    },
  },
};

const TEXT = {
  en: {
    already: 'Already acknowledged', resolved: 'Already resolved',
    alreadyBody: 'Someone took this incident before you; nothing changed.',
    resolvedBody: 'This incident is resolved; there is nothing to do.',
    crossSite: 'The request was not sent from this page. Open the link and press the button.',
    reasons: {
      expired: 'The link has expired. Act on the incident on the wall or through the API.',
      'bad-signature': 'The link was altered or signed by another Noctua.',
      malformed: '',
      used: 'This link has already been used once. Act again on the wall or through the API.',
      'not-found': 'The incident no longer exists.',
      unavailable: 'Links in notices are not configured on this Noctua.',
    } satisfies Reasons,
    incident: 'Incident', by: 'Acknowledged by', device: 'Device', rule: 'Rule', severity: 'Severity', state: 'State', age: 'Open for', sentTo: 'Link sent to',
    states: { open: 'open, not acknowledged', acknowledged: 'acknowledged', resolved: 'resolved' },
    units: { d: ' d', h: ' h', min: ' min' },
  },
  'zh-CN': {
    already: '此前已确认', resolved: '故障已恢复',
    alreadyBody: '已有人先确认了此故障，本次未作更改。',
    resolvedBody: '该故障已恢复，无需操作。',
    crossSite: '请求并非来自本页面。请打开链接后点击按钮。',
    reasons: {
      expired: '链接已过期，请在大屏或通过 API 操作。',
      'bad-signature': '链接已被修改，或并非本系统签发。',
      malformed: '',
      used: '此链接已使用过一次。如需再次操作，请在大屏或通过 API 操作。',
      'not-found': '该故障已不存在。',
      unavailable: '本系统未配置通知中的操作链接。',
    } satisfies Reasons,
    incident: '故障编号', by: '确认人', device: '设备', rule: '规则', severity: '级别', state: '状态', age: '已持续', sentTo: '链接发送给',
    states: { open: '未确认', acknowledged: '已确认', resolved: '已恢复' },
    units: { d: ' 天', h: ' 小时', min: ' 分钟' },
  },
} as const;

/** HTTP status for each reason a link is refused. */
export const REFUSAL_STATUS: Record<AckRefusal['reason'], number> = { expired: 410, 'bad-signature': 403, malformed: 400, used: 409, 'not-found': 404, unavailable: 404 };

/** Makes text inert in HTML (element content and quoted attributes). */
export function escapeHtml(s: string): string {
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
export function pickLang(request: FastifyRequest, fallback: Lang): Lang {
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

/** What a page shows: the outcome (or the question), and the incident when the link named one. */
export interface LinkPage {
  lang: Lang; action: LinkAction; now: Date;
  /** confirm: the question with the button; done: acted; already / resolved: nothing to do; refused: why not; cross-site. */
  kind: 'confirm' | 'done' | 'already' | 'resolved' | 'cross-site' | AckRefusal['reason'];
  incident?: IncidentView; recipient?: string; muteForMs?: number; mutedUntil?: Date;
}

/** The words of a page: its tone, title and one sentence. */
function words(p: LinkPage): { tone: 'ok' | 'info' | 'bad' | 'ask'; title: string; body: string } {
  const t = TEXT[p.lang];
  const a = ACTIONS[p.lang][p.action];
  const d = formatOutage(p.muteForMs ?? 3_600_000, p.lang);
  const fill = (s: string) => s.replaceAll('{d}', d).replaceAll('{until}', p.mutedUntil?.toISOString() ?? '');
  switch (p.kind) {
    case 'confirm': return { tone: 'ask', title: fill(a.confirm), body: fill(a.confirmBody) };
    case 'done': return { tone: 'ok', title: a.done, body: fill(a.doneBody) };
    case 'already': return { tone: 'info', title: t.already, body: t.alreadyBody };
    case 'resolved': return { tone: 'info', title: t.resolved, body: t.resolvedBody };
    case 'cross-site': return { tone: 'bad', title: a.refused, body: t.crossSite };
    case 'malformed': return { tone: 'bad', title: a.refused, body: a.malformed };
    default: return { tone: 'bad', title: a.refused, body: t.reasons[p.kind] };
  }
}

/** The whole page as HTML; the form (confirm only) posts back to this very URL, wherever a proxy mounts Noctua. */
export function renderLinkPage(p: LinkPage): string {
  const t = TEXT[p.lang];
  const { tone, title, body } = words(p);
  const colour = { ok: '#1f9d55', info: '#2b6cb0', bad: '#c53030', ask: '#d69e2e' }[tone];
  const inc = p.incident;
  const row = (k: string, v: string) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`;
  const summary = inc ? (inc.alerts[0]?.summary[p.lang] || inc.title) : '';
  const rules = inc ? [...new Set(inc.alerts.map((a) => a.rule))].slice(0, 5).join(', ') : '';
  const facts = inc
    ? '<dl>' + row(t.incident, inc.id) + row(t.device, inc.device ?? '-') + row(t.rule, rules || '-') + row(t.severity, inc.severity) +
      row(t.state, t.states[inc.state]) + row(t.age, age(p.now.getTime() - inc.openedAt.getTime(), p.lang)) +
      (p.recipient ? row(t.sentTo, p.recipient) : '') + (inc.acknowledgedBy ? row(t.by, inc.acknowledgedBy) : '') + '</dl>'
    : '';
  const button = ACTIONS[p.lang][p.action].button.replaceAll('{d}', formatOutage(p.muteForMs ?? 3_600_000, p.lang));
  const form = p.kind === 'confirm' ? `<form method="post"><button type="submit">${escapeHtml(button)}</button></form>` : '';
  return `<!doctype html><html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font:18px/1.5 system-ui,sans-serif;background:#111;color:#eee;margin:0;padding:2em}` +
    `h1{color:${colour};font-size:1.6em}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em}dt{color:#aaa}` +
    `button{font:inherit;font-weight:bold;padding:.6em 2em;border:0;border-radius:.3em;background:#d69e2e;color:#111}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>` +
    (inc ? `<p><strong>${escapeHtml(summary)}</strong></p>${facts}` : '') + form + '</body></html>';
}
