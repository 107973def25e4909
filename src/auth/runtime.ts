import type { FastifyBaseLogger } from 'fastify';
import type { AuthSection, ConfigUser } from '../config/sections/auth.js';
import type { Db } from '../core/database.js';
import { AuditLog } from './audit.js';
import type { Authenticator } from './authenticator.js';
import { LoginLockout } from './lockout.js';
import type { Principal } from './principal.js';
import { buildAuthenticators } from './registry.js';
import { SessionStore } from './sessions.js';
import { UserDirectory } from './users.js';

/** Everything logins need, built once per process over the state database. */
export interface AuthRuntime {
  settings: AuthSection;
  users: UserDirectory;
  sessions: SessionStore;
  lockout: LoginLockout;
  /** Asked in order at login (src/auth/registry.ts). */
  authenticators: Authenticator[];
  /** The audit trail (every state-changing request, logins, user changes). */
  audit: AuditLog;
  db: Db;
}

/** Builds the auth parts over the state database; `authenticators` replaces the registry's list (tests). */
export function createAuth(o: {
  settings: AuthSection; db: Db; log?: FastifyBaseLogger; authenticators?: Authenticator[];
  /** The users of the configuration in force (they change on reload); default: `settings.users`. */
  configUsers?: () => readonly ConfigUser[];
}): AuthRuntime {
  const users = new UserDirectory(o.db, o.configUsers ?? (() => o.settings.users));
  return {
    settings: o.settings,
    users,
    sessions: new SessionStore(o.db, o.settings.session),
    lockout: new LoginLockout(o.settings.lockout),
    authenticators: o.authenticators ?? buildAuthenticators({ settings: o.settings, users, log: o.log }),
    audit: new AuditLog(o.db),
    db: o.db,
  };
}

/** Deletes audit rows past `auth.audit.retention` and ended sessions; returns what went. */
export function pruneAuth(auth: AuthRuntime, now: Date): { auditRows: number; sessions: number } {
  return {
    auditRows: auth.audit.prune(new Date(now.getTime() - auth.settings.audit.retention)),
    sessions: auth.sessions.prune(now),
  };
}

function sameSites(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

/**
 * The session a cookie names: its principal and CSRF token, `ended` when the cookie names no live session, or
 * when a local user's account no longer matches what the session was opened with (removed or disabled in
 * noctua.yaml or the database, role or sites changed): then the session is ended on the spot.
 */
export function resolveSession(auth: AuthRuntime, id: string, now: Date): { principal: Principal; csrf: string } | 'ended' {
  const s = auth.sessions.get(id, now);
  if (!s) return 'ended';
  if (s.source === 'local') {
    const u = auth.users.find(s.principal.name);
    if (!u || u.disabled || u.role !== s.principal.role || !sameSites(u.sites, s.principal.sites)) {
      auth.sessions.end(id);
      return 'ended';
    }
  }
  return { principal: s.principal, csrf: s.csrf };
}
