import type { BenchContext } from '../context.js';

/** Placeholder while the section is written. */
export async function snmpSection(ctx: BenchContext): Promise<void> {
  ctx.say('snmp: not yet');
}
