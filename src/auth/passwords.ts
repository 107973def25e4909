import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { parsePasswordHash } from '../config/sections/auth.js';

/**
 * Password hashes in one format: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64), scrypt from node:crypto.
 * scrypt rather than argon2: Node 20 has scrypt built in and no argon2, so no native package is needed;
 * ln=15, r=8 (32 MiB; 0.7–0.8 s per check measured on the shared 2-core test machine) is below
 * OWASP's N=2^17 for scrypt, a trade for login latency on small NOC servers; `noctua user hash --ln` raises it per user.
 */
export interface ScryptCost { ln: number; r: number; p: number }

/** The cost new hashes are made with. */
export const DEFAULT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };
/** Longest password accepted anywhere: enough for any passphrase, short enough that hashing it costs nothing extra. */
export const MAX_PASSWORD_LENGTH = 1024;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.ln;
  const opts: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r * cost.p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A new hash of `password` for config or the user table. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `password` matches `hash`; a malformed hash never matches. Compared in constant time. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const h = parsePasswordHash(hash);
  if (!h) return false;
  const expected = Buffer.from(h.key, 'base64');
  const key = await derive(password, Buffer.from(h.salt, 'base64'), { ln: h.ln, r: h.r, p: h.p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time a real check takes, for a user name nobody has, so the answer's timing does not tell
 * which names exist.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('not a password anyone has');
  await verifyPassword(password, await dummy);
}
