import { z } from 'zod';
import { durationSchema } from '../duration.js';

/** `influx:` in noctua.yaml: where samples are written and how they are kept. */
export const influxSectionSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).default('http://127.0.0.1:8086'),
  database: z.string().min(1).default('noctua'),
  username: z.string().optional(),
  password: z.string().optional(),
  precision: z.enum(['s', 'ms']).default('s'),
  batchSize: z.number().int().min(1).max(100_000).default(5000),
  flushInterval: durationSchema.default(1000),
  maxQueue: z.number().int().min(1000).default(200_000),
  retention: z.strictObject({
    raw: durationSchema.default(30 * 86_400_000),
    longTerm: durationSchema.default(400 * 86_400_000),
    downsampleInterval: durationSchema.default(5 * 60_000),
  }).prefault({}),
  spool: z.strictObject({
    maxBytes: z.number().int().min(1024 * 1024).default(1024 * 1024 * 1024),
  }).prefault({}),
  /** InfluxDB 2.x/3.x through the v2 write API; the line protocol is the same. */
  v2: z.strictObject({ org: z.string().min(1), bucket: z.string().min(1), token: z.string().min(1) }).optional(),
});
export type InfluxSection = z.output<typeof influxSectionSchema>;
