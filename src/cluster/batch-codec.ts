import { z } from 'zod';
import type { Sample } from '../core/sample.js';

/** A batch of samples as it travels through a Redis Stream: an id that makes the core idempotent, and the samples. */
export interface SampleBatch {
  /** `<member>:<run>:<seq>`: unique per batch, kept through a poller's disk spool and replay. */
  id: string;
  samples: Sample[];
}

// bigint has no JSON form: such fields travel as decimal strings and are named in `b`, so the core gets
// back exactly the JS type the poller produced (InfluxDB refuses a field whose type changes).
const wireSample = z.tuple([
  z.string(),
  z.record(z.string(), z.string()),
  z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  z.number(),
  z.array(z.string()).optional(),
]);
const wireBatch = z.strictObject({ v: z.literal(1), id: z.string().min(1), s: z.array(wireSample) });

/** Encodes a batch as one JSON string. */
export function encodeBatch(batch: SampleBatch): string {
  return JSON.stringify({
    v: 1, id: batch.id,
    s: batch.samples.map((x) => {
      const big: string[] = [];
      const fields: Record<string, number | string | boolean> = {};
      for (const [k, v] of Object.entries(x.fields)) {
        if (typeof v === 'bigint') { big.push(k); fields[k] = v.toString(); } else fields[k] = v;
      }
      return big.length > 0 ? [x.measurement, x.tags, fields, x.time.getTime(), big] : [x.measurement, x.tags, fields, x.time.getTime()];
    }),
  });
}

/** Decodes {@link encodeBatch}'s output; throws on anything else. */
export function decodeBatch(text: string): SampleBatch {
  const w = wireBatch.parse(JSON.parse(text));
  return {
    id: w.id,
    samples: w.s.map(([measurement, tags, raw, t, big]) => {
      const fields: Sample['fields'] = { ...raw };
      for (const k of big ?? []) fields[k] = BigInt(raw[k] as string);
      return { measurement, tags, fields, time: new Date(t) };
    }),
  };
}
