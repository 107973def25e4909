import type { Lang } from '../../../config/lang.js';
import type { IncidentRow } from '../../model/types.js';
import type { Block, SectionContext } from '../blocks.js';

/** Words of the clock pauses and calendars; kept beside them so they are one file. */
const TEXT: Record<Lang, {
  reason: Record<string, string>; paused: (min: string, reasons: string) => string; calendar: (name: string) => string;
  heading: string; col: { id: string; calendar: string; paused: string; reasons: string }; calendars: (names: string) => string;
}> = {
  en: {
    reason: { 'waiting-for-customer': 'waiting for the customer', 'carrier-fault': 'carrier fault', 'spare-part-in-transit': 'spare part in transit', 'maintenance-window': 'maintenance window' },
    paused: (min, reasons) => `paused ${min} min (${reasons})`, calendar: (name) => `calendar ${name}`,
    heading: 'SLA clock pauses', col: { id: 'Incident', calendar: 'Calendar', paused: 'Paused (service time)', reasons: 'Reasons' },
    calendars: (names) => `SLA clocks ran in the service calendar(s): ${names}. Paused time is left out of response and resolution times.`,
  },
  'zh-CN': {
    reason: { 'waiting-for-customer': '等待客户', 'carrier-fault': '运营商故障', 'spare-part-in-transit': '备件运输中', 'maintenance-window': '维护窗口' },
    paused: (min, reasons) => `暂停计时 ${min} 分钟（${reasons}）`, calendar: (name) => `服务日历 ${name}`,
    heading: 'SLA 暂停计时', col: { id: '事件', calendar: '服务日历', paused: '暂停时长（服务时间）', reasons: '原因' },
    calendars: (names) => `SLA 计时所用服务日历：${names}。暂停计时的时间不计入响应与解决时间。`,
  },
};

function reasonsOf(t: (typeof TEXT)[Lang], i: IncidentRow, zh: boolean): string {
  const distinct = [...new Set((i.sla.pauses ?? []).map((p) => t.reason[p.reason] ?? p.reason))];
  return distinct.join(zh ? '、' : ', ');
}

/** The lines an incident row's SLA cell adds: how long its clocks were paused and why, and the calendar when not 7x24. */
export function pauseCellLines({ lang, zh, fmt }: SectionContext, i: IncidentRow): string[] {
  const t = TEXT[lang];
  const out: string[] = [];
  if ((i.sla.pauses?.length ?? 0) > 0) out.push(t.paused(fmt.num((i.sla.pausedMs ?? 0) / 60_000), reasonsOf(t, i, zh)));
  if (i.sla.calendar && i.sla.calendar !== '7x24') out.push(t.calendar(i.sla.calendar));
  return out;
}

/** After the incident table: which calendars the clocks ran in, and every incident whose clocks were paused. */
export function pauseBlocks(ctx: SectionContext): Block[] {
  const incidents = ctx.model.incidents ?? [];
  const t = TEXT[ctx.lang];
  const calendars = [...new Set(incidents.map((i) => i.sla.calendar).filter((c): c is string => c !== undefined))].sort();
  const paused = incidents.filter((i) => (i.sla.pauses?.length ?? 0) > 0);
  const out: Block[] = [];
  if (calendars.length > 0) out.push({ type: 'p', text: t.calendars(calendars.join(ctx.zh ? '、' : ', ')), tone: 'note' });
  if (paused.length === 0) return out;
  const c = t.col;
  out.push({ type: 'h3', text: t.heading }, {
    type: 'table', head: [c.id, c.calendar, c.paused, c.reasons], align: ['l', 'l', 'r', 'l'],
    rows: paused.map((i) => [i.id, i.sla.calendar ?? '7x24', `${ctx.fmt.num((i.sla.pausedMs ?? 0) / 60_000)} min`, reasonsOf(t, i, ctx.zh)]),
  });
  return out;
}
