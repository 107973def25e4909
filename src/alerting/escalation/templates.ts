import { z } from 'zod';
import type { Notice, NoticeKind } from './notice.js';
import { type Lang } from '../../config/lang.js';

/**
 * How a channel writes text. Values from devices, config and people are escaped for it when they are
 * filled in; Noctua's own links and mentions are written as live markup (implementations: notifiers/markup.ts).
 */
export interface Markup {
  /** Makes a value inert text in this markup: one line, no live link, mention, heading or formatting. */
  escape(value: string): string;
  /** One of Noctua's own links (acknowledge, dashboard, report), live in this markup. */
  link(url: string, text: string): string;
  /** What separates the lines of a body (chat markdown needs an empty line for a break). */
  lineBreak: string;
}

/**
 * What a template variable is filled with: a value (from a device, the config or a person; escaped for the
 * channel when filled in) or markup Noctua wrote itself (kept as is).
 */
export type Filling = { value: string } | { markup: string };
const value = (v: string): Filling => ({ value: v });
const own = (m: string): Filling => ({ markup: m });

/** Mentions a recipient in the channel's own syntax (markup, kept raw); undefined writes the display name as a value. */
export type Mention = (r: Notice['recipients'][number]) => string | undefined;

/** A user's template for one kind of notice in one language; either part may be left to the built-in text. */
export interface TemplateText { title?: string; body?: string }
/** Per-kind, per-locale template overrides of one channel. */
export type TemplateOverrides = Partial<Record<NoticeKind, Partial<Record<Lang, TemplateText>>>>;

/** Variables a template may use as `{{name}}`. */
export const TEMPLATE_VARIABLES = [
  'kind', 'severity', 'severityName', 'title', 'device', 'site', 'what', 'since', 'sinceUtc', 'tier', 'step', 'repeat',
  'recipients', 'mentions', 'acknowledgedBy', 'acknowledgedAt', 'resolvedAt', 'outage', 'deadlineKind', 'deadline',
  'ackLink', 'ackUrl', 'claimLink', 'claimUrl', 'muteLink', 'muteUrl', 'actionLinks', 'dashboardLink', 'dashboardUrl', 'incident', 'alertCount', 'period', 'verdict', 'reportLink', 'reportUrl',
  'configChange', 'runbookLink', 'runbookUrl',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const SEVERITY_NAMES: Record<Lang, Record<string, string>> = {
  en: { P1: 'urgent', P2: 'important', P3: 'general', P4: 'minor' },
  'zh-CN': { P1: '紧急', P2: '重要', P3: '一般', P4: '次要' },
};

const TITLES: Record<NoticeKind, Record<Lang, string>> = {
  opened: { en: '[{{severity}} FAULT] {{title}}', 'zh-CN': '【{{severity}} 故障】{{title}}' },
  escalated: { en: '[{{severity}} ESCALATED to {{tier}}] {{title}}', 'zh-CN': '【{{severity}} 升级至{{tier}}】{{title}}' },
  acknowledged: { en: '[{{severity}} ACKNOWLEDGED by {{acknowledgedBy}}] {{title}}', 'zh-CN': '【{{severity}} 已确认：{{acknowledgedBy}}】{{title}}' },
  resolved: { en: '[RECOVERED after {{outage}}] {{title}}', 'zh-CN': '【已恢复，故障时长 {{outage}}】{{title}}' },
  'sla-reminder': { en: '[{{severity}} SLA] {{deadlineKind}} deadline at {{deadline}}: {{title}}', 'zh-CN': '【{{severity}} SLA 提醒】{{deadlineKind}}时限 {{deadline}}：{{title}}' },
  report: { en: '[REPORT] {{title}}', 'zh-CN': '【报告】{{title}}' },
};

const FACTS: Record<Lang, string> = {
  en: 'Severity: {{severity}} ({{severityName}})\nDevice: {{device}}\nSite: {{site}}\nWhat is wrong: {{what}}\nSince: {{since}}',
  'zh-CN': '级别：{{severity}}（{{severityName}}）\n设备：{{device}}\n站点：{{site}}\n故障内容：{{what}}\n开始时间：{{since}}',
};

const BODIES: Record<NoticeKind, Record<Lang, string>> = {
  opened: {
    en: `${FACTS.en}\n{{configChange}}\nNotified: {{mentions}}\n{{actionLinks}}  {{dashboardLink}}  {{runbookLink}}`,
    'zh-CN': `${FACTS['zh-CN']}\n{{configChange}}\n通知：{{mentions}}\n{{actionLinks}}  {{dashboardLink}}  {{runbookLink}}`,
  },
  escalated: {
    en: `Not handled in time, escalated to {{tier}} (step {{step}}).\n${FACTS.en}\nNotified: {{mentions}}\n{{actionLinks}}  {{dashboardLink}}  {{runbookLink}}`,
    'zh-CN': `未及时处理，已升级至{{tier}}（第 {{step}} 级）。\n${FACTS['zh-CN']}\n通知：{{mentions}}\n{{actionLinks}}  {{dashboardLink}}  {{runbookLink}}`,
  },
  acknowledged: {
    en: `Acknowledged by {{acknowledgedBy}} at {{acknowledgedAt}}.\n${FACTS.en}\n{{dashboardLink}}  {{runbookLink}}`,
    'zh-CN': `{{acknowledgedBy}} 已于 {{acknowledgedAt}} 确认。\n${FACTS['zh-CN']}\n{{dashboardLink}}  {{runbookLink}}`,
  },
  resolved: {
    en: `Recovered at {{resolvedAt}} after an outage of {{outage}}.\n${FACTS.en}\n{{dashboardLink}}`,
    'zh-CN': `已于 {{resolvedAt}} 恢复，故障时长 {{outage}}。\n${FACTS['zh-CN']}\n{{dashboardLink}}`,
  },
  'sla-reminder': {
    en: `The {{deadlineKind}} deadline is at {{deadline}} and the incident is still not handled.\n${FACTS.en}\nNotified: {{mentions}}\n{{actionLinks}}  {{dashboardLink}}  {{runbookLink}}`,
    'zh-CN': `{{deadlineKind}}时限为 {{deadline}}，故障仍未处理。\n${FACTS['zh-CN']}\n通知：{{mentions}}\n{{actionLinks}}  {{dashboardLink}}  {{runbookLink}}`,
  },
  report: {
    en: 'The report for {{period}} is ready.\nVerdict: {{verdict}}\n{{reportLink}}',
    'zh-CN': '{{period}} 报告已生成。\n巡检结论：{{verdict}}\n{{reportLink}}',
  },
};

const VERDICTS: Record<Lang, Record<'normal' | 'abnormal' | 'no-data', (n: number) => string>> = {
  en: { normal: () => 'normal', abnormal: (n) => `abnormal, ${n} device${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} attention`, 'no-data': () => 'no data for the period' },
  'zh-CN': { normal: () => '正常', abnormal: (n) => `异常，${n} 台设备需关注`, 'no-data': () => '本期无数据' },
};

/** The words of Noctua's own links and buttons (`mute` is followed by how long). */
export const LINK_TEXT: Record<Lang, { ack: string; claim: string; mute: string; dashboard: string; report: string; diff: string; runbook: string }> = {
  en: { ack: 'Acknowledge', claim: "I'm on it", mute: 'Mute', dashboard: 'Dashboard', report: 'Open the report', diff: 'diff', runbook: 'Runbook' },
  'zh-CN': { ack: '确认故障', claim: '我来处理', mute: '静默', dashboard: '查看面板', report: '查看报告', diff: '查看差异', runbook: '处置手册' },
};

/** "Configuration changed 5 min before on core-sw (+3 -1 lines) [diff]", one per change, in the notice's language. */
function configChangeText(notice: Notice, markup: Markup): string {
  const en = notice.locale === 'en';
  return (notice.configChanges ?? []).map((c) => {
    const link = c.link ? ` ${markup.link(c.link, LINK_TEXT[notice.locale].diff)}` : '';
    const dev = markup.escape(c.device);
    return en
      ? `Configuration changed ${c.minutesBefore} min before on ${dev} (+${c.added} -${c.removed} lines, ${c.commit.slice(0, 10)})${link}`
      : `故障前 ${c.minutesBefore} 分钟配置有变更：${dev}（+${c.added} -${c.removed} 行，${c.commit.slice(0, 10)}）${link}`;
  }).join('\n');
}

/** "Mute 1h" / "静默 1小时": the mute link's words with the hold's length. */
export function muteText(locale: Lang, muteForMs: number | undefined): string {
  return `${LINK_TEXT[locale].mute} ${formatOutage(muteForMs ?? 3_600_000, locale)}`;
}

const DEADLINE_KIND: Record<Lang, Record<'response' | 'resolution', string>> = {
  en: { response: 'response', resolution: 'resolution' },
  'zh-CN': { response: '响应', resolution: '解决' },
};

/** "1h 5m" / "1小时5分" for an outage length; seconds only under a minute. */
export function formatOutage(ms: number, locale: Lang): string {
  const totalS = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(totalS / 86400), h = Math.floor((totalS % 86400) / 3600), m = Math.floor((totalS % 3600) / 60), s = totalS % 60;
  const units = locale === 'en' ? ['d', 'h', 'm', 's'] : ['天', '小时', '分', '秒'];
  const parts = [[d, units[0]], [h, units[1]], [m, units[2]]].filter(([n]) => (n as number) > 0).map(([n, u]) => `${n as number}${u as string}`);
  if (parts.length === 0) return `${s}${units[3]!}`;
  return parts.join(locale === 'en' ? ' ' : '');
}

/** A time as people in the NOC read it: local date and time in the configured zone, with the zone's offset. */
export function formatLocalTime(iso: string | undefined, timezone: string): string {
  if (!iso) return '-';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'shortOffset',
  }).formatToParts(new Date(iso));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}:${p('second')} ${p('timeZoneName')}`;
}

/** Every template variable's filling for one notice; composite ones are built from escaped values and Noctua's words. */
export function templateValues(notice: Notice, markup: Markup, mention?: Mention): Record<TemplateVariable, Filling> {
  const { incident: inc, locale } = notice;
  const firing = inc.alerts.filter((a) => a.state !== 'resolved');
  const shown = (firing.length > 0 ? firing : inc.alerts);
  // Alerts left out of a notice to bound its size (omittedAlerts) count as more, too.
  const more = Math.max(0, shown.length - 5) + (inc.omittedAlerts ?? 0);
  const what = shown.length === 0
    ? markup.escape(inc.title)
    : shown.slice(0, 5).map((a) => markup.escape(a.summary || a.rule)).join('; ') + (more > 0 ? (locale === 'en' ? ` (+${more} more)` : `（另有 ${more} 项）`) : '');
  const words = LINK_TEXT[locale];
  const link = (url: string | undefined, text: string) => own(url ? markup.link(url, text) : '');
  const names = notice.recipients.map((r) => markup.escape(r.displayName));
  // Once acknowledged or resolved there is nothing left to act on from the notice.
  const actionable = notice.kind !== 'resolved' && notice.kind !== 'acknowledged';
  const actionLink = (url: string | undefined, text: string) => (actionable ? link(url, text) : own(''));
  const actions = [
    actionLink(notice.links.ack, words.ack), actionLink(notice.links.claim, words.claim), actionLink(notice.links.mute, muteText(locale, notice.muteForMs)),
  ].map((f) => ('markup' in f ? f.markup : '')).filter((m) => m !== '');
  return {
    kind: own(notice.kind),
    severity: own(inc.severity),
    severityName: own(SEVERITY_NAMES[locale][inc.severity] ?? inc.severity),
    title: value(inc.title),
    device: value(inc.device ?? '-'),
    site: value(inc.site ?? '-'),
    what: own(what),
    since: own(formatLocalTime(inc.openedAt, notice.timezone)),
    sinceUtc: own(inc.openedAt),
    tier: value(notice.tier ?? ''),
    step: own(notice.step === undefined ? '' : String(notice.step + 1)),
    repeat: own(String(notice.repeat ?? 0)),
    recipients: own(names.join(', ') || '-'),
    mentions: own(notice.recipients.map((r, i) => mention?.(r) ?? names[i]!).join(' ') || '-'),
    acknowledgedBy: value(inc.acknowledgedBy ?? '-'),
    acknowledgedAt: own(formatLocalTime(inc.acknowledgedAt, notice.timezone)),
    resolvedAt: own(formatLocalTime(inc.resolvedAt, notice.timezone)),
    outage: own(formatOutage(notice.outageMs ?? 0, locale)),
    deadlineKind: own(notice.deadline ? DEADLINE_KIND[locale][notice.deadline.kind] : ''),
    deadline: own(formatLocalTime(notice.deadline?.at, notice.timezone)),
    ackLink: actionLink(notice.links.ack, words.ack),
    ackUrl: own(notice.links.ack ?? ''),
    claimLink: actionLink(notice.links.claim, words.claim),
    claimUrl: own(notice.links.claim ?? ''),
    muteLink: actionLink(notice.links.mute, muteText(locale, notice.muteForMs)),
    muteUrl: own(notice.links.mute ?? ''),
    actionLinks: own(actions.join('  ')),
    dashboardLink: link(notice.links.dashboard, words.dashboard),
    dashboardUrl: own(notice.links.dashboard ?? ''),
    incident: value(inc.id),
    alertCount: own(String(inc.alerts.length + (inc.omittedAlerts ?? 0))),
    period: value(notice.report?.period ?? ''),
    verdict: own(notice.report ? VERDICTS[locale][notice.report.verdict](notice.report.attentionCount) : ''),
    reportLink: link(notice.links.report, words.report),
    reportUrl: own(notice.links.report ?? ''),
    configChange: own(configChangeText(notice, markup)),
    runbookLink: link(notice.links.runbook, words.runbook),
    runbookUrl: own(notice.links.runbook ?? ''),
  };
}

/** Names used in a template that are not template variables (checked at config load). */
export function unknownTemplateVariables(template: string): string[] {
  const known = new Set<string>(TEMPLATE_VARIABLES);
  return [...template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!).filter((n) => !known.has(n));
}

/** Fills a template: a value is escaped for the channel's markup here, at the point it enters the text; markup is kept. */
function fill(template: string, fillings: Record<string, Filling>, markup: Markup): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, n: string) => {
    const f = fillings[n];
    if (!f) return '';
    return 'markup' in f ? f.markup : markup.escape(f.value);
  });
}

/** Renders a notice's title and body: the channel's override for its kind and locale, else the built-in text. */
export function renderNotice(notice: Notice, markup: Markup, overrides?: TemplateOverrides, mention?: Mention): { title: string; body: string } {
  const fillings = templateValues(notice, markup, mention);
  const mine = overrides?.[notice.kind]?.[notice.locale];
  const title = fill(mine?.title ?? TITLES[notice.kind][notice.locale], fillings, markup).trim();
  const rawBody = fill(mine?.body ?? BODIES[notice.kind][notice.locale], fillings, markup);
  // Empty links leave blank lines behind; chat clients show them as gaps.
  const body = rawBody.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').join(markup.lineBreak);
  return { title, body };
}

/**
 * Cuts text to at most `maxBytes` of UTF-8 without splitting a character, marking the cut,
 * because chat services reject (not trim) messages over their documented size.
 */
export function fitBytes(text: string, maxBytes: number, marker = ' …(truncated)'): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'));
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > room) break;
    out += ch;
    used += n;
  }
  return out + marker;
}

const templateString = z.string().superRefine((s, ctx) => {
  const unknown = unknownTemplateVariables(s);
  if (unknown.length > 0) {
    ctx.addIssue({ code: 'custom', message: `unknown template variable ${unknown.map((u) => `{{${u}}}`).join(', ')} (expected one of: ${TEMPLATE_VARIABLES.join(', ')})` });
  }
});
const templateText = z.strictObject({ title: templateString.optional(), body: templateString.optional() });
const perLocale = z.strictObject({ en: templateText.optional(), 'zh-CN': templateText.optional() });

/** `templates:` of a channel: per notice kind, per locale, a title and/or body with `{{variables}}`. */
export const templateOverridesSchema = z.strictObject({
  opened: perLocale.optional(), escalated: perLocale.optional(), acknowledged: perLocale.optional(),
  resolved: perLocale.optional(), 'sla-reminder': perLocale.optional(), report: perLocale.optional(),
});
