/**
 * The daily summary's own sections (日报): the day at a glance with availability per site and class, the
 * day's incidents, the incidents handed over still open, and the devices that gave the most trouble. The
 * remaining sections (events, configuration, assets, recommendations) are the weekly/monthly builders.
 */
import type { Lang } from '../../../config/lang.js';
import type { AvailabilityGroup, CarriedIncident, ClockState } from '../../model/daily.js';
import { THRESHOLDS } from '../../model/thresholds.js';
import { DASH, type Block, type Cell, type SectionContext } from '../blocks.js';
import { findingText } from '../i18n.js';
import { incidentTable } from './incidents.js';
import { pauseBlocks } from './pauses.js';
import { summaryKpis } from './summary.js';

/** The daily sections' words, kept with them (en and zh-CN). */
const TEXT: Record<Lang, {
  titles: { summary: string; incidents: string; carried: string; faulty: string };
  opened: string; acknowledged: string; resolved: string; openAtEnd: string;
  bySite: string; byClass: string; col: { key: string; site: string; class: string; devices: string; availability: string; downtime: string; age: string; response: string; resolution: string; clock: string; incidents: string; events: string; findings: string };
  serviceDay: (cal: string, hours: string) => string; holiday: (cal: string, name: string) => string; makeUp: (cal: string, name: string) => string; closed: (cal: string) => string;
  length: (h: number) => string;
  state: Record<ClockState, string>; due: (at: string) => string; heldByPause: string;
  ran: (d: string) => string; paused: (d: string) => string; calendar: (c: string) => string;
  noneCarried: string; noneFaulty: string; openedToday: string; noneOpened: string;
}> = {
  en: {
    titles: { summary: 'The day at a glance', incidents: "The day's incidents", carried: 'Still open at the end of the day (handed over)', faulty: 'Devices with the most trouble' },
    opened: 'Opened', acknowledged: 'Acknowledged', resolved: 'Resolved', openAtEnd: 'Open at day end',
    bySite: 'Availability per site', byClass: 'Availability per device class',
    col: { key: '', site: 'Site', class: 'Class', devices: 'Devices (with data)', availability: 'Availability', downtime: 'Downtime', age: 'Age', response: 'Response', resolution: 'Resolution', clock: 'SLA clock', incidents: 'Incidents', events: 'Events', findings: 'Findings' },
    serviceDay: (cal, hours) => `A service day in calendar ${cal}: ${hours} of service hours.`,
    holiday: (cal, name) => `A public holiday (${name}) in calendar ${cal}: SLA clocks in it did not run.`,
    makeUp: (cal, name) => `A make-up working day for ${name} in calendar ${cal}: SLA clocks in it ran.`,
    closed: (cal) => `No service hours in calendar ${cal} (weekend or closure): SLA clocks in it did not run.`,
    length: (h) => `This day was ${h} hours long (daylight-saving switch).`,
    state: { met: 'met', breached: 'breached', running: 'running', paused: 'paused', 'not-graded': 'not graded' },
    due: (at) => `due ${at}`, heldByPause: 'held by a pause',
    ran: (d) => `service time run ${d}`, paused: (d) => `paused ${d}`, calendar: (c) => `calendar ${c}`,
    noneCarried: 'No incident was open at the end of the day.', noneFaulty: 'No device had incidents, events or findings on this day.',
    openedToday: 'Opened on this day', noneOpened: 'No incident was opened on this day.',
  },
  'zh-CN': {
    titles: { summary: '当日概况', incidents: '当日故障事件', carried: '日终未关闭事件（交接）', faulty: '故障较多的设备' },
    opened: '新发生', acknowledged: '已确认', resolved: '已恢复', openAtEnd: '日终未关闭',
    bySite: '各站点可用率', byClass: '各类设备可用率',
    col: { key: '', site: '站点', class: '设备类型', devices: '设备数（有数据）', availability: '可用率', downtime: '中断时长', age: '已持续', response: '响应', resolution: '解决', clock: 'SLA 计时', incidents: '故障数', events: '事件数', findings: '发现问题' },
    serviceDay: (cal, hours) => `服务日历 ${cal} 中为服务日，服务时长 ${hours}。`,
    holiday: (cal, name) => `服务日历 ${cal} 中为法定节假日（${name}），SLA 不计时。`,
    makeUp: (cal, name) => `服务日历 ${cal} 中为调休工作日（${name}），SLA 正常计时。`,
    closed: (cal) => `服务日历 ${cal} 中本日无服务时间（周末或停止服务），SLA 不计时。`,
    length: (h) => `本日共 ${h} 小时（夏令时切换日）。`,
    state: { met: '达标', breached: '超时', running: '计时中', paused: '暂停计时', 'not-graded': '不考核' },
    due: (at) => `截止 ${at}`, heldByPause: '暂停中，截止时间顺延',
    ran: (d) => `已计服务时间 ${d}`, paused: (d) => `暂停 ${d}`, calendar: (c) => `服务日历 ${c}`,
    noneCarried: '日终无未关闭的故障事件。', noneFaulty: '本日无设备发生故障、事件或异常。',
    openedToday: '本日新发生', noneOpened: '本日无新发生的故障事件。',
  },
};

function groupTable(ctx: SectionContext, heading: string, keyHead: string, groups: readonly AvailabilityGroup[]): Block[] {
  const { fmt, pct3 } = ctx;
  const c = TEXT[ctx.lang].col;
  if (groups.length === 0) return [];
  return [{ type: 'h3', text: heading }, {
    type: 'table', head: [keyHead, c.devices, c.availability, c.downtime], align: ['l', 'r', 'r', 'r'],
    rows: groups.map((g) => [g.key, `${g.devices} (${g.withData})`,
      { text: pct3(g.availabilityPct), tone: g.availabilityPct === undefined ? 'muted' : g.availabilityPct < THRESHOLDS.availabilityPct ? 'warn' : undefined },
      g.downtimeMs === undefined ? DASH : fmt.duration(g.downtimeMs)]),
  }];
}

/** What the service calendar says of the day, and a day that was not 24 hours long. */
function dayNotes(ctx: SectionContext): Block[] {
  const t = TEXT[ctx.lang];
  const d = ctx.model.daily!;
  const out: Block[] = [];
  const sd = d.serviceDay;
  if (sd) {
    const text = sd.holiday !== undefined ? t.holiday(sd.calendar, sd.holiday)
      : sd.serviceMs === 0 ? t.closed(sd.calendar)
        : sd.makeUpFor !== undefined ? t.makeUp(sd.calendar, sd.makeUpFor) : t.serviceDay(sd.calendar, ctx.fmt.duration(sd.serviceMs));
    out.push({ type: 'p', text, tone: 'note' });
  }
  if (d.lengthMs !== 86_400_000) out.push({ type: 'p', text: t.length(d.lengthMs / 3_600_000), tone: 'note' });
  return out;
}

/** 1. The day at a glance: the headline numbers, the day's incident counts, availability per site and class. */
export function dailySummaryBlocks(ctx: SectionContext): Block[] {
  const { model, s, fmt } = ctx;
  const t = TEXT[ctx.lang];
  const d = model.daily!;
  const blocks: Block[] = [];
  if (!model.hasData) blocks.push(ctx.noDataNote);
  blocks.push(...dayNotes(ctx), summaryKpis(ctx));
  if (d.incidents) {
    const n = d.incidents;
    blocks.push({ type: 'kpis', items: [
      { label: t.opened, value: fmt.num(n.opened) }, { label: t.acknowledged, value: fmt.num(n.acknowledged) },
      { label: t.resolved, value: fmt.num(n.resolved) }, { label: t.openAtEnd, value: fmt.num(n.openAtEnd), tone: n.openAtEnd > 0 ? 'warn' : 'good' },
    ] });
  } else blocks.push({ type: 'p', text: s.notConnected, tone: 'note' });
  // Without samples there is no availability to show: the note above says so, rather than a table of dashes.
  if (model.hasData) blocks.push(...groupTable(ctx, t.bySite, t.col.site, d.bySite), ...groupTable(ctx, t.byClass, t.col.class, d.byClass));
  return blocks;
}
dailySummaryBlocks.title = { en: TEXT.en.titles.summary, 'zh-CN': TEXT['zh-CN'].titles.summary } as Record<Lang, string>;

/** 2. The incidents opened on the day, with their SLA grades and pauses. */
export function dailyIncidentBlocks(ctx: SectionContext): Block[] {
  const t = TEXT[ctx.lang];
  const list = ctx.model.incidents;
  if (!list) return incidentTable(ctx);
  const opened = list.filter((i) => i.openedInPeriod);
  if (opened.length === 0) return [{ type: 'p', text: t.noneOpened }];
  return [...incidentTable(ctx, opened), ...pauseBlocks(ctx)];
}
dailyIncidentBlocks.title = { en: TEXT.en.titles.incidents, 'zh-CN': TEXT['zh-CN'].titles.incidents } as Record<Lang, string>;

function clockCell(ctx: SectionContext, state: ClockState, due: Date | undefined): Cell {
  const t = TEXT[ctx.lang];
  const lines = [t.state[state]];
  if (state === 'running') lines.push(due ? t.due(ctx.fmt.dateTime(due)) : t.heldByPause);
  if (state === 'paused') lines.push(t.heldByPause);
  return { text: lines.join('\n'), tone: state === 'breached' ? 'bad' : state === 'met' ? 'good' : state === 'paused' ? 'muted' : undefined };
}

function carriedRow(ctx: SectionContext, c: CarriedIncident): Cell[] {
  const { lang, fmt } = ctx;
  const t = TEXT[lang];
  const i = c.row;
  const g = i.sla;
  const clock = [t.calendar(g.calendar ?? '7x24')];
  if (g.serviceElapsedMs !== undefined) clock.push(t.ran(fmt.duration(g.serviceElapsedMs)));
  if (g.pausedMs) clock.push(t.paused(fmt.duration(g.pausedMs)));
  return [
    i.id,
    { text: i.severity, tone: i.severity === 'P1' ? 'bad' : i.severity === 'P2' ? 'warn' : undefined },
    `${i.titles?.[lang] ?? i.title}${i.device ? `\n${i.device}` : ''}${i.openedInPeriod ? `\n(${t.openedToday})` : ''}`,
    fmt.dateTime(i.openedAt),
    fmt.duration(c.ageMs),
    clockCell(ctx, c.response, g.respondBy),
    clockCell(ctx, c.resolution, g.resolveBy),
    clock.join('\n'),
  ];
}

/** 3. The incidents still open at the end of the day: age, where each SLA clock stands, in which calendar. */
export function carriedOverBlocks(ctx: SectionContext): Block[] {
  const { s } = ctx;
  const t = TEXT[ctx.lang];
  const list = ctx.model.daily!.carriedOver;
  if (!list) return [{ type: 'p', text: s.notConnected, tone: 'note' }];
  if (list.length === 0) return [{ type: 'p', text: t.noneCarried }];
  const c = t.col;
  return [{
    type: 'table', variant: 'incidents', head: [s.col.id, s.col.severity, s.col.title, s.col.opened, c.age, c.response, c.resolution, c.clock],
    align: ['c', 'c', 'l', 'l', 'r', 'l', 'l', 'l'], rows: list.map((x) => carriedRow(ctx, x)),
  }];
}
carriedOverBlocks.title = { en: TEXT.en.titles.carried, 'zh-CN': TEXT['zh-CN'].titles.carried } as Record<Lang, string>;

/** 4. The devices with the most incidents, events and findings on the day. */
export function topFaultyBlocks(ctx: SectionContext): Block[] {
  const { model, fmt } = ctx;
  const t = TEXT[ctx.lang];
  const list = model.daily!.topFaulty;
  if (list.length === 0) return [model.hasData ? { type: 'p', text: t.noneFaulty } : ctx.noDataNote];
  const c = t.col;
  return [{
    type: 'table', head: [ctx.s.col.device, c.site, c.incidents, c.events, c.findings], align: ['l', 'l', 'r', 'r', 'l'],
    rows: list.map((f) => [f.device, f.site || DASH, fmt.num(f.incidents), fmt.num(f.events), f.findings.length === 0 ? DASH : f.findings.map((x) => findingText(fmt, x)).join(ctx.zh ? '；' : '; ')]),
  }];
}
topFaultyBlocks.title = { en: TEXT.en.titles.faulty, 'zh-CN': TEXT['zh-CN'].titles.faulty } as Record<Lang, string>;

/** The hand-over section's words (en and zh-CN). */
const HANDOVER: Record<Lang, { title: string; schedule: string; holder: string; until: string; next: string; override: string; none: string }> = {
  en: { title: 'On-call hand-over', schedule: 'Schedule', holder: 'On call at day end', until: 'Until', next: 'Takes over', override: 'override', none: 'notify.yaml has no on-call schedules.' },
  'zh-CN': { title: '值班交接', schedule: '值班表', holder: '日终值班人', until: '值班至', next: '接班人', override: '临时调整', none: 'notify.yaml 中未配置值班表。' },
};

/** 5. Who held each on-call schedule as the day ended, until when, and who takes it over (escalation's rotation). */
export function handOverBlocks(ctx: SectionContext): Block[] {
  const t = HANDOVER[ctx.lang];
  const list = ctx.model.daily!.handOver;
  if (!list) return [{ type: 'p', text: t.none, tone: 'note' }];
  return [{
    type: 'table', head: [t.schedule, t.holder, t.until, t.next], align: ['l', 'l', 'l', 'l'],
    rows: list.map((h) => [h.schedule, h.override ? `${h.holder} (${t.override})` : h.holder, ctx.fmt.dateTime(h.until), h.next || DASH]),
  }];
}
handOverBlocks.title = { en: HANDOVER.en.title, 'zh-CN': HANDOVER['zh-CN'].title } as Record<Lang, string>;
