import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords.js';
import type { ConfigUser } from '../config/sections/auth.js';

/** The roles the lab makes one console user for, weakest first. */
export const LAB_ROLES = ['viewer', 'operator', 'admin'] as const;
/** One of {@link LAB_ROLES}. */
export type LabRole = (typeof LAB_ROLES)[number];

/** A console user of the lab: the name to type and the password, which exists only in this process and on the console's screen. */
export interface LabUser { name: string; password: string }

/**
 * One local user per role with a password drawn fresh at every lab start (only the scrypt hash is written to
 * the generated noctua.yaml), so the repository holds no password anyone could sign in with.
 * Hashed at production cost: a person signs in with these, and the lab shows what a login costs.
 */
export async function labUsers(): Promise<{ users: Record<LabRole, LabUser>; config: Omit<ConfigUser, 'disabled'>[] }> {
  const made = await Promise.all(LAB_ROLES.map(async (role) => {
    // 15 random bytes: 20 characters of base64url, no characters a terminal or a form would mangle.
    const password = randomBytes(15).toString('base64url');
    return { role, password, passwordHash: await hashPassword(password) };
  }));
  return {
    users: Object.fromEntries(made.map((u) => [u.role, { name: u.role, password: u.password }])) as Record<LabRole, LabUser>,
    config: made.map((u) => ({ name: u.role, role: u.role, passwordHash: u.passwordHash })),
  };
}
