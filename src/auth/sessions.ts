import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../core/database.js';
import type { Principal, Role, Via } from './principal.js';
import { migrateAuth } from './schema.js';

/** A session as the store keeps it. */
export interface Session {
  principal: Principal;
  /** The authenticator that vouched for the person (`local`, `ldap`, ...), when known. */
  source?: string;
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeen: Date;
}

interface Row { name: string; role: Role; sites: string | null; via: Via; source: string | null; csrf: string; created_at: number; expires_at: number; last_seen: number }

/** Longest cookie value looked up; a real session id is 43 characters. */
const MAX_ID_LENGTH = 100;
/** last_seen is written at most this often, so a busy console does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

function digest(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/** Server-side console sessions in the state database; each ends at `maxAge` or after `idleTimeout` without use. */
export class SessionStore {
  constructor(private readonly db: Db, private readonly limits: { maxAge: number; idleTimeout: number }) {
    migrateAuth(db);
  }

  /** Opens a session and returns its id (for the cookie) and CSRF token; `replaces` (the id presented at login) is ended. */
  open(principal: Principal, address: string, now: Date, replaces?: string, source?: string): { id: string; csrf: string; expiresAt: Date } {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.limits.maxAge);
    this.db.transaction(() => {
      if (replaces) this.end(replaces);
      this.db.prepare('INSERT INTO auth_sessions (id_hash, name, role, sites, via, source, csrf, address, created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(digest(id), principal.name, principal.role, principal.sites ? JSON.stringify(principal.sites) : null, principal.via, source ?? null,
          csrf, address.slice(0, 100), now.getTime(), expiresAt.getTime(), now.getTime());
    })();
    return { id, csrf, expiresAt };
  }

  /** The live session for a cookie value, or undefined when unknown, expired or idle too long (then it is deleted). */
  get(id: string, now: Date): Session | undefined {
    if (id.length === 0 || id.length > MAX_ID_LENGTH) return undefined;
    const key = digest(id);
    const r = this.db.prepare('SELECT * FROM auth_sessions WHERE id_hash = ?').get(key) as Row | undefined;
    if (!r) return undefined;
    const t = now.getTime();
    if (t >= r.expires_at || t - r.last_seen >= this.limits.idleTimeout) {
      this.db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?').run(key);
      return undefined;
    }
    if (t - r.last_seen >= TOUCH_EVERY_MS) this.db.prepare('UPDATE auth_sessions SET last_seen = ? WHERE id_hash = ?').run(t, key);
    return {
      principal: { name: r.name, role: r.role, ...(r.sites ? { sites: JSON.parse(r.sites) as string[] } : {}), via: r.via },
      ...(r.source !== null ? { source: r.source } : {}), csrf: r.csrf, createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at), lastSeen: new Date(Math.max(r.last_seen, t)),
    };
  }

  /** Ends one session (logout); false when there was none. */
  end(id: string): boolean {
    if (id.length === 0 || id.length > MAX_ID_LENGTH) return false;
    return this.db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?').run(digest(id)).changes > 0;
  }

  /** Ends every session of a person (their role, sites or password changed, or they were disabled or removed). */
  endAllOf(name: string): number {
    return this.db.prepare('DELETE FROM auth_sessions WHERE name = ?').run(name).changes;
  }

  /** Deletes expired and idle sessions; returns how many. */
  prune(now: Date): number {
    const t = now.getTime();
    return this.db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ? OR last_seen <= ?').run(t, t - this.limits.idleTimeout).changes;
  }
}
