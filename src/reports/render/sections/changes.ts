import { assetBlocks } from './assets.js';
import { DASH, type Block, type SectionContext } from '../blocks.js';

/** Devices added and removed since the previous period. */
export function fleetChanges({ model, s }: SectionContext): Block[] {
  const c = model.changes;
  const blocks: Block[] = [{ type: 'h3', text: `${s.devicesAdded} / ${s.devicesRemoved}` }];
  if (!c.previousHasData) blocks.push({ type: 'p', text: s.prevNoData, tone: 'note' });
  else if (c.added.length === 0 && c.removed.length === 0) blocks.push({ type: 'p', text: s.none });
  else blocks.push({
    type: 'table', head: [s.col.change, s.col.device, s.col.site, s.col.class], align: ['l', 'l', 'l', 'l'],
    rows: [...c.added.map((d) => [{ text: s.devicesAdded, tone: 'good' as const }, d.device, d.site, d.class]), ...c.removed.map((d) => [{ text: s.devicesRemoved, tone: 'warn' as const }, d.device, d.site, d.class])],
  });
  return blocks;
}

/** Model, firmware and serial changes. */
export function identityChanges({ model, s, fmt }: SectionContext): Block[] {
  const list = model.changes.identity;
  return [{ type: 'h3', text: s.identityChanges }, list.length === 0 ? { type: 'p', text: s.none } : {
    type: 'table', head: [s.col.time, s.col.device, s.col.kind, s.col.change], align: ['l', 'l', 'l', 'l'],
    rows: list.map((x) => [fmt.dateTime(x.time), x.device, s.field[x.field], `${x.from ?? DASH} → ${x.to ?? DASH}`]),
  }];
}

/** Reboots in time order. */
export function rebootList({ model, s, fmt }: SectionContext): Block[] {
  const list = model.changes.reboots;
  return [{ type: 'h3', text: s.rebootList }, list.length === 0 ? { type: 'p', text: s.none }
    : { type: 'table', head: [s.col.time, s.col.device, s.col.detail], align: ['l', 'l', 'l'], rows: list.map((r) => [fmt.dateTime(r.time), r.device, r.message || DASH]) }];
}

/** 6. Changes: fleet, identity, reboots, and the asset register (monthly). */
export function changeBlocks(ctx: SectionContext): Block[] {
  // The asset register comes from the state database, not InfluxDB: it is shown also when the period has no samples.
  if (!ctx.model.hasData) return [ctx.noDataNote, ...assetBlocks(ctx)];
  return [...fleetChanges(ctx), ...identityChanges(ctx), ...rebootList(ctx), ...assetBlocks(ctx)];
}
