import { z } from 'zod';
import { secret } from '../secret.js';
import { durationSchema } from '../duration.js';

const HOUR = 3_600_000;

/** `influx:` in noctua.yaml: where samples are written and how they are kept. */
export const influxSectionSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).default('http://127.0.0.1:8086'),
  database: z.string().min(1).default('noctua'),
  username: z.string().optional(),
  password: secret(z.string()).optional(),
  precision: z.enum(['s', 'ms']).default('s'),
  batchSize: z.number().int().min(1).max(100_000).default(5000),
  flushInterval: durationSchema.default(1000),
  maxQueue: z.number().int().min(1000).default(200_000),
  /** A write that has not been answered by then counts as failed and its batch goes to the spool. */
  timeout: durationSchema.pipe(z.number().min(100, 'expected at least 100ms')).default(10_000),
  /** Create the database, retention policies and continuous queries at start; off when an administrator manages them. */
  manageDatabase: z.boolean().default(true),
  retention: z.strictObject({
    raw: durationSchema.pipe(z.number().min(HOUR, 'expected at least 1h (InfluxDB minimum)')).default(30 * 86_400_000),
    longTerm: durationSchema.pipe(z.number().min(HOUR, 'expected at least 1h (InfluxDB minimum)')).default(400 * 86_400_000),
    downsampleInterval: durationSchema.pipe(z.number().min(1000, 'expected at least 1s')).default(5 * 60_000),
    /** How far back each continuous-query run recomputes, so points replayed late from the spool are downsampled too. */
    resampleFor: durationSchema.default(HOUR),
  }).prefault({}).refine((r) => r.resampleFor >= r.downsampleInterval, {
    message: 'expected at least downsampleInterval', path: ['resampleFor'],
  }),
  spool: z.strictObject({
    maxBytes: z.number().int().min(1024 * 1024).default(1024 * 1024 * 1024),
    /** Size at which a spool segment is closed and a new one started; the cap drops whole segments. */
    segmentBytes: z.number().int().min(64 * 1024).default(16 * 1024 * 1024),
  }).prefault({}).refine((s) => s.segmentBytes <= s.maxBytes / 2, {
    message: 'expected at most half of maxBytes', path: ['segmentBytes'],
  }),
  /** InfluxDB 2.x/3.x through the v2 write API; the line protocol is the same. */
  v2: z.strictObject({ org: z.string().min(1), bucket: z.string().min(1), token: secret(z.string().min(1)) }).optional(),
});
export type InfluxSection = z.output<typeof influxSectionSchema>;
