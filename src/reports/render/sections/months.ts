import type { Lang } from '../../../config/lang.js';
import type { MonthRow } from '../../model/months.js';
import { DASH, type Block, type Cell, type SectionContext } from '../blocks.js';

/** This table's words; kept beside it so the table is one file. */
const TEXT: Record<Lang, {
  heading: string; note: string; noData: string;
  col: { month: string; availability: string; devices: string; incidents: string; response: string; resolution: string; cpu: string; memory: string; link: string };
}> = {
  en: {
    heading: 'Month by month',
    note: 'Months older than the raw retention are read from the 5-minute downsampled data: availability is then counted in 5-minute buckets (a bucket is down when no reply came back in it).',
    noData: 'no data',
    col: { month: 'Month', availability: 'Availability', devices: 'Devices', incidents: 'Incidents', response: 'Response SLA met', resolution: 'Resolution SLA met', cpu: 'CPU peak', memory: 'Memory peak', link: 'Link peak' },
  },
  'zh-CN': {
    heading: '逐月统计',
    note: '早于原始数据保留期的月份取自 5 分钟降采样数据：此时可用率按 5 分钟时段计算（某时段内无任何应答即计为中断）。',
    noData: '无数据',
    col: { month: '月份', availability: '可用率', devices: '设备数', incidents: '事件数', response: '响应达标率', resolution: '解决达标率', cpu: 'CPU 峰值', memory: '内存峰值', link: '链路峰值' },
  },
};

function row(ctx: SectionContext, t: (typeof TEXT)[Lang], m: MonthRow): Cell[] {
  const { pct1, pct3 } = ctx;
  if (!m.hasData && m.incidents === undefined) return [m.month, { text: t.noData, tone: 'muted' }, DASH, DASH, DASH, DASH, DASH, DASH, DASH];
  return [
    m.month, m.hasData ? pct3(m.availabilityPct) : { text: t.noData, tone: 'muted' }, String(m.devices),
    m.incidents === undefined ? DASH : String(m.incidents), pct1(m.responseCompliancePct), pct1(m.resolutionCompliancePct),
    pct1(m.cpuPeakPct), pct1(m.memoryPeakPct), pct1(m.interfacePeakPct),
  ];
}

/** The yearly report's month-by-month table (年报); nothing in any other report. */
export function monthBlocks(ctx: SectionContext): Block[] {
  const months = ctx.model.months;
  if (!months) return [];
  const t = TEXT[ctx.lang];
  const c = t.col;
  return [{ type: 'h3', text: t.heading }, {
    type: 'table', head: [c.month, c.availability, c.devices, c.incidents, c.response, c.resolution, c.cpu, c.memory, c.link],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'], rows: months.map((m) => row(ctx, t, m)),
  }, { type: 'p', text: t.note, tone: 'note' }];
}
