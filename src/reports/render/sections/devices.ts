import type { DeviceRow } from '../../model/types.js';
import { THRESHOLDS } from '../../model/thresholds.js';
import { DASH, type Block, type Cell, type SectionContext } from '../blocks.js';
import { findingText } from '../i18n.js';

/** One row of the device table, each value toned against THRESHOLDS. */
function deviceCells({ s, fmt, pct1, pct3 }: SectionContext, d: DeviceRow): Cell[] {
  return [
    d.device, d.site || DASH,
    { text: s.state[d.state], tone: d.state === 'down' ? 'bad' : d.state === 'up' ? 'good' : 'muted' },
    { text: pct3(d.availabilityPct), tone: d.availabilityPct !== undefined && d.availabilityPct < THRESHOLDS.availabilityPct ? 'warn' : undefined },
    d.hasData ? { text: String(d.reboots), tone: d.reboots > 0 ? 'warn' : undefined } : DASH,
    pct1(d.cpuAvgPct), { text: pct1(d.cpuPeakPct), tone: (d.cpuPeakPct ?? 0) >= THRESHOLDS.cpuPeakPct ? 'warn' : undefined },
    { text: pct1(d.memoryPeakPct), tone: (d.memoryPeakPct ?? 0) >= THRESHOLDS.memoryPeakPct ? 'warn' : undefined },
    d.storageFullest ? { text: `${d.storageFullest.mount} ${fmt.pct(d.storageFullest.pct)}`, tone: d.storageFullest.pct >= THRESHOLDS.storagePct ? 'warn' : undefined } : DASH,
    d.temperatureMaxC === undefined ? DASH : { text: `${fmt.num(d.temperatureMaxC, 1)} °C`, tone: d.temperatureMaxC >= THRESHOLDS.temperatureC ? 'warn' : undefined },
    { text: s.hw[d.hardware], tone: d.hardware === 'fault' ? 'bad' : undefined },
    { text: s.deviceVerdict[d.verdict], tone: d.verdict === 'normal' ? 'good' : d.verdict === 'attention' ? 'bad' : 'muted' },
  ];
}

/** 2. Device inspection: one row per device, then the findings of those that need attention. */
export function deviceBlocks(ctx: SectionContext): Block[] {
  const { model, s, fmt, zh } = ctx;
  const blocks: Block[] = [];
  if (!model.hasData) blocks.push(ctx.noDataNote);
  if (model.devices.length === 0) return blocks;
  blocks.push({
    type: 'table', variant: 'devices',
    head: [s.col.device, s.col.site, s.col.state, s.col.availability, s.col.reboots, s.col.cpuAvg, s.col.cpuPeak, s.col.memPeak, s.col.storage, s.col.temp, s.col.hw, s.col.verdict],
    align: ['l', 'l', 'c', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'c', 'c'],
    rows: model.devices.map((d) => deviceCells(ctx, d)),
  });
  const attention = model.devices.filter((d) => d.findings.length > 0);
  // Without any data the notice above already says it; a row per device repeating it adds nothing.
  if (attention.length > 0 && model.hasData) {
    blocks.push({ type: 'h3', text: s.col.findings });
    blocks.push({ type: 'table', head: [s.col.device, s.col.findings], align: ['l', 'l'], rows: attention.map((d) => [d.device, d.findings.map((f) => findingText(fmt, f)).join(zh ? '；' : '; ')]) });
  }
  return blocks;
}
