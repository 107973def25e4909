import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { targetIdentity, type InfluxTarget } from '../../config/sections/influx.js';

/** A target as people read it, without credentials: `host:port[/path] database` (or `org/bucket` on v2). */
export function targetLabel(t: InfluxTarget): string {
  const u = new URL(t.url);
  const where = `${u.host}${u.pathname.replace(/\/+$/, '')}`;
  return t.v2 ? `${where} ${t.v2.org}/${t.v2.bucket}` : `${where} ${t.database}`;
}

/**
 * The directory name of a target's spool: host and port for people, and a short hash of URL and database so the
 * name stays the same across restarts and list reorderings and two databases on one InfluxDB never share a spool.
 */
export function targetSpoolName(t: InfluxTarget): string {
  const u = new URL(t.url);
  const host = `${u.hostname}_${u.port || (u.protocol === 'https:' ? '443' : '80')}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const hash = createHash('sha256').update(targetIdentity(t)).digest('hex').slice(0, 10);
  return `${host}-${hash}`;
}

/** Where a target of `influx.targets` spools: `<stateDir>/spool/targets/<name>/` (a single InfluxDB keeps `<stateDir>/spool/`). */
export function targetSpoolDir(stateDir: string, t: InfluxTarget): string {
  return join(stateDir, 'spool', 'targets', targetSpoolName(t));
}
