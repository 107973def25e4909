import type { Db } from '../core/database.js';
import type { ConfigUser } from '../config/sections/auth.js';
import type { Role } from './principal.js';
import { migrateAuth } from './schema.js';

/** A local user as the API shows it: never the password hash. */
export interface UserRecord {
  name: string;
  role: Role;
  sites?: string[];
  disabled: boolean;
  /** `config` users come from noctua.yaml and cannot be changed through the API. */
  source: 'config' | 'database';
  createdAt?: Date;
  updatedAt?: Date;
}

/** A local user with the hash, for the password check only. */
export interface StoredUser extends UserRecord { passwordHash: string }

interface Row { name: string; password_hash: string; role: Role; sites: string | null; disabled: number; created_at: number; updated_at: number }

function fromRow(r: Row): StoredUser {
  return {
    name: r.name, role: r.role, sites: r.sites ? (JSON.parse(r.sites) as string[]) : undefined, disabled: r.disabled === 1,
    source: 'database', createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), passwordHash: r.password_hash,
  };
}

/** Fields a change may set; undefined leaves a field as it is, `sites: null` means every site. */
export interface UserChange { passwordHash?: string; role?: Role; sites?: string[] | null; disabled?: boolean }

/** Local users: those in noctua.yaml (read-only) and those admins keep in the state database. Names are case-sensitive. */
export class UserDirectory {
  private seen?: readonly ConfigUser[];
  private byName = new Map<string, StoredUser>();

  /** `configUsers` is read on each use, so a reloaded noctua.yaml applies at once. */
  constructor(private readonly db: Db, private readonly configUsers: () => readonly ConfigUser[]) {
    migrateAuth(db);
  }

  /** The config users by name, rebuilt when the configuration changed. */
  private get config(): Map<string, StoredUser> {
    const users = this.configUsers();
    if (users !== this.seen) {
      this.seen = users;
      this.byName = new Map(users.map((u) => [u.name, { name: u.name, role: u.role, sites: u.sites, disabled: u.disabled, source: 'config', passwordHash: u.passwordHash }]));
    }
    return this.byName;
  }

  /** The user with this name; config users win over database rows of the same name. */
  find(name: string): StoredUser | undefined {
    const c = this.config.get(name);
    if (c) return c;
    const r = this.db.prepare('SELECT * FROM auth_users WHERE name = ?').get(name) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** Every user without hashes, config first, then by name. */
  list(): UserRecord[] {
    const rows = (this.db.prepare('SELECT * FROM auth_users ORDER BY name').all() as Row[]).map(fromRow).filter((u) => !this.config.has(u.name));
    return [...this.config.values(), ...rows].map(strip);
  }

  /** Adds a database user; false when the name is taken (in config or the database). */
  add(u: { name: string; passwordHash: string; role: Role; sites?: string[]; disabled?: boolean }, by: string, at: Date): boolean {
    if (this.config.has(u.name)) return false;
    const r = this.db.prepare('INSERT OR IGNORE INTO auth_users (name, password_hash, role, sites, disabled, created_at, updated_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(u.name, u.passwordHash, u.role, u.sites ? JSON.stringify(u.sites) : null, u.disabled ? 1 : 0, at.getTime(), at.getTime(), by);
    return r.changes === 1;
  }

  /** Changes a database user; undefined when there is no such database user. */
  change(name: string, c: UserChange, by: string, at: Date): UserRecord | undefined {
    const cur = this.db.prepare('SELECT * FROM auth_users WHERE name = ?').get(name) as Row | undefined;
    if (!cur || this.config.has(name)) return undefined;
    const sites = c.sites === undefined ? cur.sites : c.sites === null ? null : JSON.stringify(c.sites);
    this.db.prepare('UPDATE auth_users SET password_hash = ?, role = ?, sites = ?, disabled = ?, updated_at = ?, changed_by = ? WHERE name = ?').run(
      c.passwordHash ?? cur.password_hash, c.role ?? cur.role, sites, c.disabled === undefined ? cur.disabled : c.disabled ? 1 : 0, at.getTime(), by, name);
    return strip(this.find(name)!);
  }

  /** Deletes a database user; false when there is none. */
  remove(name: string): boolean {
    if (this.config.has(name)) return false;
    return this.db.prepare('DELETE FROM auth_users WHERE name = ?').run(name).changes === 1;
  }
}

/** The user without its hash. */
export function strip(u: StoredUser): UserRecord {
  const { passwordHash: _hash, ...rest } = u;
  return rest;
}
