/** How the wall writes ages and round-trip times. */

/** Time since `fromIso` at `now`, as "4m 07s", "2h 05m" or "3d 4h". */
export function age(fromIso: string, now: number = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

/** A round-trip time; a LAN answers in well under 0.1 ms, which "0.0 ms" would misstate as nothing. */
export function ms(v: number): string {
  return v < 0.1 ? '<0.1 ms' : `${v.toFixed(1)} ms`;
}
