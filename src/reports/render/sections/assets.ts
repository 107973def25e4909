import type { Lang } from '../../../config/lang.js';
import type { AssetEventKind } from '../../../service/assets/types.js';
import type { AssetSummary } from '../../model/assets.js';
import { WARRANTY_HORIZON_DAYS } from '../../model/assets.js';
import { DASH, type Block, type SectionContext } from '../blocks.js';

/** This section's words; kept beside it so the asset register's part of the report is one file. */
const TEXT: Record<Lang, {
  heading: string; counts: string; firmware: string; changes: string; warranties: string;
  none: string; noChanges: string; noWarranties: string; dayChanges: string; noDayChanges: string; notKept: string; more: (shown: number, total: number) => string;
  col: { class: string; vendor: string; model: string; count: string; firmware: string; devices: string; time: string; device: string; kind: string; part: string; change: string; site: string; ends: string; left: string; contract: string };
  kind: Record<AssetEventKind, string>; days: (n: number) => string; ended: (n: number) => string; summary: (n: number) => string;
}> = {
  en: {
    heading: 'Asset register', counts: 'Devices by class, vendor and model', firmware: 'Firmware versions in use', changes: 'Asset changes this month',
    warranties: `Warranties ending within ${WARRANTY_HORIZON_DAYS} days`, none: 'No device in the inventory.', noChanges: 'No asset changed this month.',
    dayChanges: 'Asset changes', noDayChanges: 'No asset changed on this day.', notKept: 'No asset register is kept here, so asset changes are not included.',
    noWarranties: `No warranty ends within ${WARRANTY_HORIZON_DAYS} days (only devices with asset.warrantyEnd in devices.yaml are checked).`,
    more: (shown, total) => `The first ${shown} of ${total} changes are listed.`,
    col: { class: 'Class', vendor: 'Vendor', model: 'Model', count: 'Devices', firmware: 'Firmware', devices: 'Devices running it', time: 'Time', device: 'Device', kind: 'Change', part: 'Part', change: 'Before → after', site: 'Site', ends: 'Warranty end', left: 'Remaining', contract: 'Contract' },
    kind: { 'device-added': 'device added', 'device-removed': 'device removed', 'part-added': 'part added', 'part-removed': 'part removed', 'module-swapped': 'part replaced', 'firmware-changed': 'firmware changed' },
    days: (n) => (n === 1 ? '1 day' : `${n} days`), ended: (n) => (n === 0 ? 'ends today' : `ended ${-n} days ago`),
    summary: (n) => (n === 1 ? '1 device in the inventory.' : `${n} devices in the inventory.`),
  },
  'zh-CN': {
    heading: '资产统计', counts: '按类别、厂商、型号统计', firmware: '在用固件版本', changes: '本月资产变更',
    warranties: `${WARRANTY_HORIZON_DAYS} 天内到期的保修`, none: '清单中没有设备。', noChanges: '本月没有资产变更。',
    dayChanges: '资产变更', noDayChanges: '本日没有资产变更。', notKept: '未启用资产台账，本报告不含资产变更。',
    noWarranties: `${WARRANTY_HORIZON_DAYS} 天内没有保修到期（只检查在 devices.yaml 中填写了 asset.warrantyEnd 的设备）。`,
    more: (shown, total) => `共 ${total} 条变更，仅列出前 ${shown} 条。`,
    col: { class: '类别', vendor: '厂商', model: '型号', count: '设备数', firmware: '固件版本', devices: '使用该版本的设备', time: '时间', device: '设备', kind: '变更', part: '部件', change: '变更前 → 变更后', site: '站点', ends: '保修截止', left: '剩余', contract: '合同' },
    kind: { 'device-added': '新增设备', 'device-removed': '移除设备', 'part-added': '新增部件', 'part-removed': '移除部件', 'module-swapped': '更换部件', 'firmware-changed': '固件变更' },
    days: (n) => `${n} 天`, ended: (n) => (n === 0 ? '今日到期' : `已过期 ${-n} 天`),
    summary: (n) => `清单中共 ${n} 台设备。`,
  },
};

/** Most devices named in one firmware row; the rest are counted. */
const MAX_NAMED = 8;

function countTables(t: (typeof TEXT)[Lang], a: AssetSummary, zh: boolean): Block[] {
  const c = t.col;
  return [
    { type: 'h3', text: zh ? `${t.heading}：${t.counts}` : `${t.heading}: ${t.counts}` },
    { type: 'p', text: t.summary(a.devices) },
    { type: 'table', head: [c.class, c.count], align: ['l', 'r'], rows: a.byClass.map((x) => [x.key, String(x.count)]) },
    { type: 'table', head: [c.vendor, c.model, c.count], align: ['l', 'l', 'r'], rows: a.byModel.map((x) => [x.vendor, x.model, String(x.count)]) },
  ];
}

function firmwareTable(t: (typeof TEXT)[Lang], a: AssetSummary, zh: boolean): Block[] {
  const c = t.col;
  const names = (d: string[]) => (d.length <= MAX_NAMED ? d.join(', ') : `${d.slice(0, MAX_NAMED).join(', ')}${zh ? ` 等 ${d.length} 台` : ` and ${d.length - MAX_NAMED} more`}`);
  return [{ type: 'h3', text: t.firmware }, a.firmware.length === 0 ? { type: 'p', text: DASH } : {
    type: 'table', head: [c.vendor, c.model, c.firmware, c.count, c.devices], align: ['l', 'l', 'l', 'r', 'l'],
    rows: a.firmware.map((f) => [f.vendor, f.model, f.firmware, String(f.devices.length), names(f.devices)]),
  }];
}

function changeTable({ fmt, model }: SectionContext, t: (typeof TEXT)[Lang], a: AssetSummary): Block[] {
  const c = t.col;
  const daily = model.period.kind === 'daily';
  const heading: Block[] = daily ? [] : [{ type: 'h3', text: t.changes }];
  if (a.changes.length === 0) return [...heading, { type: 'p', text: daily ? t.noDayChanges : t.noChanges }];
  const blocks: Block[] = [...heading, {
    type: 'table', head: [c.time, c.device, c.kind, c.part, c.change], align: ['l', 'l', 'l', 'l', 'l'],
    rows: a.changes.map((e) => [
      fmt.dateTime(e.at), e.device,
      { text: t.kind[e.kind], tone: e.kind === 'device-removed' || e.kind === 'part-removed' ? 'warn' : undefined },
      e.part ? `${e.name ?? e.part}${e.entity ? ` (#${e.entity})` : ''}` : DASH,
      `${e.from ?? DASH} → ${e.to ?? DASH}`,
    ]),
  }];
  if (a.changesTotal > a.changes.length) blocks.push({ type: 'p', text: t.more(a.changes.length, a.changesTotal), tone: 'note' });
  return blocks;
}

function warrantyTable(t: (typeof TEXT)[Lang], a: AssetSummary): Block[] {
  const c = t.col;
  return [{ type: 'h3', text: t.warranties }, a.warranties.length === 0 ? { type: 'p', text: t.noWarranties } : {
    type: 'table', head: [c.device, c.site, c.ends, c.left, c.contract], align: ['l', 'l', 'l', 'r', 'l'],
    rows: a.warranties.map((w) => [w.device, w.site, w.warrantyEnd, { text: w.daysLeft > 0 ? t.days(w.daysLeft) : t.ended(w.daysLeft), tone: w.daysLeft <= 30 ? 'bad' : 'warn' }, w.contract ?? DASH]),
  }];
}

/** The asset register (资产统计) of a monthly report: counts, firmware in use, this month's changes, warranties running out. */
export function assetBlocks(ctx: SectionContext): Block[] {
  const a = ctx.model.assets;
  if (!a) return [];
  const t = TEXT[ctx.lang];
  if (a.devices === 0 && a.changes.length === 0) return [{ type: 'h3', text: t.heading }, { type: 'p', text: t.none }];
  return [...countTables(t, a, ctx.zh), ...firmwareTable(t, a, ctx.zh), ...changeTable(ctx, t, a), ...warrantyTable(t, a)];
}

/** The asset changes of the day alone: the daily summary's asset section. */
export function assetChangeBlocks(ctx: SectionContext): Block[] {
  const a = ctx.model.assets;
  return a ? changeTable(ctx, TEXT[ctx.lang], a) : [{ type: 'p', text: TEXT[ctx.lang].notKept, tone: 'note' }];
}
assetChangeBlocks.title = { en: TEXT.en.dayChanges, 'zh-CN': TEXT['zh-CN'].dayChanges } as Record<Lang, string>;
