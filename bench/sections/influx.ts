import type { BenchContext } from '../context.js';

/** Placeholder while the section is written. */
export async function influxSection(ctx: BenchContext): Promise<void> {
  ctx.say('influx: not yet');
}
