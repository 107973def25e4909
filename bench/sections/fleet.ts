import type { BenchContext } from '../context.js';

/** Placeholder while the section is written. */
export async function fleetSection(ctx: BenchContext): Promise<void> {
  ctx.say('fleet: not yet');
}
