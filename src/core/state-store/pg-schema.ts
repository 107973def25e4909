import type { Pool, PoolClient } from 'pg';

/**
 * The PostgreSQL side of the state store, versioned: each step runs once, in order, recorded in
 * `noctua_pg_schema`. The SQLite working copy keeps its own per-module migrations (src/core/database.ts).
 */
const STEPS: readonly string[] = [
  `CREATE TABLE noctua_leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
   CREATE TABLE noctua_journal (seq BIGINT PRIMARY KEY, epoch BIGINT NOT NULL, entry BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
   CREATE TABLE noctua_snapshots (seq BIGINT PRIMARY KEY, epoch BIGINT NOT NULL, image BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());`,
];

/** The schema version this Noctua writes. */
export const PG_SCHEMA_VERSION = STEPS.length;

/** Advisory lock key of migrations ("noctua" as ASCII): two cores starting together never migrate at once. */
const MIGRATE_LOCK = 0x6e6f63747561;

/** Runs `work` in one transaction on a client of `pool`: committed when it returns, rolled back when it throws. */
export async function inPgTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** What a migration did. */
export interface MigrateResult { from: number; to: number }

/**
 * Brings the PostgreSQL schema to {@link PG_SCHEMA_VERSION} under a transaction-scoped advisory lock; a newer
 * schema than this Noctua knows is refused (an older core must not write to it).
 */
export async function migratePg(pool: Pool): Promise<MigrateResult> {
  return inPgTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    await c.query('CREATE TABLE IF NOT EXISTS noctua_pg_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const from = Number((await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM noctua_pg_schema')).rows[0]?.v ?? 0);
    if (from > STEPS.length) throw new Error(`the PostgreSQL state schema is at version ${from}, newer than this Noctua knows (${STEPS.length}): upgrade Noctua`);
    for (let v = from + 1; v <= STEPS.length; v++) {
      await c.query(STEPS[v - 1]!);
      await c.query('INSERT INTO noctua_pg_schema (version) VALUES ($1)', [v]);
    }
    return { from, to: STEPS.length };
  });
}
