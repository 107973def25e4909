import type { Lang } from '../../../config/lang.js';
import type { Block, SectionContext } from '../blocks.js';

const T: Record<Lang, {
  title: string; notSetUp: string; noDevices: string; devicesChecked: string; rulesFailed: string; newViolations: string; noneNew: string; perRule: string;
  col: { rule: string; severity: string; passed: string; failed: string; devices: string; device: string; violations: string };
  severity: Record<string, string>;
}> = {
  en: {
    title: 'Configuration compliance', notSetUp: 'Configuration backup is not set up, so compliance is not included.',
    noDevices: 'No device had a backed-up configuration at the end of the period.',
    devicesChecked: 'Devices checked', rulesFailed: 'Rules failed', newViolations: 'New violations this period', noneNew: 'No new violation in this period.', perRule: 'Per rule',
    col: { rule: 'Rule', severity: 'Severity', passed: 'Passed', failed: 'Failed', devices: 'Failing devices', device: 'Device', violations: 'Violations' },
    severity: { critical: 'critical', major: 'major', minor: 'minor', warning: 'warning' },
  },
  'zh-CN': {
    title: '配置合规', notSetUp: '未启用配置备份，本报告不含配置合规检查。',
    noDevices: '周期结束时没有已备份配置的设备。',
    devicesChecked: '检查设备数', rulesFailed: '未通过规则', newViolations: '本周期新增违规', noneNew: '本周期没有新增违规。', perRule: '按规则统计',
    col: { rule: '规则', severity: '级别', passed: '通过', failed: '未通过', devices: '未通过设备', device: '设备', violations: '违规处数' },
    severity: { critical: '严重', major: '重要', minor: '次要', warning: '提示' },
  },
};

/** Most failing devices named in a cell; the rest counted. */
const MAX_NAMED = 8;

/** Configuration compliance: passed/failed per rule at the end of the period, and the violations new since its start. */
export function complianceBlocks({ model, lang, fmt }: SectionContext): Block[] {
  const t = T[lang];
  const m = model.configBackup;
  if (!m) return [{ type: 'p', text: t.notSetUp, tone: 'note' }];
  const c = m.compliance;
  if (c.devicesChecked === 0) return [{ type: 'p', text: t.noDevices, tone: 'note' }];
  const failedRules = c.rules.filter((r) => r.failed > 0).length;
  const named = (list: string[]) => list.slice(0, MAX_NAMED).join(lang === 'zh-CN' ? '、' : ', ') + (list.length > MAX_NAMED ? (lang === 'zh-CN' ? ` 等 ${list.length} 台` : ` and ${list.length - MAX_NAMED} more`) : '');
  const blocks: Block[] = [{
    type: 'kpis', items: [
      { label: t.devicesChecked, value: fmt.num(c.devicesChecked) },
      { label: t.rulesFailed, value: `${fmt.num(failedRules)} / ${fmt.num(c.rules.length)}`, tone: failedRules > 0 ? 'warn' : 'good' },
      { label: t.newViolations, value: fmt.num(c.newViolations.length), tone: c.newViolations.length > 0 ? 'bad' : 'good' },
    ],
  }];
  blocks.push({ type: 'h3', text: t.newViolations }, c.newViolations.length === 0 ? { type: 'p', text: t.noneNew } : {
    type: 'table', head: [t.col.device, t.col.rule, t.col.severity, t.col.violations], align: ['l', 'l', 'l', 'r'],
    rows: c.newViolations.map((v) => [v.device, v.title[lang], t.severity[v.severity] ?? v.severity, fmt.num(v.violations)]),
  });
  blocks.push({ type: 'h3', text: t.perRule }, {
    type: 'table', head: [t.col.rule, t.col.severity, t.col.passed, t.col.failed, t.col.devices], align: ['l', 'l', 'r', 'r', 'l'],
    rows: c.rules.map((r) => [r.title[lang], t.severity[r.severity] ?? r.severity, fmt.num(r.passed),
      r.failed > 0 ? { text: fmt.num(r.failed), tone: 'bad' as const } : fmt.num(r.failed), r.failedDevices.length ? named(r.failedDevices) : '—']),
  });
  return blocks;
}

/** The section's own title (numbered by its place in the report). */
complianceBlocks.title = { en: T.en.title, 'zh-CN': T['zh-CN'].title } as Record<Lang, string>;
