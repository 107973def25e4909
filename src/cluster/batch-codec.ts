import { gunzipSync, gzipSync } from 'node:zlib';
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

/**
 * Encodes a batch as one line of text: `nb1 <id> <base64 of gzipped JSON>`. Compressed because a device
 * poll is ~21 KiB of JSON but ~1.6 KiB gzipped (measured on the shared recordings, docs/SCALE.md): that is
 * Redis memory, network and AOF bandwidth. Text, not binary, so it fits the disk spool's UTF-8 records.
 */
export function encodeBatch(batch: SampleBatch): string {
  if (/\s/.test(batch.id)) throw new Error(`batch id ${JSON.stringify(batch.id)} must not contain white space`);
  const json = JSON.stringify({
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
  return `nb1 ${batch.id} ${gzipSync(json, { level: 6 }).toString('base64')}`;
}

/** The id of an encoded batch, without decompressing it. */
export function batchIdOf(text: string): string {
  const m = /^nb1 (\S+) /.exec(text);
  if (!m) throw new Error('not an encoded sample batch');
  return m[1]!;
}

/**
 * The most JSON one batch may inflate to. A device poll is ~21 KiB and an fping sweep of 10,000 devices ~2 MiB;
 * a gzip bomb (1 MiB on the wire inflates to 1 GiB) must be refused before it takes the core's memory.
 */
export const MAX_BATCH_JSON_BYTES = 64 * 1024 * 1024;

/** A gzipped payload that inflates beyond its bound: corrupt or hostile, refused without inflating the rest. */
export class InflateLimitError extends Error {
  constructor(what: string, readonly limitBytes: number) {
    super(`${what} inflates beyond ${Math.round(limitBytes / 1048576)} MiB: refused as corrupt or hostile`);
    this.name = 'InflateLimitError';
  }
}

/** gunzip with an output bound: zlib stops at `limitBytes` instead of allocating whatever the input claims. */
export function gunzipBounded(data: Buffer, limitBytes: number, what: string): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: limitBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new InflateLimitError(what, limitBytes);
    throw err;
  }
}

/** Decodes {@link encodeBatch}'s output; throws on anything else, and {@link InflateLimitError} beyond `limitBytes` of JSON. */
export function decodeBatch(text: string, limitBytes = MAX_BATCH_JSON_BYTES): SampleBatch {
  const m = /^nb1 (\S+) (\S+)$/.exec(text);
  if (!m) throw new Error('not an encoded sample batch');
  const w = wireBatch.parse(JSON.parse(gunzipBounded(Buffer.from(m[2]!, 'base64'), limitBytes, `sample batch ${m[1]}`).toString('utf8')));
  if (w.id !== m[1]) throw new Error(`batch id ${m[1]} does not match its contents (${w.id})`);
  return {
    id: w.id,
    samples: w.s.map(([measurement, tags, raw, t, big]) => {
      const fields: Sample['fields'] = { ...raw };
      for (const k of big ?? []) fields[k] = BigInt(raw[k] as string);
      return { measurement, tags, fields, time: new Date(t) };
    }),
  };
}
