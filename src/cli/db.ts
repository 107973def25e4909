import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../config/loader.js';
import { copySqliteToPg } from '../core/state-store/copy.js';
import { describePgUrl } from '../core/state-store/index.js';
import { migratePg } from '../core/state-store/pg-schema.js';
import { UsageError, parseFlags, type CliCommand } from './command.js';

const PG_URL = /^postgres(ql)?:\/\/[^/]/;

/** A `--flag` value that must be a postgres:// URL with a host. */
function pgUrlFlag(flag: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`--${flag}: required (a postgres://user:password@host:port/database URL)`);
  let ok = PG_URL.test(value);
  try { ok = ok && new URL(value).hostname !== ''; } catch { ok = false; }
  if (!ok) throw new UsageError(`--${flag}: expected a postgres://user:password@host:port/database URL`);
  return value;
}

/**
 * `noctua db migrate` brings the PostgreSQL state schema up to date (under an advisory lock; cores also do it at
 * start); `noctua db copy` uploads an existing SQLite state as the first snapshot of an empty PostgreSQL store.
 */
export const command: CliCommand = {
  name: 'db',
  summary: 'The state store on PostgreSQL: migrate its schema, or copy an existing SQLite state into it.',
  usage: 'noctua db migrate [--config DIR | --url postgres://…]\n       noctua db copy --from sqlite:PATH --to postgres://…',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string', short: 'c' }, url: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    }, true);
    const [sub, ...extra] = positionals;
    if (extra.length > 0 || (sub !== 'migrate' && sub !== 'copy')) throw new UsageError(`expected "migrate" or "copy", got ${JSON.stringify(positionals.join(' '))}`);
    if (sub === 'migrate') {
      if (values.from !== undefined || values.to !== undefined) throw new UsageError('--from/--to belong to "db copy"');
      if (values.url !== undefined && values.config !== undefined) throw new UsageError('give --config or --url, not both');
      let url: string;
      if (values.url !== undefined) url = pgUrlFlag('url', values.url);
      else {
        const dir = values.config ?? 'config';
        const store = loadConfig(dir).settings.state.store;
        if (store === 'sqlite') throw new UsageError(`state.store in ${join(dir, 'noctua.yaml')} is "sqlite": nothing to migrate in PostgreSQL (set it to a postgres:// URL, or give --url)`);
        url = store;
      }
      const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
      pool.on('error', () => undefined);
      try {
        const r = await migratePg(pool);
        console.log(r.from === r.to ? `PostgreSQL state schema at ${describePgUrl(url)} is up to date (version ${r.to})` : `PostgreSQL state schema at ${describePgUrl(url)} migrated from version ${r.from} to ${r.to}`);
        return 0;
      } catch (err) {
        console.error(`noctua db migrate: ${describePgUrl(url)}: ${(err as Error).message}`);
        return 1;
      } finally {
        await pool.end().catch(() => undefined);
      }
    }
    if (values.config !== undefined || values.url !== undefined) throw new UsageError('"db copy" takes --from and --to only');
    if (values.from === undefined) throw new UsageError('--from: required (sqlite:PATH of an existing noctua.db)');
    if (!values.from.startsWith('sqlite:') || values.from.length === 'sqlite:'.length) throw new UsageError(`--from: expected sqlite:PATH, got ${JSON.stringify(values.from)}`);
    const path = values.from.slice('sqlite:'.length);
    if (!existsSync(path)) throw new UsageError(`--from: ${path}: no such file`);
    const to = pgUrlFlag('to', values.to);
    try {
      const r = await copySqliteToPg(path, to);
      console.log(`copied ${path} (${r.tables} tables, ${r.bytes} bytes) to ${describePgUrl(to)} as its first snapshot; start the cores with state.store set to this URL`);
      return 0;
    } catch (err) {
      console.error(`noctua db copy: ${(err as Error).message}`);
      return 1;
    }
  },
};
