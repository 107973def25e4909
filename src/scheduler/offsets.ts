/**
 * Stable per-device phases. A device keeps its place in every interval across restarts and reloads
 * (the phase depends only on its name), and 2,000 devices land spread over the interval instead of
 * all firing in the same second. Phases are whole seconds because the scheduler ticks once a second:
 * a poll then starts on the tick that its slot falls on, not up to a second later.
 */

/** A well-mixed 32-bit hash of a name (FNV-1a, then murmur3's finaliser so similar names scatter). */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The device's offset within an interval, in ms: a whole number of seconds in [0, interval). */
export function phaseOffsetMs(name: string, intervalMs: number): number {
  const seconds = Math.max(1, Math.floor(intervalMs / 1000));
  return (nameHash(name) % seconds) * 1000;
}

/** The first slot at or after `now`: slots sit at epoch + offset + k * interval. */
export function nextSlot(now: number, intervalMs: number, offsetMs: number): number {
  const base = Math.floor((now - offsetMs) / intervalMs) * intervalMs + offsetMs;
  return base >= now ? base : base + intervalMs;
}
