import type { DeviceLoad, DeviceReachability, DeviceTemperature, HardwareUnit, StorageVolume } from '../sources/types.js';
import { pctOf, type Readings } from './readings.js';
import { THRESHOLDS } from './thresholds.js';
import type { DeviceRow, Finding, ModelInputs, ReportModel } from './types.js';

/** What the device table knows of one device before it is judged. */
interface DeviceFacts {
  device: string;
  meta: { site: string; class: string };
  seen: boolean;
  reach?: DeviceReachability;
  load?: DeviceLoad;
  /** Fullest first. */
  volumes: StorageVolume[];
  hardware: HardwareUnit[];
  temperature?: DeviceTemperature;
  reboots: number;
  ups: ReportModel['ups'];
}

/** The inventory plus anything that sent samples (a device removed from the inventory mid-period still counts), by name. */
function deviceNames(readings: Readings, inventory: ModelInputs['inventory']): [string, { site: string; class: string }][] {
  const names = new Map<string, { site: string; class: string }>();
  for (const d of inventory ?? []) names.set(d.name, { site: d.site, class: d.class });
  for (const d of readings.seen) names.set(d.device, { site: d.site || names.get(d.device)?.site || '', class: d.class || names.get(d.device)?.class || '' });
  return [...names.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** One row per device, each with its findings and verdict. */
export function deviceRows(readings: Readings, inventory: ModelInputs['inventory'], ups: ReportModel['ups']): DeviceRow[] {
  const seen = new Set(readings.seen.map((d) => d.device));
  const reach = new Map(readings.reachability.map((r) => [r.device, r]));
  const load = new Map(readings.load.map((l) => [l.device, l]));
  const temps = new Map(readings.temperatures.map((t) => [t.device, t]));
  const reboots = new Map<string, number>();
  for (const r of readings.reboots) reboots.set(r.device, (reboots.get(r.device) ?? 0) + 1);
  const periodMs = readings.range.end.getTime() - readings.range.start.getTime();
  return deviceNames(readings, inventory).map(([device, meta]) => deviceRow({
    device, meta, seen: seen.has(device), reach: reach.get(device), load: load.get(device),
    volumes: readings.storage.filter((s) => s.device === device).sort((a, b) => b.peakPct - a.peakPct),
    hardware: readings.hardware.filter((h) => h.device === device), temperature: temps.get(device),
    reboots: reboots.get(device) ?? 0, ups: ups.filter((u) => u.device === device),
  }, periodMs));
}

function deviceRow(f: DeviceFacts, periodMs: number): DeviceRow {
  const r = f.reach;
  const l = f.load;
  const faulty = f.hardware.filter((h) => h.badSamples > 0 || h.lastOk === false);
  const availabilityPct = r ? pctOf(r.upSamples, r.samples) : undefined;
  const hasData = f.seen || (r?.samples ?? 0) > 0 || l !== undefined || f.volumes.length > 0;
  const row: DeviceRow = {
    device: f.device, site: f.meta.site, class: f.meta.class, hasData,
    state: r?.lastUp === true ? 'up' : r?.lastUp === false ? 'down' : 'unknown',
    icmpSamples: r?.samples ?? 0,
    availabilityPct,
    downtimeMs: availabilityPct !== undefined ? ((100 - availabilityPct) / 100) * periodMs : undefined,
    reboots: f.reboots,
    cpuAvgPct: l?.cpuAvgPct, cpuPeakPct: l?.cpuPeakPct, memoryPeakPct: l?.memoryPeakPct,
    storageFullest: f.volumes[0] ? { mount: f.volumes[0].mount, pct: f.volumes[0].peakPct } : undefined,
    temperatureMaxC: f.temperature?.maxC,
    hardware: f.hardware.length === 0 ? 'none' : faulty.length > 0 ? 'fault' : 'ok',
    verdict: 'normal', findings: [],
  };
  row.findings = findings(row, f, faulty);
  row.verdict = !hasData ? 'no-data' : row.findings.length > 0 ? 'attention' : 'normal';
  return row;
}

/** Every reason the device needs attention, against THRESHOLDS. */
function findings(row: DeviceRow, f: DeviceFacts, faulty: HardwareUnit[]): Finding[] {
  const out: Finding[] = [];
  const l = f.load;
  if (!row.hasData) out.push({ code: 'no-data' });
  if (row.state === 'down') out.push({ code: 'down-at-end' });
  if (row.availabilityPct !== undefined && row.availabilityPct < THRESHOLDS.availabilityPct) out.push({ code: 'availability', pct: row.availabilityPct, downtimeMs: row.downtimeMs ?? 0 });
  if (row.reboots > 0) out.push({ code: 'reboot', count: row.reboots });
  if ((l?.cpuPeakPct ?? 0) >= THRESHOLDS.cpuPeakPct || (l?.cpuAvgPct ?? 0) >= THRESHOLDS.cpuAvgPct) out.push({ code: 'cpu', avgPct: l?.cpuAvgPct, peakPct: l?.cpuPeakPct });
  if ((l?.memoryPeakPct ?? 0) >= THRESHOLDS.memoryPeakPct) out.push({ code: 'memory', peakPct: l!.memoryPeakPct! });
  if (row.storageFullest && row.storageFullest.pct >= THRESHOLDS.storagePct) out.push({ code: 'storage', ...row.storageFullest });
  const t = f.temperature;
  if (t && t.maxC >= THRESHOLDS.temperatureC) out.push({ code: 'temperature', maxC: t.maxC, sensor: t.sensor });
  if (faulty.length > 0) out.push({ code: 'hardware', units: faulty.map((h) => ({ kind: h.kind, name: h.name, lastOk: h.lastOk })) });
  for (const u of f.ups) {
    if (u.onBattery.length > 0) out.push({ code: 'ups-on-battery', events: u.onBattery.length, totalMs: u.onBatteryTotalMs });
    if (u.replaceBattery) out.push({ code: 'ups-replace' });
    if (u.minChargePct !== undefined && u.minChargePct < THRESHOLDS.upsChargePct) out.push({ code: 'ups-charge', minPct: u.minChargePct });
  }
  return out;
}
