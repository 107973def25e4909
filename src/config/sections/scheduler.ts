import { z } from 'zod';
import { durationSchema } from '../duration.js';

/** `scheduler:` in noctua.yaml: how many polls run at once and how long one may take. */
export const schedulerSectionSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(10_000).default(128),
  icmpBackend: z.enum(['auto', 'fping', 'ping']).default('auto'),
  /** A poll still running after this share of its interval is abandoned, so it cannot starve the next one. */
  deadlineFraction: z.number().min(0.1).max(1).default(0.9),
  drainTimeout: durationSchema.default(10_000),
});
export type SchedulerSection = z.output<typeof schedulerSectionSchema>;
