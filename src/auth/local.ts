import type { Authenticator } from './authenticator.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';
import type { UserDirectory } from './users.js';

/** Checks passwords of local users (noctua.yaml `auth.users` and the state database's users). */
export function localAuthenticator(users: UserDirectory): Authenticator {
  return {
    name: 'local',
    async authenticate(username, password) {
      const user = users.find(username);
      if (!user) {
        await burnPasswordCheck(password);
        return { ok: false, reason: 'unknown-user' };
      }
      if (!(await verifyPassword(password, user.passwordHash))) return { ok: false, reason: 'bad-password' };
      // Checked after the password, so a disabled account is only revealed to someone who knows its password.
      if (user.disabled) return { ok: false, reason: 'refused', detail: 'the account is disabled' };
      return { ok: true, user: { name: user.name, role: user.role, ...(user.sites ? { sites: user.sites } : {}) } };
    },
  };
}
