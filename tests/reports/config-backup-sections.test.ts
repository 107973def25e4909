/**
 * The weekly report's configuration sections from a real git store (versions dated inside and before the week) and
 * the shipped compliance rules: the week's changes per device with +/- lines, passed/failed per rule, and the
 * violations that are new this week, in both languages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadComplianceRules } from '../../src/config-backup/compliance-rules.js';
import { configBackupReportSource } from '../../src/config-backup/report-source.js';
import { ConfigStore } from '../../src/config-backup/store.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import type { ReportModel } from '../../src/reports/model/types.js';
import { weekPeriod } from '../../src/reports/period.js';
import { buildDocument } from '../../src/reports/render/document.js';
import { renderMarkdown } from '../../src/reports/render/markdown.js';
import type { MetricsSource } from '../../src/reports/sources/types.js';
import { tempDir } from '../helpers/tmp.js';
import { recording } from '../config-backup/fixture.js';

const MIN = 60_000;
const DAY = 1440 * MIN;
const week = weekPeriod('2026-W47', 'Asia/Shanghai');
const t = (min: number) => new Date(week.start.getTime() + min * MIN);
const tmp = tempDir('noctua-report-cfg-');
const clean = (v: string) => readFileSync(recording(v), 'utf8').replace(/^.*\{\{\w+\}\}.*\n/gm, '');
const ios = clean('cisco-ios');

/** No metrics at all: these sections read only configuration backup. */
const empty = new Proxy({}, { get: () => async () => [] }) as MetricsSource;
let model: ReportModel;
const commits: string[] = [];

beforeAll(async () => {
  const store = new ConfigStore(join(tmp.dir, 'repo'));
  const save = async (device: string, text: string, at: Date, kind: 'schedule' | 'api' | 'config-change') => {
    const r = await store.save(device, text, { by: kind === 'config-change' ? device : 'noc', reason: kind, kind }, at);
    if (r.changed) commits.push(r.commit);
  };
  await save('edge-r1', ios, new Date(week.start.getTime() - 2 * DAY), 'schedule');
  const logged = ios.replace('ntp server 192.0.2.123', 'ntp server 192.0.2.123\nlogging host 192.0.2.60');
  await save('edge-r1', logged, t(600), 'config-change');
  await save('edge-r1', logged.replace(' transport input ssh', ' transport input telnet ssh'), t(3000), 'api');
  await save('core-sw', clean('huawei-vrp'), t(4000), 'schedule');
  // After the week: not in this report.
  await save('edge-r1', ios, new Date(week.end.getTime() + DAY), 'schedule');
  const source = configBackupReportSource(store, loadComplianceRules(), () => new Map([['edge-r1', 'cisco-ios'], ['core-sw', 'huawei-vrp']]));
  model = await buildReportModel({ period: week, metrics: empty, now: new Date(week.end.getTime() + 2 * DAY), configBackup: source });
});
afterAll(() => tmp.cleanup());

describe('configuration sections of the weekly report', () => {
  it('lists the week\'s changes per device with their line counts, first backups listed but not counted', () => {
    const m = model.configBackup!;
    expect(m.changes.map((c) => [c.device, c.first, c.added, c.removed, c.trigger])).toEqual([
      ['edge-r1', false, 1, 0, 'config-change'], ['edge-r1', false, 1, 1, 'api'], ['core-sw', true, expect.any(Number), 0, 'schedule'],
    ]);
    expect(m.perDevice).toEqual([{ device: 'edge-r1', versions: 2, added: 2, removed: 1, last: t(3000) }]);
  });

  it('counts passed/failed per rule at the end of the week and names the new violations', () => {
    const c = model.configBackup!.compliance;
    expect(c.devicesChecked).toBe(2);
    const rule = (id: string) => c.rules.find((r) => r.rule === id)!;
    expect(rule('snmp-community-restricted')).toMatchObject({ passed: 0, failed: 2, failedDevices: ['edge-r1', 'core-sw'] });
    expect(rule('syslog-host-set')).toMatchObject({ passed: 1, failed: 1, failedDevices: ['core-sw'] });
    expect(rule('no-telnet-server')).toMatchObject({ passed: 1, failed: 1, failedDevices: ['edge-r1'] });
    // edge-r1's SNMP community and missing AAA were already failing when the week began: not new.
    expect(c.newViolations.map((v) => `${v.device} ${v.rule}`)).toEqual([
      'core-sw snmp-community-restricted', 'edge-r1 no-telnet-server', 'core-sw syslog-host-set', 'core-sw aaa-remote',
    ]);
  });

  it('renders both sections in English and Chinese', () => {
    const en = renderMarkdown(buildDocument(model, 'en'));
    expect(en).toContain('9. Configuration changes');
    expect(en).toMatch(/\| edge-r1 \| 2 \| \+2 \| \*\*−1\*\* \|/);
    expect(en).toContain('device reported a change');
    expect(en).toContain('10. Configuration compliance');
    expect(en).toMatch(/VTY lines accept SSH only \| major \| 1 \| \*\*1\*\* \| edge-r1/);
    expect(en).toContain('New violations this period');
    const zh = renderMarkdown(buildDocument(model, 'zh-CN'));
    expect(zh).toContain('九、配置变更');
    expect(zh).toContain('设备上报变更');
    expect(zh).toContain('十、配置合规');
    expect(zh).toMatch(/VTY 线路仅允许 SSH \| 重要 \| 1 \| \*\*1\*\* \| edge-r1/);
    expect(zh).toContain('本周期新增违规');
  });

  it('says configuration backup is not set up when the report has no source', async () => {
    const none = await buildReportModel({ period: week, metrics: empty, now: t(20_000) });
    expect(renderMarkdown(buildDocument(none, 'en'))).toContain('Configuration backup is not set up');
    expect(renderMarkdown(buildDocument(none, 'zh-CN'))).toContain('未启用配置备份');
  });
});
