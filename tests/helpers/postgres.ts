import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freeTcpPort, GiveUpWaiting, waitFor } from '../../src/lab/ports.js';

const BIN = '/usr/lib/postgresql/15/bin';

/** A private PostgreSQL 15 on 127.0.0.1, for the state-store tests. */
export interface PostgresInstance {
  port: number;
  /** The data directory (under the test's directory, or under /tmp when running as root: see {@link startPostgres}). */
  dataDir: string;
  /** A URL of database `db` as user `noctua` (trust authentication on loopback). */
  url(db?: string): string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops it (fast shutdown) and removes a data directory made under /tmp. */
  stop(): Promise<void>;
}

/**
 * Starts `postgres` (initdb first) with its data under `dir`. PostgreSQL refuses to run as root, so as root it runs
 * as the Debian `postgres` user; that user cannot enter a 0700 directory of root's (a checkout or mkdtemp dir), so
 * its data directory is then a fresh 0700 one under /tmp owned by `postgres`, removed by stop().
 */
export async function startPostgres(opts: { dir: string; /** On for the benchmark; off in tests, which kill Noctua, never this server. */ fsync?: boolean }): Promise<PostgresInstance> {
  const root = process.getuid?.() === 0;
  let ids: { uid: number; gid: number } | undefined;
  let base = opts.dir;
  if (root) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs the Debian "postgres" user (apt install postgresql)');
    ids = { uid, gid };
    base = mkdtempSync('/tmp/noctua-pg-');
    chownSync(base, uid, gid);
  } else {
    mkdirSync(base, { recursive: true });
  }
  const dataDir = join(base, 'data');
  const logFile = join(base, 'postgres.log');
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(BIN, cmd), args, { cwd: base, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, ...ids });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', dataDir, '-U', 'noctua', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const port = await freeTcpPort();
  const fd = openSync(logFile, 'a');
  if (ids) chownSync(logFile, ids.uid, ids.gid);
  const child: ChildProcess = spawn(join(BIN, 'postgres'), ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
    '-c', `fsync=${opts.fsync ? 'on' : 'off'}`, '-c', 'max_connections=60', '-c', 'shared_buffers=16MB'], { cwd: base, stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' }, ...ids });
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = (db = 'postgres') => `postgres://noctua@127.0.0.1:${port}/${db}`;
  const probe = async () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new GiveUpWaiting(`postgres exited: ${readFileSync(logFile, 'utf8').slice(-600)}`);
    const c = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 1000 });
    c.on('error', () => undefined);
    try { await c.connect(); await c.query('SELECT 1'); return true; } catch { return false; } finally { await c.end().catch(() => undefined); }
  };
  try {
    await waitFor(`postgres on 127.0.0.1:${port}`, probe, 30_000, 100);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (root) rmSync(base, { recursive: true, force: true });
    throw err;
  }
  return {
    port, dataDir, url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try { await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`); } finally { await c.end(); }
      return url(name);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) { child.kill('SIGINT'); await exited; }
      if (root) rmSync(base, { recursive: true, force: true });
    },
  };
}
