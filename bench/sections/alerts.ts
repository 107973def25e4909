import type { BenchContext } from '../context.js';

/** Placeholder while the section is written. */
export async function alertsSection(ctx: BenchContext): Promise<void> {
  ctx.say('alerts: not yet');
}
