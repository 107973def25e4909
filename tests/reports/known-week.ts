/**
 * A week of history whose answers are known in advance, written as Noctua samples (docs/SCHEMA.md types:
 * bigint for integer fields) and incidents. Every expected number is computed here from the plan, not
 * read back from the code under test.
 */
import type { Sample } from '../../src/core/sample.js';
import type { ReportPeriod } from '../../src/reports/period.js';
import type { IncidentRecord } from '../../src/reports/sources/types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const tags = (device: string, site: string, cls: string, vendor: string, extra: Record<string, string> = {}) => ({ device, site, class: cls, vendor, ...extra });

/** The plan and its expected answers. */
export interface KnownWeek {
  samples: Sample[];
  incidents: IncidentRecord[];
  inventory: { name: string; site: string; class: string }[];
  expect: {
    coreAvailabilityPct: number;
    coreDowntimeMs: number;
    fleetAvailabilityPct: number;
    coreCpuAvgPct: number;
    coreCpuPeakPct: number;
    coreErrors: number;
    storageCrossing: Date;
    upsOnBatteryMs: number;
    upsMinChargePct: number;
    rebootAt: Date;
    incidentsBySeverity: Record<'P1' | 'P2' | 'P3' | 'P4', number>;
    responseCompliancePct: number;
    resolutionCompliancePct: number;
    branchRttAvgMs: number;
  };
}

/** Builds the known week inside `week`, with a little history in `previous` for the change comparison. */
export function knownWeek(week: ReportPeriod, previous: ReportPeriod): KnownWeek {
  const start = week.start.getTime();
  const samples: Sample[] = [];
  const core = tags('core-sw-01', 'hq', 'switch', 'huawei');
  const fw = tags('fw-01', 'branch', 'firewall', 'hillstone');
  const ups = tags('ups-01', 'hq', 'ups', 'apc');
  const ap = tags('new-ap-01', 'branch', 'wireless', 'h3c');

  // ICMP every minute for the whole week: 10,080 rounds per device.
  const downFrom = start + 1 * DAY + 10 * HOUR;
  const downMs = 2 * HOUR + 24 * MIN;
  let branchRttSum = 0;
  let branchRttN = 0;
  for (let t = start; t < week.end.getTime(); t += MIN) {
    const i = (t - start) / MIN;
    const coreDown = t >= downFrom && t < downFrom + downMs;
    samples.push({ measurement: 'icmp', tags: core, time: new Date(t), fields: coreDown
      ? { sent: 3n, received: 0n, loss_pct: 100, up: false }
      : { sent: 3n, received: 3n, loss_pct: 0, rtt_min_ms: 0.8, rtt_avg_ms: 1 + (i % 5) * 0.1, rtt_max_ms: 1.6, jitter_ms: 0.1, up: true } });
    const fwRtt = 8 + (i % 4);
    const apRtt = 12;
    branchRttSum += fwRtt + apRtt; branchRttN += 2;
    samples.push({ measurement: 'icmp', tags: fw, time: new Date(t), fields: { sent: 3n, received: 3n, loss_pct: 0, rtt_min_ms: 7, rtt_avg_ms: fwRtt, rtt_max_ms: 14, jitter_ms: 0.5, up: true } });
    samples.push({ measurement: 'icmp', tags: ups, time: new Date(t), fields: { sent: 3n, received: 3n, loss_pct: 0, rtt_min_ms: 2, rtt_avg_ms: 2.5, rtt_max_ms: 3, jitter_ms: 0.2, up: true } });
    samples.push({ measurement: 'icmp', tags: ap, time: new Date(t), fields: { sent: 3n, received: 3n, loss_pct: 0, rtt_min_ms: 11, rtt_avg_ms: apRtt, rtt_max_ms: 13, jitter_ms: 0.3, up: true } });
  }

  // SNMP every 5 minutes: 2,016 polls per device.
  let cpuSum = 0; let cpuN = 0; let cpuPeak = 0;
  let errCounter = 1000n;
  let coreAnswered = 0;
  const upsBatteryFrom = start + 3 * DAY + 14 * HOUR;
  const upsBatteryMs = 25 * MIN;
  const storageAt = (t: number) => 71 + 2 * ((t - start) / DAY);
  const util2At = (t: number) => 50 + 5 * ((t - start) / DAY);
  const rebootAt = new Date(start + 4 * DAY + 3 * HOUR);
  for (let t = start; t < week.end.getTime(); t += 5 * MIN) {
    const i = (t - start) / (5 * MIN);
    const time = new Date(t);
    const load = 20 + (i % 10) * 2 + (i === 700 ? 50 : 0);
    const coreUp = !(t >= downFrom && t < downFrom + downMs);
    if (coreUp) { cpuSum += load; cpuN++; cpuPeak = Math.max(cpuPeak, load); }
    samples.push({ measurement: 'snmp_poll', tags: { ...core, kind: 'snmp' }, time, fields: { ok: coreUp, duration_ms: 40, varbinds: 120n, error: coreUp ? '' : 'timeout', error_kind: coreUp ? '' : 'timeout' } });
    if (coreUp) {
      coreAnswered++;
      samples.push({ measurement: 'cpu', tags: { ...core, cpu: '0' }, time, fields: { load_pct: load } });
      samples.push({ measurement: 'memory', tags: { ...core, pool: 'physical' }, time, fields: { used_bytes: 4e9, total_bytes: 8e9, used_pct: 50 + (i % 3) } });
      samples.push({ measurement: 'storage', tags: { ...core, mount: 'flash:' }, time, fields: { used_bytes: 1, total_bytes: 2, used_pct: storageAt(t) } });
      samples.push({ measurement: 'sensor', tags: { ...core, kind: 'temperature', name: 'board' }, time, fields: { value: i === 1000 ? 48.5 : 41, status: 'ok', ok: true } });
      samples.push({ measurement: 'sensor', tags: { ...core, kind: 'fan', name: 'fan1' }, time, fields: { value: 5200, status: 'ok', ok: true } });
      const psuBad = i >= 1500 && i < 1510;
      samples.push({ measurement: 'sensor', tags: { ...core, kind: 'psu', name: 'PSU2' }, time, fields: { value: 1, status: psuBad ? 'critical' : 'ok', ok: !psuBad } });
      errCounter += 3n;
      const ifTags1 = { ...core, ifIndex: '1', ifName: 'GE0/0/1', ifAlias: 'uplink to isp', ifDescr: 'GigabitEthernet0/0/1' };
      const ifTags2 = { ...core, ifIndex: '2', ifName: 'GE0/0/2', ifAlias: 'to branch', ifDescr: 'GigabitEthernet0/0/2' };
      samples.push({ measurement: 'interface', tags: ifTags1, time, fields: { oper_up: true, admin_up: true, speed_bps: 1_000_000_000n, in_errors: errCounter, out_errors: 0n, in_util_pct: i === 300 ? 72.5 : 30, out_util_pct: 20 } });
      // A name with a quote and a backslash must not break (or inject into) the per-interface InfluxQL statements.
      const ifTags3 = { ...core, ifIndex: '3', ifName: "Eth 1/3 'mgmt' a\\b", ifAlias: 'oob "console"', ifDescr: 'Ethernet1/3' };
      samples.push({ measurement: 'interface', tags: ifTags3, time, fields: { oper_up: true, admin_up: true, speed_bps: 100_000_000n, in_errors: 0n, out_errors: 0n, in_util_pct: 61, out_util_pct: 12 } });
      samples.push({ measurement: 'interface', tags: ifTags2, time, fields: { oper_up: true, admin_up: true, speed_bps: 1_000_000_000n, in_errors: 0n, out_errors: 0n, in_util_pct: util2At(t), out_util_pct: 10 } });
    }
    samples.push({ measurement: 'snmp_poll', tags: { ...fw, kind: 'snmp' }, time, fields: { ok: true, duration_ms: 55, varbinds: 80n, error: '', error_kind: '' } });
    samples.push({ measurement: 'cpu', tags: { ...fw, cpu: '0' }, time, fields: { load_pct: i === 900 ? 95 : 35 } });
    samples.push({ measurement: 'system', tags: fw, time, fields: { uptime_s: 1000, sysName: 'fw-01', model: 'SG-6000-E3960', version: t < rebootAt.getTime() ? '5.5R8' : '5.5R9', serial: 'HS123456', vendor: 'hillstone' } });
    const onBattery = t >= upsBatteryFrom && t < upsBatteryFrom + upsBatteryMs;
    samples.push({ measurement: 'ups', tags: ups, time, fields: {
      battery_status: 'normal', charge_pct: onBattery ? 100 - 7.6 * ((t - upsBatteryFrom) / (5 * MIN) + 1) : 100,
      runtime_min: onBattery ? 40 - 4.3 * ((t - upsBatteryFrom) / (5 * MIN) + 1) : 40, on_battery: onBattery, replace_battery: false, alarms: 0n,
      input_v: onBattery ? 0 : 230, output_v: 230, load_pct: 35,
    } });
    samples.push({ measurement: 'snmp_poll', tags: { ...ups, kind: 'snmp' }, time, fields: { ok: true, duration_ms: 30, varbinds: 20n, error: '', error_kind: '' } });
  }
  samples.push({ measurement: 'event', tags: { ...fw, type: 'reboot' }, time: rebootAt, fields: { message: 'uptime went back from 345600 s to 60 s', uptime_s: 60 } });

  // The previous week: the same fleet minus the new AP, plus a switch that has since been removed.
  const old = tags('old-sw-09', 'hq', 'switch', 'cisco');
  for (let t = previous.start.getTime(); t < previous.end.getTime(); t += HOUR) {
    for (const d of [core, fw, ups, old]) samples.push({ measurement: 'icmp', tags: d, time: new Date(t), fields: { sent: 3n, received: 3n, loss_pct: 0, rtt_avg_ms: 1, up: true } });
    samples.push({ measurement: 'system', tags: fw, time: new Date(t), fields: { uptime_s: 1000, model: 'SG-6000-E3960', version: '5.5R8', serial: 'HS123456' } });
  }

  const incidents: IncidentRecord[] = [
    { id: 'INC-101', title: 'Device unreachable', titles: { 'zh-CN': '设备不可达' }, severity: 'P2', device: 'core-sw-01', site: 'hq', openedAt: new Date(downFrom), acknowledgedAt: new Date(downFrom + 12 * MIN), resolvedAt: new Date(downFrom + downMs) },
    { id: 'INC-102', title: 'UPS on battery', titles: { 'zh-CN': 'UPS 切换至电池供电' }, severity: 'P1', device: 'ups-01', site: 'hq', openedAt: new Date(upsBatteryFrom), acknowledgedAt: new Date(upsBatteryFrom + 4 * MIN), resolvedAt: new Date(upsBatteryFrom + upsBatteryMs) },
    { id: 'INC-103', title: 'High CPU', titles: { 'zh-CN': 'CPU 使用率过高' }, severity: 'P3', device: 'fw-01', site: 'branch', openedAt: new Date(week.end.getTime() - DAY) },
    { id: 'INC-099', title: 'Interface flapping', titles: { 'zh-CN': '端口频繁震荡' }, severity: 'P4', device: 'core-sw-01', site: 'hq', openedAt: new Date(start - 3 * HOUR), acknowledgedAt: new Date(start - 2 * HOUR), resolvedAt: new Date(start + HOUR) },
    // Resolved before the week began: not part of it.
    { id: 'INC-090', title: 'Old fault', severity: 'P1', device: 'old-sw-09', openedAt: new Date(start - 2 * DAY), resolvedAt: new Date(start - DAY) },
  ];

  const coreAvailabilityPct = (1 - 144 / 10_080) * 100;
  return {
    samples, incidents,
    inventory: [
      { name: 'core-sw-01', site: 'hq', class: 'switch' }, { name: 'fw-01', site: 'branch', class: 'firewall' },
      { name: 'ups-01', site: 'hq', class: 'ups' }, { name: 'new-ap-01', site: 'branch', class: 'wireless' },
      { name: 'edge-rtr-02', site: 'branch', class: 'router' },
    ],
    expect: {
      coreAvailabilityPct,
      coreDowntimeMs: downMs,
      fleetAvailabilityPct: (coreAvailabilityPct + 300) / 4,
      coreCpuAvgPct: cpuSum / cpuN,
      coreCpuPeakPct: cpuPeak,
      // Differences between consecutive polls inside the week: one fewer than the polls the switch answered.
      coreErrors: 3 * (coreAnswered - 1),
      storageCrossing: new Date(start + ((90 - 71) / 2) * DAY),
      upsOnBatteryMs: upsBatteryMs,
      upsMinChargePct: 100 - 7.6 * 5,
      rebootAt,
      incidentsBySeverity: { P1: 1, P2: 1, P3: 1, P4: 1 },
      // Opened in the week: INC-101 (met, met), INC-102 (met, met), INC-103 (no ack after 24 h > 2 h: missed; unresolved > 8 h: missed).
      responseCompliancePct: (2 / 3) * 100,
      resolutionCompliancePct: (2 / 3) * 100,
      branchRttAvgMs: branchRttSum / branchRttN,
    },
  };
}
