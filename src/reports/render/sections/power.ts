import { THRESHOLDS } from '../../model/thresholds.js';
import { DASH, type Block, type SectionContext } from '../blocks.js';

/** 4. Power: each UPS's minimum charge and runtime, its on-battery events and battery state. */
export function powerBlocks({ model, s, fmt, pct1 }: SectionContext): Block[] {
  if (model.ups.length === 0) return [{ type: 'p', text: s.noUps, tone: 'note' }];
  const blocks: Block[] = [{
    type: 'table', head: [s.col.ups, s.col.minCharge, s.col.minRuntime, s.col.onBattery, s.col.replace], align: ['l', 'r', 'r', 'l', 'c'],
    rows: model.ups.map((u) => [
      u.ups ? `${u.device} (${u.ups})` : u.device,
      { text: pct1(u.minChargePct), tone: (u.minChargePct ?? 100) < THRESHOLDS.upsChargePct ? 'warn' : undefined },
      u.minRuntimeMin === undefined ? DASH : fmt.duration(u.minRuntimeMin * 60_000),
      { text: s.events(u.onBattery.length, fmt.duration(u.onBatteryTotalMs)), tone: u.onBattery.length > 0 ? 'warn' : undefined },
      { text: u.replaceBattery ? s.yes : s.no, tone: u.replaceBattery ? 'bad' : undefined },
    ]),
  }];
  const events = model.ups.flatMap((u) => u.onBattery.map((e) => ({ u, e })));
  if (events.length > 0) blocks.push({
    type: 'table', head: [s.col.ups, s.col.time, s.col.duration], align: ['l', 'l', 'r'],
    rows: events.map(({ u, e }) => [u.device, `${fmt.dateTime(e.start)} – ${e.end ? fmt.dateTime(e.end) : s.ongoing}`, fmt.duration(e.durationMs)]),
  });
  return blocks;
}
