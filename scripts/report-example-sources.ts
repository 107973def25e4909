/**
 * The report sources beside InfluxDB that the sample reports in docs/examples/ are written from: trap and syslog
 * events (written into influxd with the samples), a problem record, an asset register, configuration versions with
 * compliance verdicts, and the service calendar. Fixed facts placed inside the known week of
 * tests/reports/known-week.ts, so every section of every report kind has something to show.
 */
import type { Sample } from '../src/core/sample.js';
import type { ReportPeriod } from '../src/reports/period.js';
import type { ConfigBackupSource } from '../src/reports/model/config-backup.js';
import type { AssetSource } from '../src/reports/sources/assets.js';
import type { ProblemRecordSource, ProblemRecordSummary } from '../src/reports/sources/types.js';
import type { AssetView } from '../src/service/assets/view.js';
import type { AssetEvent } from '../src/service/assets/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Everything besides samples and incidents, for a week starting at `week.start`. */
export function exampleSources(week: ReportPeriod) {
  const at = (day: number, hour: number) => new Date(week.start.getTime() + day * DAY + hour * HOUR);
  const tag = (device: string, site: string, cls: string, vendor: string, source: 'trap' | 'syslog', type: string, severity: string) =>
    ({ device, site, class: cls, vendor, source, type, severity });
  const events: Sample[] = [
    // core-sw-01's outage on day 2 at 10:00: its uplink went down and came back, a PSU complained.
    ...[0, 1, 2, 3].map((i): Sample => ({ measurement: 'event', time: new Date(at(1, 10).getTime() + i * 60_000), tags: tag('core-sw-01', 'hq', 'switch', 'huawei', 'trap', 'link-down', 'major'), fields: { message: 'GE0/0/1 down', count: 1n, storm: false } })),
    { measurement: 'event', time: at(1, 12.5), tags: tag('core-sw-01', 'hq', 'switch', 'huawei', 'trap', 'link-up', 'info'), fields: { message: 'GE0/0/1 up', count: 1n, storm: false } },
    { measurement: 'event', time: at(1, 13), tags: tag('core-sw-01', 'hq', 'switch', 'huawei', 'trap', 'link-down', 'major'), fields: { message: 'GE0/0/3 flapping: storm summary', count: 36n, storm: true } },
    { measurement: 'event', time: at(5, 6), tags: tag('core-sw-01', 'hq', 'switch', 'huawei', 'syslog', 'power-supply-fault', 'major'), fields: { message: 'PSU2 failed', count: 1n, storm: false } },
    { measurement: 'event', time: at(1, 15), tags: tag('fw-01', 'branch', 'firewall', 'hillstone', 'syslog', 'config-change', 'info'), fields: { message: 'configuration saved by admin', count: 1n, storm: false } },
    { measurement: 'event', time: at(3, 14), tags: tag('ups-01', 'hq', 'ups', 'apc', 'trap', 'ups-on-battery', 'critical'), fields: { message: 'UPS on battery', count: 1n, storm: false } },
  ];

  const problem: ProblemRecordSummary = {
    id: 'PRB-0003', device: 'core-sw-01', site: 'hq', rule: 'device-down', state: 'open', openedAt: at(1, 11), reopened: 0,
    rootCause: 'Uplink optic on GE0/0/1 degrading (rx power -17 dBm)', workaround: 'Traffic moved to GE0/0/2', fixStatus: 'spare ordered',
    incidentTimes: [new Date(week.start.getTime() - 12 * DAY), new Date(week.start.getTime() - 5 * DAY), at(1, 10)],
  };
  const problems: ProblemRecordSource = { problems: async () => [problem] };

  const asset = (device: string, site: string, cls: string, vendor: string, model: string, firmware: string, warrantyEnd?: string): AssetView => ({
    device, site, class: cls, vendor, model, serial: `SN-${device.toUpperCase()}`, firmware, hardware: 'A', inInventory: true, polled: true, parts: [],
    asset: warrantyEnd ? { warrantyEnd, contract: 'NOC-2026-017' } : {},
  } as AssetView);
  const assetEvents: AssetEvent[] = [
    { seq: 4, at: at(1, 12.25), device: 'core-sw-01', kind: 'module-swapped', entity: '1001', part: 'port', name: 'GE0/0/1 SFP', from: 'OPT-7Q1102', to: 'OPT-7Q2291' },
    { seq: 1, at: at(5, 9), device: 'core-sw-01', kind: 'module-swapped', entity: '17', part: 'psu', name: 'PSU2', from: 'PSU-A1B2C3', to: 'PSU-D4E5F6' },
    { seq: 2, at: at(4, 3), device: 'core-sw-01', kind: 'firmware-changed', from: 'V200R019C10', to: 'V200R021C00' },
    { seq: 3, at: at(0, 9), device: 'new-ap-01', kind: 'device-added', to: 'WA6320 SN-NEW-AP-01' },
  ];
  const assets: AssetSource = {
    assets: async () => [
      asset('core-sw-01', 'hq', 'switch', 'huawei', 'S5735-L48T4X', 'V200R021C00', '2027-01-31'),
      asset('fw-01', 'branch', 'firewall', 'hillstone', 'SG-6000-E1700', '5.5R9', '2026-12-20'),
      asset('ups-01', 'hq', 'ups', 'apc', 'SRT3KXLI', '15.5'),
      asset('new-ap-01', 'branch', 'wireless', 'h3c', 'WA6320', 'R2451P01'),
      asset('edge-rtr-02', 'branch', 'router', 'h3c', 'MSR3620', 'R0821P19'),
    ],
    events: async (r) => {
      const items = assetEvents.filter((e) => e.at >= r.start && e.at < r.end).sort((a, b) => a.at.getTime() - b.at.getTime());
      return { total: items.length, items };
    },
  };

  const sshOnly = { rule: 'ssh-only', title: { en: 'Management by SSH only', 'zh-CN': '仅允许 SSH 管理' }, severity: 'major' };
  const ntp = { rule: 'ntp-configured', title: { en: 'NTP servers configured', 'zh-CN': '已配置 NTP 服务器' }, severity: 'minor' };
  const changes = [
    { device: 'fw-01', time: at(1, 15), added: 12, removed: 3, first: false, trigger: 'syslog', by: 'admin', commit: '4f1c2ab' },
    { device: 'core-sw-01', time: at(4, 3.5), added: 2, removed: 2, first: false, trigger: 'schedule', by: 'noctua', commit: '9e07d51' },
    { device: 'edge-rtr-02', time: at(0, 2), added: 140, removed: 0, first: true, trigger: 'schedule', by: 'noctua', commit: '11aa0c3' },
  ];
  const configBackup: ConfigBackupSource = {
    changes: async (r) => changes.filter((c) => c.time >= r.start && c.time < r.end),
    // fw-01 began allowing telnet with its change on day 2; core-sw-01 lacks NTP throughout.
    complianceAt: async (t) => [
      { device: 'core-sw-01', results: [{ ...sshOnly, passed: true, violations: 0 }, { ...ntp, passed: false, violations: 1 }] },
      { device: 'fw-01', results: [{ ...sshOnly, passed: t < at(1, 15), violations: t < at(1, 15) ? 0 : 2 }, { ...ntp, passed: true, violations: 0 }] },
    ],
  };
  return { events, problems, assets, configBackup };
}
