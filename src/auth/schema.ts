import { migrate, type Db } from '../core/database.js';

/** The auth tables of the state database: users added through the API, console sessions, the audit trail. */
const STEPS = [
  `CREATE TABLE auth_users (
     name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, sites TEXT,
     disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, changed_by TEXT NOT NULL)`,
  // The session id itself is never stored, only its sha256: a copy of the database does not log anyone in.
  `CREATE TABLE auth_sessions (
     id_hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, sites TEXT, via TEXT NOT NULL,
     csrf TEXT NOT NULL, address TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_seen INTEGER NOT NULL);
   CREATE INDEX auth_sessions_name ON auth_sessions (name);`,
  `CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, who TEXT NOT NULL, role TEXT, via TEXT NOT NULL,
     address TEXT NOT NULL, action TEXT NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL, target TEXT,
     status INTEGER NOT NULL, outcome TEXT NOT NULL, before TEXT, after TEXT, detail TEXT);
   CREATE INDEX audit_log_at ON audit_log (at);
   CREATE INDEX audit_log_who ON audit_log (who, at);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit rows are never changed'); END;`,
  // Which authenticator vouched for the session ('local', 'ldap', ...): local users are checked again on each request.
  'ALTER TABLE auth_sessions ADD COLUMN source TEXT',
];

/** Creates or upgrades the auth tables. */
export function migrateAuth(db: Db): void {
  migrate(db, 'auth', STEPS);
}
