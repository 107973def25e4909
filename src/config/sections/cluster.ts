import { z } from 'zod';
import { secret } from '../secret.js';
import { durationSchema } from '../duration.js';

/** A role a Noctua process may hold in a cluster. */
export const clusterRoleSchema = z.enum(['poller', 'core']);
export type ClusterRole = z.output<typeof clusterRoleSchema>;

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * `cluster:` in noctua.yaml: whether this process polls a share of a group's devices and forwards the
 * samples through Redis (`poller`), consumes them and runs storage, alerting and the API (`core`), both, or
 * neither (`standalone`, the default: everything in one process, no Redis).
 */
export const clusterSectionSchema = z.strictObject({
  /** standalone, poller, core, or a list such as [poller, core] for one process holding both. */
  role: z.union([z.literal('standalone'), clusterRoleSchema, z.array(clusterRoleSchema).min(1).max(2)]).default('standalone'),
  /** The group this poller serves (a site or region); it polls only devices of this group. */
  group: z.string().regex(NAME, { message: 'expected letters, digits, "_", "-" or "."' }).default('default'),
  /** Which sites belong to which group; a device whose site is in no group belongs to the group "default". */
  groups: z.record(z.string().regex(NAME, { message: 'expected letters, digits, "_", "-" or "."' }), z.array(z.string().min(1)).min(1)).default({}),
  /** This member's name in Redis; kept across restarts so a restarted poller gets its own share back. */
  id: z.string().regex(NAME, { message: 'expected letters, digits, "_", "-" or "."' }).optional(),
  redis: z.strictObject({
    /** Where Redis answers (redis:// or rediss://, optionally with user:password@). */
    url: secret(z.string().regex(/^rediss?:\/\//, { message: 'expected a redis:// or rediss:// URL' })).default('redis://127.0.0.1:6379'),
    /** Prefix of every key Noctua writes, so one Redis can serve several clusters. */
    keyPrefix: z.string().regex(NAME, { message: 'expected letters, digits, "_", "-" or "."' }).default('noctua'),
    /** A Redis command not answered within this time counts as Redis being unreachable. */
    commandTimeout: durationSchema.refine((ms) => ms >= 100, { message: 'expected at least 100ms' }).default(2000),
  }).prefault({}),
  /** How often a member says it is alive; a dead poller's devices are taken over within two of these. */
  heartbeat: durationSchema.refine((ms) => ms >= 200, { message: 'expected at least 200ms' }).default(5000),
  /** How long the leader lease of the alert engine lasts without renewal; the standby core takes over after it. */
  leaderLease: durationSchema.refine((ms) => ms >= 500, { message: 'expected at least 500ms' }).default(15_000),
  /** Most batches (one per poll) a group's stream holds; beyond it pollers keep further batches in their disk spool (nothing is trimmed unread). */
  streamMaxLen: z.number().int().min(100).max(100_000_000).default(50_000),
  /** Stream entries the core reads at once. */
  readCount: z.number().int().min(1).max(10_000).default(500),
  /** After a read that was not full the core waits this long for more before handing the read on: fewer, larger InfluxDB writes for a little alert latency. */
  readLinger: durationSchema.refine((ms) => ms <= 5000, { message: 'expected at most 5s' }).default(250),
  /**
   * How the cores consume the streams. `single` (default): the leading core alone reads every entry, writes it to
   * InfluxDB and feeds its alert engine. `split`: every core (leader and standbys) writes a share of the entries
   * to InfluxDB through the consumer group "core", while the leader's engine reads every entry through a second
   * consumer group "engine" (docs/SCALE.md, "Split consume"). Every core of a cluster must use the same value.
   */
  consume: z.enum(['single', 'split']).default('single'),
  /** split: an entry read by a core but not acknowledged for this long is taken over by another core (its reader presumed dead). */
  claimIdle: durationSchema.refine((ms) => ms >= 1000, { message: 'expected at least 1s' }).default(30_000),
  /** How long the core remembers the last batch it applied from a poller run after that run went quiet (one small key per run). */
  dedupWindow: durationSchema.refine((ms) => ms >= 60_000, { message: 'expected at least 1m' }).default(7 * 86_400_000),
});
export type ClusterSection = z.output<typeof clusterSectionSchema>;

/** The roles a `cluster.role` value stands for: none for standalone. */
export function clusterRoles(section: Pick<ClusterSection, 'role'>): Set<ClusterRole> {
  const r = section.role;
  if (r === 'standalone') return new Set();
  return new Set(Array.isArray(r) ? r : [r]);
}
