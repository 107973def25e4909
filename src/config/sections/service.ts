import { z } from 'zod';
import { durationSchema } from '../duration.js';

/** How recurring faults become problem records (问题管理). */
const problemsSchema = z.strictObject({
  /** Problem records are opened automatically; false keeps the manual API only. */
  enabled: z.boolean().default(true),
  /** Incidents of the same key within `window` that open a problem record. */
  threshold: z.number().int().min(2, 'expected at least 2 incidents (one incident is not a pattern)').max(1000).default(3),
  /** How far back incidents are counted. */
  window: durationSchema.default(30 * 86_400_000),
  /** What makes incidents "the same": the device, or the device and the rule that fired first. */
  by: z.enum(['device', 'device-rule']).default('device'),
});

/** Runbooks and the knowledge base (知识库). */
const knowledgeSchema = z.strictObject({
  /** Markdown runbooks per rule or event type, relative to the config directory. */
  runbookDir: z.string().min(1).default('runbooks'),
  /** Resolution notes shorter than this are not kept as knowledge ("ok", "fixed"). */
  minNoteLength: z.number().int().min(0).max(1000).default(10),
});

/** `service:` in noctua.yaml: problem management and the knowledge base (docs/SERVICE.md). */
export const serviceSectionSchema = z.strictObject({
  problems: problemsSchema.prefault({}),
  knowledge: knowledgeSchema.prefault({}),
});
export type ServiceSection = z.output<typeof serviceSectionSchema>;
