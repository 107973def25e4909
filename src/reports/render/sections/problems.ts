import type { Lang } from '../../../config/lang.js';
import type { ProblemRow } from '../../model/types.js';
import { DASH, type Block, type Cell, type SectionContext } from '../blocks.js';

/** This list's words; kept beside it so the list is one file. */
const TEXT: Record<Lang, {
  heading: string; none: string;
  col: { id: string; device: string; rule: string; state: string; inPeriod: string; total: string; fix: string; cause: string };
  state: { open: string; closed: string }; reopened: (n: number) => string; fix: Record<string, string>;
}> = {
  en: {
    heading: 'Recurring problems', none: 'No device had recurring incidents in this period.',
    col: { id: 'Problem', device: 'Device', rule: 'Rule', state: 'State', inPeriod: 'Incidents in period', total: 'Incidents in all', fix: 'Fix status', cause: 'Root cause / workaround' },
    state: { open: 'open', closed: 'closed' }, reopened: (n) => `reopened ${n}×`,
    fix: { investigating: 'investigating', 'known-error': 'known error', 'fix-planned': 'fix planned', fixed: 'fixed', 'wont-fix': "won't fix" },
  },
  'zh-CN': {
    heading: '重复发生的问题', none: '本周期内没有设备反复发生事件。',
    col: { id: '问题编号', device: '设备', rule: '规则', state: '状态', inPeriod: '本期事件数', total: '累计事件数', fix: '处理状态', cause: '根本原因 / 临时措施' },
    state: { open: '处理中', closed: '已关闭' }, reopened: (n) => `重新打开 ${n} 次`,
    fix: { investigating: '调查中', 'known-error': '已知错误', 'fix-planned': '已计划修复', fixed: '已修复', 'wont-fix': '不予修复' },
  },
};

function row(t: (typeof TEXT)[Lang], p: ProblemRow): Cell[] {
  const cause = [p.rootCause, p.workaround].filter(Boolean).join('\n');
  return [
    p.id, p.site ? `${p.device}\n${p.site}` : p.device, p.rule ?? DASH,
    { text: `${t.state[p.state]}${p.reopened > 0 ? `\n${t.reopened(p.reopened)}` : ''}`, tone: p.state === 'open' ? 'warn' : undefined },
    String(p.incidentsInPeriod), String(p.incidentTimes.length), t.fix[p.fixStatus] ?? p.fixStatus, cause || DASH,
  ];
}

/** Recurring problems (问题管理): the problem records of the period, with what is known of their causes. */
export function recurringProblemBlocks({ model, lang }: SectionContext): Block[] {
  if (!model.problems) return [];
  const t = TEXT[lang];
  if (model.problems.length === 0) return [{ type: 'h3', text: t.heading }, { type: 'p', text: t.none }];
  const c = t.col;
  return [{ type: 'h3', text: t.heading }, {
    type: 'table', head: [c.id, c.device, c.rule, c.state, c.inPeriod, c.total, c.fix, c.cause], align: ['l', 'l', 'l', 'l', 'r', 'r', 'l', 'l'],
    rows: model.problems.map((p) => row(t, p)),
  }];
}
