import { z } from 'zod';
import { durationSchema } from '../duration.js';

/** `scheduler:` in noctua.yaml: how many polls run at once and how long one may take. */
export const schedulerSectionSchema = z.strictObject({
  /**
   * Ceiling of polls talking to the network at once across the whole fleet (an fping batch counts as one), like
   * Zabbix 7's MaxConcurrentChecksPerPoller: a guard, not the working limit. The limit itself starts at 32 and adapts
   * below it (grows while polls wait, never under what the schedule needs by Little's law, shrinks on queueing).
   */
  concurrency: z.number().int().min(1).max(10_000).default(1000),
  /** Polls in flight to one agent (address and port) at once: devices behind one address, or a device's SNMP and inventory polls. */
  perAgent: z.number().int().min(1).max(64).default(4),
  icmpBackend: z.enum(['auto', 'fping', 'ping']).default('auto'),
  /** A poll still running after this share of its interval is abandoned, so it cannot starve the next one. */
  deadlineFraction: z.number().min(0.1).max(1).default(0.9),
  /** On SIGTERM, how long polls under way may take to finish before they are abandoned. */
  drainTimeout: durationSchema.default(10_000),
  /** How often the scheduler writes its own health (`noctua_self` samples). */
  selfInterval: durationSchema.refine((ms) => ms >= 1000, { message: 'expected at least 1s (1000 ms)' }).default(30_000),
  /** Name of this poller in `noctua_self` samples (the `instance` tag); the host name when absent. */
  instance: z.string().min(1).optional(),
});
export type SchedulerSection = z.output<typeof schedulerSectionSchema>;
