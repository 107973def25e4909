import { z } from 'zod';
import { secret } from '../secret.js';
import { durationSchema } from '../duration.js';
import { API_ROLES } from './api.js';
import { ldapSectionSchema, oidcSectionSchema } from './auth-directory.js';

/** A person's login name: what acks, comments and the audit trail show. Bounded; no control characters. */
export const userNameSchema = z.string().min(1).max(100)
  .regex(/^[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$/, 'expected a name without control characters that does not start with a space');

/** A site name as devices.yaml spells it. */
export const siteNameSchema = z.string().min(1).max(200);

const HASH_FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,}={0,2})\$([A-Za-z0-9+/]{32,}={0,2})$/;

/** The parts of a password hash as `noctua user hash` prints it (`$scrypt$ln=15,r=8,p=1$<salt>$<key>`, base64), or undefined when it is not one or its cost is out of bounds (ln 10..20, r 1..32, p 1..4). */
export function parsePasswordHash(hash: string): { ln: number; r: number; p: number; salt: string; key: string } | undefined {
  const m = HASH_FORMAT.exec(hash);
  if (!m) return undefined;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 4) return undefined;
  return { ln, r, p, salt: m[4]!, key: m[5]! };
}

/** One local user written in noctua.yaml. */
export const configUserSchema = z.strictObject({
  name: userNameSchema,
  role: z.enum(API_ROLES),
  /** The sites this person sees and acts on; absent means every site. */
  sites: z.array(siteNameSchema).min(1).max(1000).optional(),
  /** Hidden in errors: a plain password pasted here by mistake must never be echoed. */
  passwordHash: secret(z.string().refine((h) => parsePasswordHash(h) !== undefined, 'expected a hash printed by `noctua user hash` ($scrypt$ln=15,r=8,p=1$…)')),
  disabled: z.boolean().default(false),
});
/** One configured local user. */
export type ConfigUser = z.output<typeof configUserSchema>;

/** `auth:` in noctua.yaml: people's logins, sessions, lockout and the audit trail. */
export const authSectionSchema = z.strictObject({
  /** Local users kept in this file (admins may also add users in the state database through /api/v1/users). */
  users: z.array(configUserSchema).max(10_000).default([]),
  session: z.strictObject({
    /** A login lasts at most this long, however busy. */
    maxAge: durationSchema.default(12 * 3_600_000),
    /** A login ends after this long without a request. */
    idleTimeout: durationSchema.default(2 * 3_600_000),
  }).prefault({}),
  lockout: z.strictObject({
    /** Failed logins in a row for one user name before it is locked. */
    maxFailuresPerUser: z.number().int().min(1).max(1000).default(5),
    /** Failed logins from one client address before it is locked. */
    maxFailuresPerAddress: z.number().int().min(1).max(100_000).default(20),
    /** How long a lock lasts, counted from the last failure. */
    duration: durationSchema.default(15 * 60_000),
  }).prefault({}),
  /** Login attempts per minute per client address (on top of api.rateLimitPerMinute). */
  loginRateLimitPerMinute: z.number().int().min(1).max(10_000).default(30),
  /** Logins checked against an LDAP directory or Active Directory, after local users (docs/CONSOLE.md). */
  ldap: ldapSectionSchema.optional(),
  /** Single sign-on through an OpenID Connect provider: /auth/oidc/login (docs/CONSOLE.md). */
  oidc: oidcSectionSchema.optional(),
  audit: z.strictObject({
    /** Audit rows older than this are deleted by the daily prune. */
    retention: durationSchema.default(365 * 86_400_000),
  }).prefault({}),
});
/** The validated `auth:` section. */
export type AuthSection = z.output<typeof authSectionSchema>;
