import { z } from 'zod';
import { secret } from '../secret.js';
import { durationSchema } from '../duration.js';

/** A `postgres://` or `postgresql://` URL with a host (the password may come from `${ENV}`). */
const postgresUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch { return false; }
}, { message: 'expected "sqlite" or a postgres://user:password@host:port/database URL' });

/**
 * `state:` in noctua.yaml: where the incident state (incidents, alerts, clocks, outbox, SLA, maintenance, audit,
 * problems, knowledge, assets) lives durably. `sqlite` (the default) keeps it in `<stateDir>/noctua.db` only;
 * a PostgreSQL URL makes PostgreSQL the shared durable store and the local file a working copy (docs/SCALE.md).
 */
export const stateSectionSchema = z.strictObject({
  /** `sqlite`, or a postgres:// URL (write the password as `${NOCTUA_PG_PASSWORD}`). */
  store: secret(z.union([z.literal('sqlite'), postgresUrl])).default('sqlite'),
  /** A snapshot of the working copy is stored in PostgreSQL after this many journal entries... */
  snapshotEvery: z.number().int().min(10).max(10_000_000).default(5000),
  /** ...or after this long, if anything was written since the last one. */
  snapshotInterval: durationSchema.refine((ms) => ms >= 1000, { message: 'expected at least 1s' }).default(300_000),
  /** How often a standby core reads new journal entries into its working copy. */
  tailInterval: durationSchema.refine((ms) => ms >= 20 && ms <= 60_000, { message: 'expected between 20ms and 1m' }).default(500),
});
export type StateSection = z.output<typeof stateSectionSchema>;
