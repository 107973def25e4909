import type { Lang } from '../../../config/lang.js';
import type { Block, SectionContext } from '../blocks.js';

/** Rows of the change list; more are counted, not listed (the per-device table covers them all). */
const MAX_ROWS = 50;

const T: Record<Lang, {
  title: string; notSetUp: string; none: string; perDevice: string; list: string; more: (n: number) => string;
  col: { device: string; versions: string; added: string; removed: string; last: string; time: string; lines: string; trigger: string; by: string };
  first: string; trigger: Record<string, string>;
}> = {
  en: {
    title: 'Configuration changes', notSetUp: 'Configuration backup is not set up (no device has ssh settings in devices.yaml), so configuration changes are not included.',
    none: 'No configuration changed in this period.', perDevice: 'Changes per device', list: 'Every stored version',
    more: (n) => `… and ${n} more versions (see noctua config-diff DEVICE --list).`,
    col: { device: 'Device', versions: 'Versions', added: 'Lines +', removed: 'Lines −', last: 'Last change', time: 'Time', lines: 'Lines', trigger: 'Trigger', by: 'By' },
    first: 'first backup', trigger: { schedule: 'schedule', api: 'API', cli: 'command line', 'config-change': 'device reported a change' },
  },
  'zh-CN': {
    title: '配置变更', notSetUp: '未启用配置备份（devices.yaml 中没有设备配置 ssh），本报告不含配置变更。',
    none: '本周期内没有配置变更。', perDevice: '各设备变更统计', list: '全部配置版本',
    more: (n) => `……另有 ${n} 个版本（见 noctua config-diff 设备 --list）。`,
    col: { device: '设备', versions: '版本数', added: '新增行', removed: '删除行', last: '最近变更', time: '时间', lines: '行数', trigger: '触发方式', by: '操作者' },
    first: '首次备份', trigger: { schedule: '定时', api: 'API', cli: '命令行', 'config-change': '设备上报变更' },
  },
};

/** Configuration changes: the period's versions per device with their +/- line counts, then each version. */
export function configChangeBlocks({ model, lang, fmt }: SectionContext): Block[] {
  const t = T[lang];
  const m = model.configBackup;
  if (!m) return [{ type: 'p', text: t.notSetUp, tone: 'note' }];
  if (m.changes.length === 0) return [{ type: 'p', text: t.none }];
  const blocks: Block[] = [{ type: 'h3', text: t.perDevice }];
  blocks.push(m.perDevice.length === 0 ? { type: 'p', text: t.none } : {
    type: 'table', head: [t.col.device, t.col.versions, t.col.added, t.col.removed, t.col.last], align: ['l', 'r', 'r', 'r', 'l'],
    rows: m.perDevice.map((d) => [d.device, fmt.num(d.versions), { text: `+${fmt.num(d.added)}`, tone: 'good' as const }, { text: `−${fmt.num(d.removed)}`, tone: 'warn' as const }, fmt.dateTime(d.last)]),
  });
  blocks.push({ type: 'h3', text: t.list }, {
    type: 'table', head: [t.col.time, t.col.device, t.col.lines, t.col.trigger, t.col.by], align: ['l', 'l', 'r', 'l', 'l'],
    rows: m.changes.slice(-MAX_ROWS).reverse().map((c) => [
      fmt.dateTime(c.time), c.device, c.first ? t.first : `+${c.added} −${c.removed}`, t.trigger[c.trigger] ?? c.trigger, c.by,
    ]),
  });
  if (m.changes.length > MAX_ROWS) blocks.push({ type: 'p', text: t.more(m.changes.length - MAX_ROWS), tone: 'note' });
  return blocks;
}

/** The section's own title (numbered by its place in the report). */
configChangeBlocks.title = { en: T.en.title, 'zh-CN': T['zh-CN'].title } as Record<Lang, string>;
