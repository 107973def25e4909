/**
 * The monthly report's asset register (资产统计), from a real state database seeded through the register:
 * counts by class/vendor/model, firmware in use, this month's asset events, warranties running out; both languages.
 */
import { describe, expect, it } from 'vitest';
import type { AssetFields } from '../../src/config/asset-schema.js';
import type { Device, DeviceClass } from '../../src/config/inventory-schema.js';
import { openStateDb } from '../../src/core/database.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import { monthPeriod, weekPeriod } from '../../src/reports/period.js';
import { renderMarkdown } from '../../src/reports/render/markdown.js';
import { buildDocument } from '../../src/reports/render/document.js';
import { StateDbAssetSource } from '../../src/reports/sources/assets.js';
import { AssetStore } from '../../src/service/assets/store.js';
import type { DeviceSnapshot, PartSnapshot } from '../../src/service/assets/types.js';
import { EmptyFleet } from './empty-fleet.js';

const month = monthPeriod('2026-11', 'Asia/Shanghai');
const DAY = 86_400_000;
const day = (n: number) => new Date(month.start.getTime() + (n - 1) * DAY + 3_600_000);

function device(name: string, cls: DeviceClass, asset?: AssetFields): Device {
  return { name, address: '192.0.2.1', class: cls, site: 'hq', tags: [], enabled: true, snmp: false, icmp: false, intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 }, asset };
}
function snap(name: string, cls: string, vendor: string, model: string, firmware: string, sfpSerial: string): DeviceSnapshot {
  const p = (entity: string, part: string, serial: string): PartSnapshot => ({ entity, part, name: `${part} ${entity}`, descr: '', model: '', serial, firmware: '', hardware: '', manufacturer: '' });
  return { device: name, site: 'hq', class: cls, vendor, model, serial: `SN-${name}`, firmware, hardware: '', sysDescr: '', parts: [p('1', 'chassis', `SN-${name}`), p('49', 'port', sfpSerial)] };
}

describe('asset register in the monthly report', () => {
  const db = openStateDb('', ':memory:');
  const store = new AssetStore(db);
  const before = new Date(month.start.getTime() - 40 * DAY);
  store.observe(snap('core-sw-01', 'switch', 'cisco', 'WS-C3560G-48TS-E', '12.2(55)SE3', 'AGT1105U10Z'), before);
  store.observe(snap('core-sw-02', 'switch', 'cisco', 'WS-C3560G-48TS-E', '12.2(55)SE3', 'FNS12360'), before);
  store.observe(snap('fw-01', 'firewall', 'huawei', 'USG6650', 'V600R007C00', 'HW0001'), before);
  // This month: core-sw-02 upgraded on the 12th, core-sw-01's transceiver replaced on the 20th.
  store.observe(snap('core-sw-02', 'switch', 'cisco', 'WS-C3560G-48TS-E', '12.2(58)SE2', 'FNS12360'), day(12));
  store.observe(snap('core-sw-01', 'switch', 'cisco', 'WS-C3560G-48TS-E', '12.2(55)SE3', 'FNS99999XYZ'), day(20));
  const inventory = [
    device('core-sw-01', 'switch', { warrantyEnd: '2026-12-20', contract: 'HT-2024-031' }),
    device('core-sw-02', 'switch', { warrantyEnd: '2027-06-30' }),
    device('fw-01', 'firewall', { warrantyEnd: '2026-11-15' }),
    device('new-rt', 'router'),
  ];
  const source = new StateDbAssetSource(db, inventory);

  it('counts, firmware in use, the month\'s changes and warranties ending within 90 days', async () => {
    const model = await buildReportModel({ period: month, metrics: new EmptyFleet(), assets: source, now: day(30) });
    const a = model.assets!;
    expect(a.devices).toBe(4);
    expect(a.byClass).toEqual([{ key: 'switch', count: 2 }, { key: 'firewall', count: 1 }, { key: 'router', count: 1 }]);
    expect(a.byModel).toEqual([{ vendor: 'cisco', model: 'WS-C3560G-48TS-E', count: 2 }, { vendor: 'huawei', model: 'USG6650', count: 1 }, { vendor: 'unknown', model: 'unknown', count: 1 }]);
    expect(a.firmware.map((f) => [f.firmware, f.devices])).toEqual([['12.2(55)SE3', ['core-sw-01']], ['12.2(58)SE2', ['core-sw-02']], ['V600R007C00', ['fw-01']]]);
    expect(a.changes.map((e) => [e.device, e.kind, e.from, e.to])).toEqual([
      ['core-sw-02', 'firmware-changed', '12.2(55)SE3', '12.2(58)SE2'], ['core-sw-01', 'module-swapped', 'AGT1105U10Z', 'FNS99999XYZ'],
    ]);
    // Month ends 2026-12-01 00:00 +08:00; core-sw-01's warranty covers 20 December: 20 days left. fw-01's ended on the 15th.
    expect(a.warranties).toEqual([
      { device: 'fw-01', site: 'hq', warrantyEnd: '2026-11-15', daysLeft: -15, contract: undefined },
      { device: 'core-sw-01', site: 'hq', warrantyEnd: '2026-12-20', daysLeft: 20, contract: 'HT-2024-031' },
    ]);

    const zh = renderMarkdown(buildDocument(model, 'zh-CN'));
    expect(zh).toContain('### 资产统计：按类别、厂商、型号统计');
    expect(zh).toContain('| cisco | WS-C3560G-48TS-E | 2 |');
    expect(zh).toContain('### 在用固件版本');
    expect(zh).toContain('### 本月资产变更');
    expect(zh).toMatch(/core-sw-01 \| (\*\*)?更换部件(\*\*)? \| port 49 \(#49\) \| AGT1105U10Z → FNS99999XYZ \|/);
    expect(zh).toContain('固件变更');
    expect(zh).toContain('### 90 天内到期的保修');
    expect(zh).toMatch(/\| core-sw-01 \| hq \| 2026-12-20 \| \*\*20 天\*\* \| HT-2024-031 \|/);
    expect(zh).toContain('已过期 15 天');

    const en = renderMarkdown(buildDocument(model, 'en'));
    expect(en).toContain('### Asset register: Devices by class, vendor and model');
    expect(en).toContain('### Asset changes this month');
    expect(en).toContain('part replaced');
    expect(en).toContain('firmware changed');
    expect(en).toContain('### Warranties ending within 90 days');
    expect(en).toContain('ended 15 days ago');
    expect(en).not.toContain('core-sw-02 | hq | 2027-06-30');
  });

  it('says there were no changes and no warranties ending, and stays out of weekly reports and reports without a register', async () => {
    // The devices were first seen in September: August has no asset event.
    const quiet = monthPeriod('2026-08', 'Asia/Shanghai');
    const model = await buildReportModel({ period: quiet, metrics: new EmptyFleet(), assets: new StateDbAssetSource(db, [device('core-sw-02', 'switch', { warrantyEnd: '2027-06-30' })]), now: quiet.end });
    const zh = renderMarkdown(buildDocument(model, 'zh-CN'));
    expect(zh).toContain('本月没有资产变更。');
    expect(zh).toContain('90 天内没有保修到期');
    expect(renderMarkdown(buildDocument(model, 'en'))).toContain('No asset changed this month.');
    const week = await buildReportModel({ period: weekPeriod('2026-W47', 'Asia/Shanghai'), metrics: new EmptyFleet(), assets: source, now: day(30) });
    expect(week.assets).toBeUndefined();
    const without = await buildReportModel({ period: month, metrics: new EmptyFleet(), now: day(30) });
    expect(renderMarkdown(buildDocument(without, 'en'))).not.toContain('Asset register');
  });
});
