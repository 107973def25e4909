/** Lockout settings (`auth.lockout`). */
export interface LockoutLimits { maxFailuresPerUser: number; maxFailuresPerAddress: number; duration: number }

interface Tally { failures: number; last: number }

/** Most keys held per kind; past it the oldest entries go (an attacker cycling names cannot grow memory). */
const MAX_KEYS = 50_000;

/**
 * Counts failed logins per user name and per client address. A key with `max` failures is locked until
 * `duration` after its last failure; a success clears the user's tally. Kept in memory: a restart unlocks.
 * Unknown user names are counted like real ones, so a lock says nothing about which names exist.
 */
export class LoginLockout {
  private readonly users = new Map<string, Tally>();
  private readonly addresses = new Map<string, Tally>();

  constructor(private readonly limits: LockoutLimits) {}

  /** When the user or address is locked: the time the lock ends; else undefined. */
  lockedUntil(user: string, address: string, now: Date): Date | undefined {
    const t = now.getTime();
    const ends = [this.until(this.users, user.toLowerCase(), this.limits.maxFailuresPerUser, t), this.until(this.addresses, address, this.limits.maxFailuresPerAddress, t)]
      .filter((x): x is number => x !== undefined);
    return ends.length ? new Date(Math.max(...ends)) : undefined;
  }

  /** Counts one failure for both keys. */
  failed(user: string, address: string, now: Date): void {
    this.bump(this.users, user.toLowerCase(), now.getTime());
    this.bump(this.addresses, address, now.getTime());
  }

  /** A successful login clears the user's tally (the address keeps its own: one good password does not excuse a spray). */
  succeeded(user: string): void {
    this.users.delete(user.toLowerCase());
  }

  private until(map: Map<string, Tally>, key: string, max: number, t: number): number | undefined {
    const e = map.get(key);
    if (!e) return undefined;
    const end = e.last + this.limits.duration;
    if (t >= end) { map.delete(key); return undefined; }
    return e.failures >= max ? end : undefined;
  }

  private bump(map: Map<string, Tally>, key: string, t: number): void {
    const e = map.get(key);
    // A tally older than the lock duration starts again.
    const failures = e && t < e.last + this.limits.duration ? e.failures + 1 : 1;
    map.delete(key);
    map.set(key, { failures, last: t });
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value!);
  }
}
