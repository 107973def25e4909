import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigInvalidError, YamlSource, parseYamlWith, type ConfigError } from '../config/yaml-source.js';
import { fromDayNumber, parseIsoDate } from './zoned-time.js';

const dateText = z.string().refine((t) => !Number.isNaN(parseIsoDate(t)), { message: 'expected a date such as "2026-10-01"' });

/** One year of a region's public holidays and make-up working days (config/calendars/<region>-<year>.yaml). */
export const holidayYearSchema = z.strictObject({
  /** Region code, the part of the file name before the year ("cn"). */
  region: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case region code such as "cn"'),
  year: z.number().int().min(1970).max(2999),
  /** Where the dates come from (the government notice), for whoever checks the file. */
  source: z.string().min(1, 'expected the notice or page the dates come from'),
  /** True while the official schedule is not yet published: the dates are incomplete and Noctua warns at start. */
  provisional: z.boolean().default(false),
  /** Days off, one range per holiday (both ends included). */
  holidays: z.array(z.strictObject({
    name: z.string().min(1),
    from: dateText,
    /** Last day off; defaults to `from` (a one-day holiday). */
    to: dateText.optional(),
  })).default([]),
  /** Weekend days that are working days (调休 make-up days). */
  workdays: z.array(z.strictObject({
    date: dateText,
    /** The holiday the day makes up for. */
    for: z.string().min(1).optional(),
  })).default([]),
});
export type HolidayYearFile = z.output<typeof holidayYearSchema>;

/** A region's holiday facts over the years its files cover. */
export interface HolidayRegion {
  region: string;
  /** Years with a data file. */
  years: ReadonlySet<number>;
  /** Years whose file says `provisional: true`. */
  provisional: ReadonlySet<number>;
  /** Day number -> holiday name, for days off. */
  off: ReadonlyMap<number, string>;
  /** Day numbers of make-up working days. */
  work: ReadonlyMap<number, string>;
}

/** Checks one parsed year file against its own year and itself; returns located errors. */
function checkYear(src: YamlSource, y: HolidayYearFile, expected: { region: string; year: number }): ConfigError[] {
  const errors: ConfigError[] = [];
  if (y.region !== expected.region) errors.push(src.error(['region'], `expected "${expected.region}" (the file name's region), got "${y.region}"`));
  if (y.year !== expected.year) errors.push(src.error(['year'], `expected ${expected.year} (the file name's year), got ${y.year}`));
  // A holiday may start in the last days of the year before (New Year) or run into the next.
  const inYear = (t: string, path: (string | number)[]) => {
    const d = parseIsoDate(t);
    if (d < parseIsoDate(`${y.year - 1}-12-01`) || d > parseIsoDate(`${y.year + 1}-01-31`)) errors.push(src.error(path, `expected a date in ${y.year} (or its neighbouring weeks), got "${t}"`));
  };
  const offDays = new Set<number>();
  y.holidays.forEach((h, i) => {
    inYear(h.from, ['holidays', i, 'from']);
    if (h.to !== undefined) inYear(h.to, ['holidays', i, 'to']);
    const from = parseIsoDate(h.from);
    const to = parseIsoDate(h.to ?? h.from);
    if (to < from) errors.push(src.error(['holidays', i, 'to'], `expected a date on or after "from" (${h.from}), got "${h.to}"`));
    else if (to - from > 31) errors.push(src.error(['holidays', i, 'to'], `expected a holiday of at most 31 days, got ${to - from + 1}`));
    else for (let d = from; d <= to; d++) offDays.add(d);
  });
  y.workdays.forEach((w, i) => {
    inYear(w.date, ['workdays', i, 'date']);
    if (offDays.has(parseIsoDate(w.date))) errors.push(src.error(['workdays', i, 'date'], `${w.date} is also listed as a holiday; a day is either off or a working day`));
  });
  return errors;
}

/** The holiday files that ship with Noctua (config/calendars/ of the installation). */
export const SHIPPED_CALENDAR_DIR = fileURLToPath(new URL('../../config/calendars/', import.meta.url));

/**
 * Loads every `<region>-<year>.yaml` of a region from `dirs`, the first directory holding a year winning
 * (the operator's own directory before the shipped one); throws ConfigInvalidError with file:line:col for
 * each mistake, and when no file of the region exists.
 */
export function loadHolidayRegion(dirs: string | readonly string[], region: string, env: NodeJS.ProcessEnv = {}): HolidayRegion {
  const list = typeof dirs === 'string' ? [dirs] : [...new Set(dirs.map((d) => resolve(d)))];
  const pattern = new RegExp(`^${region}-(\\d{4})\\.ya?ml$`);
  const byYear = new Map<number, string>();
  for (const dir of list) {
    let names: string[];
    try { names = readdirSync(dir).sort(); } catch { continue; }
    for (const n of names) {
      const m = pattern.exec(n);
      if (m && !byYear.has(Number(m[1]))) byYear.set(Number(m[1]), join(dir, n));
    }
  }
  if (byYear.size === 0) {
    throw new ConfigInvalidError([{ file: join(list[0]!, `${region}-YYYY.yaml`), line: 1, col: 1, path: '', message: `no holiday data for region "${region}": expected files such as ${region}-2026.yaml in ${list.join(' or ')} (see docs/SERVICE.md)` }]);
  }
  const files = [...byYear].sort((a, b) => a[0] - b[0]);
  const errors: ConfigError[] = [];
  const years = new Set<number>();
  const provisional = new Set<number>();
  const off = new Map<number, string>();
  const work = new Map<number, string>();
  for (const [fileYear, file] of files) {
    const src = YamlSource.read(file);
    const parsed = parseYamlWith(src, holidayYearSchema, env);
    if (!parsed.value) { errors.push(...parsed.errors); continue; }
    const y = parsed.value;
    const own = checkYear(src, y, { region, year: fileYear });
    if (own.length > 0) { errors.push(...own); continue; }
    years.add(y.year);
    if (y.provisional) provisional.add(y.year);
    for (const h of y.holidays) for (let d = parseIsoDate(h.from); d <= parseIsoDate(h.to ?? h.from); d++) off.set(d, h.name);
    for (const w of y.workdays) work.set(parseIsoDate(w.date), w.for ?? 'make-up working day');
  }
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  return { region, years, provisional, off, work };
}

/** What a region says about a day: off (holiday), work (make-up day), or nothing; `covered` false when no file has its year. */
export function holidayFact(region: HolidayRegion, day: number): { kind?: 'off' | 'work'; name?: string; covered: boolean } {
  const covered = region.years.has(fromDayNumber(day).year);
  const offName = region.off.get(day);
  if (offName !== undefined) return { kind: 'off', name: offName, covered };
  const workName = region.work.get(day);
  if (workName !== undefined) return { kind: 'work', name: workName, covered };
  return { covered };
}
