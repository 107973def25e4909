/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) evaluated in an IANA time
 * zone, for recurring maintenance windows. node-cron schedules tasks against the wall clock only; a
 * window must be computed for any instant (fake time in tests, "is it in maintenance now" after a restart).
 */

/** A parsed expression: the allowed values of each field. */
export interface CronSpec {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  /** Standard cron: when both day fields are restricted, a day matching either one matches. */
  domRestricted: boolean;
  dowRestricted: boolean;
  timezone: string;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

/** Parses an expression; throws an Error saying which field is wrong and why. */
export function parseCron(expr: string, timezone = 'UTC'): CronSpec {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length} in ${JSON.stringify(expr)}`);
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!));
  const dow = new Set([...sets[4]!].map((d) => (d === 7 ? 0 : d)));
  return {
    minute: sets[0]!, hour: sets[1]!, dom: sets[2]!, month: sets[3]!, dow,
    domRestricted: parts[2] !== '*' && parts[2] !== '?', dowRestricted: parts[4] !== '*' && parts[4] !== '?',
    timezone,
  };
}

function parseField(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  const names: readonly string[] = 'names' in f ? f.names : [];
  const num = (s: string): number => {
    const byName = names.indexOf(s.toLowerCase());
    if (byName >= 0) return byName + f.min;
    if (!/^\d+$/.test(s)) throw new Error(`${f.name}: expected a number from ${f.min} to ${f.max}${names.length ? ' or a name' : ''}, got ${JSON.stringify(s)}`);
    const n = Number(s);
    if (n < f.min || n > f.max) throw new Error(`${f.name}: expected a number from ${f.min} to ${f.max}, got ${n}`);
    return n;
  };
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`${f.name}: expected a step of at least 1, got ${JSON.stringify(stepText)}`);
    let lo: number; let hi: number;
    if (range === '*' || range === '?') { lo = f.min; hi = f.max; }
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      lo = num(a); hi = num(b);
      if (hi < lo) throw new Error(`${f.name}: range ${range} runs backwards`);
    } else { lo = num(range); hi = stepText === undefined ? lo : f.max; }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of an instant in a time zone. */
function local(t: number, tz: string): { minute: number; hour: number; dom: number; month: number; dow: number } {
  let fmt = formatters.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' });
    formatters.set(tz, fmt);
  }
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(new Date(t))) p[part.type] = part.value;
  return {
    minute: Number(p.minute), hour: Number(p.hour), dom: Number(p.day), month: Number(p.month),
    dow: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday ?? ''),
  };
}

function dayMatches(spec: CronSpec, l: ReturnType<typeof local>): boolean {
  if (!spec.month.has(l.month)) return false;
  const dom = spec.dom.has(l.dom);
  const dow = spec.dow.has(l.dow);
  if (spec.domRestricted && spec.dowRestricted) return dom || dow;
  return dom && dow;
}

/**
 * The first time at or after `from` (rounded up to a whole minute) that the expression fires, or
 * undefined when it does not fire within `horizonMs`. Skips whole days and hours that cannot match,
 * so even a search for the next 29 February takes a few thousand steps.
 */
export function nextFire(spec: CronSpec, from: number, horizonMs = 5 * 366 * 86_400_000): number | undefined {
  let t = Math.ceil(from / 60_000) * 60_000;
  const end = from + horizonMs;
  while (t <= end) {
    const l = local(t, spec.timezone);
    if (!dayMatches(spec, l)) { t += (60 - l.minute) * 60_000 + (23 - l.hour) * 3_600_000; continue; }
    if (!spec.hour.has(l.hour)) { t += (60 - l.minute) * 60_000; continue; }
    if (!spec.minute.has(l.minute)) { t += 60_000; continue; }
    return t;
  }
  return undefined;
}
