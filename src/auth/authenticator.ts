import type { Role } from './principal.js';

/** A person an authenticator vouches for, with the role and sites they get. */
export interface AuthenticatedUser {
  name: string;
  role: Role;
  /** Sites the person is limited to; undefined means every site. */
  sites?: string[];
}

/** Why an authenticator did not log someone in. */
export type AuthRefusalReason = 'unknown-user' | 'bad-password' | 'refused' | 'unavailable';

/** The answer of one password check. */
export type AuthResult =
  | { ok: true; user: AuthenticatedUser }
  | { ok: false; reason: AuthRefusalReason; detail?: string };

/**
 * A password checker (local users, LDAP, ...). `unknown-user` lets the next authenticator in the list try;
 * `bad-password` and `refused` (disabled, not in an allowed group) end the login; `unavailable` (directory down)
 * lets the next one try and, when none succeeds, makes the login answer 503.
 */
export interface Authenticator {
  name: string;
  authenticate(username: string, password: string, signal: AbortSignal): Promise<AuthResult>;
}

/**
 * Asks each authenticator in order; the first that knows the user decides. Returns the answer and the
 * authenticator that gave it (for the audit trail).
 */
export async function authenticateWith(list: readonly Authenticator[], username: string, password: string, signal: AbortSignal): Promise<AuthResult & { by?: string }> {
  let unavailable: (AuthResult & { by?: string }) | undefined;
  for (const a of list) {
    let r: AuthResult;
    try {
      r = await a.authenticate(username, password, signal);
    } catch (err) {
      // A checker that throws is a broken backend, not a wrong password: try the next one.
      r = { ok: false, reason: 'unavailable', detail: (err as Error).message };
    }
    if (r.ok || r.reason === 'bad-password' || r.reason === 'refused') return { ...r, by: a.name };
    if (r.reason === 'unavailable') unavailable ??= { ...r, by: a.name };
  }
  return unavailable ?? { ok: false, reason: 'unknown-user' };
}
