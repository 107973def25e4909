import type { Lang } from '../../../config/lang.js';
import type { EngineerRow } from '../../model/engineers.js';
import { DASH, type Block, type Cell, type SectionContext } from '../blocks.js';

/** This table's words; kept beside it so the table is one file. */
const TEXT: Record<Lang, { heading: string; note: string; none: string; col: string[]; times: (n: number) => string; sep: string }> = {
  en: {
    heading: 'Engineer figures', none: 'Nobody acknowledged or resolved an incident in this period.',
    note: 'For the service team; generate the customer version (--customer) to leave this table out. Response times are service time in the incident\'s calendar, pauses taken out.',
    col: ['Engineer', 'Acknowledged', 'Response median', 'Response p90', 'Resolved', 'SLA met', 'Paged first', 'Escalated past them'],
    times: (n) => `${n}×`, sep: ', ',
  },
  'zh-CN': {
    heading: '工程师评估', none: '本周期内没有人确认或解决事件。',
    note: '供服务团队内部使用；生成客户版（--customer）时不含此表。响应时间按事件所用服务日历计算，已扣除暂停时间。',
    col: ['工程师', '确认事件', '响应时间中位数', '响应时间 P90', '解决事件', 'SLA 达标率', '首先通知', '升级到上级'],
    times: (n) => `${n} 次`, sep: '、',
  },
};

function cells(t: (typeof TEXT)[Lang], r: EngineerRow, ctx: SectionContext): Cell[] {
  const { fmt } = ctx;
  const pct = r.slaGraded > 0 ? (r.slaMet / r.slaGraded) * 100 : undefined;
  const escalated = Object.entries(r.escalatedTo).map(([tier, n]) => `${tier} ${t.times(n)}`).join(t.sep);
  return [
    r.person, String(r.acknowledged),
    r.responseMedianMs === undefined ? DASH : fmt.duration(r.responseMedianMs),
    r.responseP90Ms === undefined ? DASH : fmt.duration(r.responseP90Ms),
    String(r.resolved),
    pct === undefined ? DASH : { text: `${fmt.pct(pct)} (${r.slaMet}/${r.slaGraded})`, tone: pct < 90 ? 'warn' : undefined },
    String(r.onWatch),
    r.escalated === 0 ? '0' : { text: `${r.escalated} (${escalated})`, tone: 'warn' },
  ];
}

/** Engineer figures (工程师评估): per person, for the service manager; left out of the customer version. */
export function engineerBlocks(ctx: SectionContext): Block[] {
  const rows = ctx.model.engineers;
  if (!rows) return [];
  const t = TEXT[ctx.lang];
  if (rows.length === 0) return [{ type: 'h3', text: t.heading }, { type: 'p', text: t.none }];
  return [
    { type: 'h3', text: t.heading },
    { type: 'p', text: t.note, tone: 'note' },
    { type: 'table', head: t.col, align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'], rows: rows.map((r) => cells(t, r, ctx)) },
  ];
}
