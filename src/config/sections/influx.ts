import { z } from 'zod';
import { secret } from '../secret.js';
import { durationSchema } from '../duration.js';

const HOUR = 3_600_000;
const DEFAULT_URL = 'http://127.0.0.1:8086';
/** Most InfluxDB targets one writer feeds: each costs an encoder pass, a spool and a connection per batch. */
const MAX_TARGETS = 8;

const urlSchema = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const v2Schema = z.strictObject({ org: z.string().min(1), bucket: z.string().min(1), token: secret(z.string().min(1)) });

/** One InfluxDB of `influx.targets`: where it answers; what it leaves out comes from the `influx:` section around it. */
const targetSchema = z.strictObject({
  url: urlSchema,
  database: z.string().min(1).optional(),
  username: z.string().optional(),
  password: secret(z.string()).optional(),
  v2: v2Schema.optional(),
});

/** One InfluxDB every point is written to, with the section's defaults filled in. */
export interface InfluxTarget {
  url: string;
  database: string;
  username?: string;
  password?: string;
  v2?: z.output<typeof v2Schema>;
}

/** What makes two targets the same InfluxDB database: the URL without a trailing slash, and the database (or the v2 org and bucket). */
export function targetIdentity(t: Pick<InfluxTarget, 'url' | 'database' | 'v2'>): string {
  const u = new URL(t.url);
  const where = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  return t.v2 ? `${where} v2 ${t.v2.org}/${t.v2.bucket}` : `${where} db ${t.database}`;
}

const sectionSchema = z.strictObject({
  /** The one InfluxDB written to; with `targets` each target names its own instead. */
  url: urlSchema.optional(),
  database: z.string().min(1).default('noctua'),
  username: z.string().optional(),
  password: secret(z.string()).optional(),
  /**
   * Several InfluxDBs that each receive every point, each through its own spool (the influxdb-relay pattern);
   * reads go to the first that answers. `database`, `username`, `password` and `v2` above are their defaults.
   */
  targets: z.array(targetSchema).min(1, 'expected at least one target').max(MAX_TARGETS, `expected at most ${MAX_TARGETS} targets`).optional(),
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
  v2: v2Schema.optional(),
});

type SectionInput = z.output<typeof sectionSchema>;
/** The section after resolution: `url` always set; `targets` only when configured. */
type ResolvedSection = Omit<SectionInput, 'url' | 'targets'> & { url: string; targets?: InfluxTarget[] };

function resolveTargets(s: SectionInput): InfluxTarget[] {
  return (s.targets ?? []).map((t) => {
    // Credentials go as a pair: a target with its own user does not take the section's password.
    const own = t.username !== undefined || t.password !== undefined;
    const username = own ? t.username : s.username;
    const password = own ? t.password : s.password;
    const v2 = t.v2 ?? s.v2;
    return { url: t.url, database: t.database ?? s.database, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), ...(v2 ? { v2 } : {}) };
  });
}

/** `influx:` in noctua.yaml: where samples are written and how they are kept. */
export const influxSectionSchema = sectionSchema.superRefine((s, ctx) => {
  if (!s.targets) return;
  // Two places naming the InfluxDB would leave one of them silently unused.
  if (s.url !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'give each InfluxDB its url under targets (url and targets exclude each other)' });
  const seen = new Map<string, number>();
  resolveTargets(s).forEach((t, i) => {
    const id = targetIdentity(t);
    const first = seen.get(id);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['targets', i, 'url'], message: `duplicate target: same URL and database as targets[${first}] (${id})` });
    else seen.set(id, i);
  });
}).transform((s): ResolvedSection => {
  const { targets: _given, url, ...rest } = s;
  if (!s.targets) return { ...rest, url: url ?? DEFAULT_URL };
  const targets = resolveTargets(s);
  const first = targets[0]!;
  // The section's own connection fields name the first target, so code that reads one InfluxDB reads the first.
  const { username: _u, password: _p, v2: _v, ...shared } = rest;
  return { ...shared, ...first, targets };
});

/** The `influx:` section as Noctua uses it; `targets` is present only when configured (its first entry is also `url`, `database`, …). */
export type InfluxSection = z.output<typeof influxSectionSchema>;

/** Every InfluxDB written to: the configured targets, or the section's own `url` and `database`. */
export function influxTargets(s: InfluxSection): InfluxTarget[] {
  if (s.targets && s.targets.length > 0) return s.targets;
  return [{ url: s.url, database: s.database, ...(s.username !== undefined ? { username: s.username } : {}), ...(s.password !== undefined ? { password: s.password } : {}), ...(s.v2 ? { v2: s.v2 } : {}) }];
}

/** The section as seen by one target: its connection fields, everything else shared (what the single-target writer, set-up and reader take). */
export function sectionForTarget(s: InfluxSection, t: InfluxTarget): InfluxSection {
  const { targets: _t, username: _u, password: _p, v2: _v, ...shared } = s;
  return { ...shared, ...t };
}
