import type { Lang } from '../../../config/lang.js';
import type { Block, SectionContext } from '../blocks.js';

/** This section's words, kept with it (en and zh-CN). */
const TEXT: Record<Lang, {
  total: string; traps: string; syslog: string; polls: string; heldBack: string; devices: string;
  byType: string; talkers: string; col: { type: string; events: string; devices: string; device: string; traps: string; syslog: string; topType: string; heldBack: string };
  none: string; notCounted: string; stormNote: (n: string) => string;
}> = {
  en: {
    total: 'Events', traps: 'SNMP traps', syslog: 'Syslog', polls: 'Found by polls', heldBack: 'Held back in storms', devices: 'Devices sending',
    byType: 'Events by type', talkers: 'Top talkers',
    col: { type: 'Type', events: 'Events', devices: 'Devices', device: 'Device', traps: 'Traps', syslog: 'Syslog', topType: 'Most frequent type', heldBack: 'Held back' },
    none: 'No trap, syslog or poll events in this period.',
    notCounted: 'Events are not counted by this report source.',
    stormNote: (n) => `${n} events came in storms (a flapping port, a chatty device) and were counted, not paged one by one.`,
  },
  'zh-CN': {
    total: '事件总数', traps: 'SNMP Trap', syslog: 'Syslog', polls: '轮询发现', heldBack: '风暴抑制', devices: '发送设备数',
    byType: '按类型统计', talkers: '事件最多的设备',
    col: { type: '类型', events: '事件数', devices: '设备数', device: '设备', traps: 'Trap', syslog: 'Syslog', topType: '最多的类型', heldBack: '抑制数' },
    none: '本周期内没有 Trap、Syslog 或轮询事件。',
    notCounted: '本报告数据源不统计事件。',
    stormNote: (n) => `其中 ${n} 条事件属于事件风暴（端口震荡、设备频繁上报），已合并计数，未逐条告警。`,
  },
};

/** 9. Events: counts by source and type, and the devices that sent the most (traps, syslog, poll findings). */
export function eventBlocks({ model, lang, fmt, noDataNote }: SectionContext): Block[] {
  const t = TEXT[lang];
  const e = model.events;
  if (!e) return [{ type: 'p', text: t.notCounted, tone: 'note' }];
  if (e.total === 0) return model.hasData ? [{ type: 'p', text: t.none }] : [noDataNote];
  const n = (v: number) => fmt.num(v);
  const blocks: Block[] = [
    { type: 'kpis', items: [
      { label: t.total, value: n(e.total), sub: `${t.devices} ${n(e.devices)}` },
      { label: t.traps, value: n(e.bySource.trap) },
      { label: t.syslog, value: n(e.bySource.syslog) },
      { label: t.polls, value: n(e.bySource.poll) },
      { label: t.heldBack, value: n(e.heldBack), tone: e.heldBack > 0 ? 'warn' : 'good' },
    ] },
  ];
  if (e.heldBack > 0) blocks.push({ type: 'p', text: t.stormNote(n(e.heldBack)), tone: 'note' });
  blocks.push(
    { type: 'h3', text: t.byType },
    { type: 'table', head: [t.col.type, t.col.events, t.col.devices], align: ['l', 'r', 'r'], rows: e.byType.map((r) => [r.type, n(r.count), n(r.devices)]) },
    { type: 'h3', text: t.talkers },
    {
      type: 'table', head: [t.col.device, t.col.events, t.col.traps, t.col.syslog, t.col.heldBack, t.col.topType], align: ['l', 'r', 'r', 'r', 'r', 'l'],
      rows: e.topTalkers.map((r) => [r.device, n(r.count), n(r.trap), n(r.syslog), r.heldBack > 0 ? { text: n(r.heldBack), tone: 'warn' as const } : n(0), r.topType]),
    },
  );
  return blocks;
}
