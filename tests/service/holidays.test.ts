import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNotifyConfig } from '../../src/alerting/escalation/index.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { holidayFact, loadHolidayRegion } from '../../src/service/holidays.js';
import { parseIsoDate } from '../../src/service/zoned-time.js';
import { tempDir } from '../helpers/tmp.js';

const CALENDAR_DIR = fileURLToPath(new URL('../../config/calendars/', import.meta.url));
const tmp = tempDir('noctua-holidays-');
afterAll(() => tmp.cleanup());

/** The formatted errors a load throws, or [] when it loads. */
function errorsOf(load: () => unknown): string[] {
  try { load(); return []; } catch (err) {
    if (err instanceof ConfigInvalidError) return err.errors.map(formatConfigError);
    throw err;
  }
}

let n = 0;
function dirWith(files: Record<string, string>): string {
  const dir = join(tmp.dir, `d${n++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('holiday data files', () => {
  it('reads the shipped PRC files: National Day off, its make-up Saturday a working day, 2027 provisional', () => {
    const cn = loadHolidayRegion(CALENDAR_DIR, 'cn');
    expect(holidayFact(cn, parseIsoDate('2026-10-01'))).toMatchObject({ kind: 'off', covered: true });
    expect(holidayFact(cn, parseIsoDate('2026-10-10'))).toMatchObject({ kind: 'work', covered: true });
    expect(holidayFact(cn, parseIsoDate('2026-10-12'))).toEqual({ covered: true });
    expect(holidayFact(cn, parseIsoDate('2028-01-03'))).toEqual({ covered: false });
    expect([...cn.years].sort()).toEqual([2026, 2027]);
    expect([...cn.provisional]).toEqual([2027]);
  });

  it('reports every mistake in a holiday file as file:line:col with the field and what was expected', () => {
    const dir = dirWith({
      'xx-2026.yaml': [
        'region: xx',                                              // 1
        'year: 2026',                                              // 2
        'source: test',                                            // 3
        'holidays:',                                               // 4
        '  - { name: A, from: "2026-02-30" }',                     // 5 no such date
        '  - { name: B, from: "2026-05-03", to: "2026-05-01" }',   // 6 ends before it starts
        '  - { name: C, from: "2026-10-01", to: "2026-10-03" }',   // 7
        'workdays:',                                               // 8
        '  - { date: "2026-10-02" }',                              // 9 also a holiday
        '  - { date: "2025-06-01" }',                              // 10 not in 2026
        '  - { dat: "2026-10-10" }',                               // 11 misspelt key
      ].join('\n'),
    });
    const errors = errorsOf(() => loadHolidayRegion(dir, 'xx'));
    const file = join(dir, 'xx-2026.yaml');
    // zod checks the shapes first; the cross-checks run once the shapes are right.
    expect(errors).toEqual([
      expect.stringMatching(new RegExp(`^${file}:5:\\d+ holidays\\[0\\]\\.from: expected a date such as "2026-10-01", got "2026-02-30"$`)),
      `${file}:11:5 workdays[2].date: required (expected string)`,
      `${file}:11:7 workdays[2].dat: unknown key "dat" (misspelt, or not an option here)`,
    ]);
    writeFileSync(file, readFixed());
    expect(errorsOf(() => loadHolidayRegion(dir, 'xx'))).toEqual([
      expect.stringMatching(new RegExp(`^${file}:6:\\d+ holidays\\[1\\]\\.to: expected a date on or after "from" \\(2026-05-03\\), got "2026-05-01"$`)),
      expect.stringMatching(new RegExp(`^${file}:9:\\d+ workdays\\[0\\]\\.date: 2026-10-02 is also listed as a holiday`)),
      expect.stringMatching(new RegExp(`^${file}:10:\\d+ workdays\\[1\\]\\.date: expected a date in 2026 \\(or its neighbouring weeks\\), got "2025-06-01"$`)),
    ]);
  });

  it('reports a YAML syntax error, a file named for another year, and a region without files', () => {
    const dir = dirWith({ 'xx-2026.yaml': 'region: xx\nyear: 2026\nsource: [unclosed\n', 'xx-2027.yaml': 'region: xx\nyear: 2026\nsource: copied\n' });
    const errors = errorsOf(() => loadHolidayRegion(dir, 'xx'));
    expect(errors[0]).toMatch(new RegExp(`^${join(dir, 'xx-2026.yaml')}:\\d+:\\d+ YAML syntax error`));
    expect(errors).toContainEqual(`${join(dir, 'xx-2027.yaml')}:2:7 year: expected 2027 (the file name's year), got 2026`);
    expect(errorsOf(() => loadHolidayRegion(dir, 'yy'))[0]).toMatch(/no holiday data for region "yy": expected files such as yy-2026\.yaml/);
  });
});

function readFixed(): string {
  return [
    'region: xx', 'year: 2026', 'source: test', 'holidays:',
    '  - { name: A, from: "2026-02-20" }',
    '  - { name: B, from: "2026-05-03", to: "2026-05-01" }',
    '  - { name: C, from: "2026-10-01", to: "2026-10-03" }',
    'workdays:',
    '  - { date: "2026-10-02" }',
    '  - { date: "2025-06-01" }',
  ].join('\n');
}

describe('calendars in notify.yaml', () => {
  const base = (extra: string) => `channels:\n  eng: { type: webhook, url: "http://127.0.0.1:9/eng" }\npeople:\n  a: { channels: [eng] }\ntiers:\n  engineer: { notify: [{ person: a }] }\n  lead: { notify: [{ person: a }] }\n  manager: { notify: [{ person: a }] }\n${extra}`;
  const load = (yaml: string) => { const f = join(tmp.dir, `notify-${n++}.yaml`); writeFileSync(f, yaml); return { f, errors: errorsOf(() => loadNotifyConfig(f, {})) }; };

  it('finds the shipped holiday files without calendarDir, and a year in the operator\'s own directory replaces the shipped one', () => {
    const own = dirWith({ 'cn-2026.yaml': 'region: cn\nyear: 2026\nsource: company calendar\nholidays:\n  - { name: company day, from: "2026-10-12" }\n' });
    const f = join(tmp.dir, `notify-${n++}.yaml`);
    writeFileSync(f, base(`calendars:\n  office: { timezone: Asia/Shanghai, hours: ["08:30-17:30"], holidays: cn }\n`));
    expect(loadNotifyConfig(f, {}).serviceCalendars.get('office')?.holidays?.off.get(parseIsoDate('2026-10-01'))).toMatch(/National Day/);
    writeFileSync(f, base(`calendarDir: ${own}\ncalendars:\n  office: { timezone: Asia/Shanghai, hours: ["08:30-17:30"], holidays: cn }\n`));
    const region = loadNotifyConfig(f, {}).serviceCalendars.get('office')!.holidays!;
    expect([region.off.get(parseIsoDate('2026-10-01')), region.off.get(parseIsoDate('2026-10-12')), region.years.has(2027)]).toEqual([undefined, 'company day', true]);
  });

  it('loads calendars with the holiday data from calendarDir and keeps 7x24 built in', () => {
    const f = join(tmp.dir, `notify-${n++}.yaml`);
    writeFileSync(f, base(`calendarDir: ${CALENDAR_DIR}\ncalendars:\n  office: { timezone: Asia/Shanghai, hours: ["08:30-17:30"], holidays: cn }\ncalendarFor:\n  - { sites: [branch], severities: [P2, P3, P4], calendar: office }\n`));
    const cfg = loadNotifyConfig(f, {});
    expect([...cfg.serviceCalendars.keys()]).toEqual(['7x24', 'office']);
    expect(cfg.calendar).toBe('7x24');
    expect(cfg.serviceCalendars.get('office')?.holidays?.years.has(2026)).toBe(true);
  });

  it('names the line of a bad window, an unknown calendar and a missing holiday region', () => {
    const { f, errors } = load(base([
      'calendars:',                                                            // 9 (after the 8 lines of base)
      '  office: { timezone: Asia/Shanghai, hours: ["8:30-17:30"] }',         // 10
      '  lab: { timezone: Mars/Olympus, hours: ["09:00-18:00"] }',            // 11
      'calendarFor:',                                                          // 12
      '  - { sites: [hq], calendar: offce }',                                  // 13
    ].join('\n')));
    expect(errors).toEqual([
      `${f}:10:46 calendars.office.hours[0]: expected hours "HH:MM-HH:MM" such as "08:30-17:30", got "8:30-17:30"`,
      `${f}:11:20 calendars.lab.timezone: expected an IANA time zone such as Asia/Shanghai or UTC, got "Mars/Olympus"`,
    ]);
    // "xx" is neither in calendarDir nor among the files shipped with Noctua.
    const second = load(base(`calendarDir: ${tmp.dir}\ncalendars:\n  office: { timezone: Asia/Shanghai, hours: ["08:30-17:30"], holidays: xx }\ncalendarFor:\n  - { sites: [hq], calendar: offce }\n`));
    expect(second.errors).toEqual([
      expect.stringMatching(/xx-YYYY\.yaml:1:1 no holiday data for region "xx"/),
      expect.stringMatching(new RegExp(`^${second.f}:11:\\d+ calendars\\.office\\.holidays: holiday data "xx" from .* cannot be used`)),
      `${second.f}:13:30 calendarFor[0].calendar: unknown calendar "offce" (calendars: 7x24, office)`,
    ]);
  });
});
