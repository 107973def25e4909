import type { Block, SectionContext } from '../blocks.js';

/** 7. Capacity outlook: what the period's trend brings to the limit, and when. */
export function capacityBlocks({ model, s, fmt, zh, noDataNote }: SectionContext): Block[] {
  const blocks: Block[] = [{ type: 'p', text: s.capacityIntro }];
  if (!model.hasData) blocks.push(noDataNote);
  else if (model.capacity.length === 0) blocks.push({ type: 'p', text: s.noCapacity });
  else blocks.push({
    type: 'table', head: [s.col.kind, s.col.device, s.col.resource, s.col.now, s.col.growth, s.col.reaches], align: ['l', 'l', 'l', 'r', 'r', 'l'],
    rows: model.capacity.map((x) => [s.kindName[x.kind], x.device, x.name, fmt.pct(x.nowPct), `${x.slopePerDay >= 0 ? '+' : ''}${fmt.num(x.slopePerDay, 2)}${zh ? '%' : ' %'}`,
      { text: x.alreadyOver ? s.alreadyOver : fmt.date(x.at), tone: 'bad' }]),
  });
  return blocks;
}
