import { dirname, isAbsolute, resolve } from 'node:path';
import type { IncidentView } from '../../core/incident.js';
import type { Logger } from '../../core/log.js';
import { ConfigInvalidError, type ConfigError, type YamlSource } from '../../config/yaml-source.js';
import { ALWAYS, ALWAYS_NAME, buildCalendar, type Calendar } from '../../service/calendar.js';
import { loadHolidayRegion, SHIPPED_CALENDAR_DIR, type HolidayRegion } from '../../service/holidays.js';
import type { CalendarRule, NotifyFile } from './schema.js';

/**
 * Builds notify.yaml's service calendars (with the holiday data they name, from `calendarDir` and then the
 * files shipped with Noctua) and checks
 * every calendar name the file uses; holiday files' mistakes come back as their own file:line:col errors.
 */
export function resolveCalendars(src: YamlSource, file: NotifyFile, env: NodeJS.ProcessEnv = {}): { calendars: Map<string, Calendar>; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const calendars = new Map<string, Calendar>([[ALWAYS_NAME, ALWAYS]]);
  const dir = isAbsolute(file.calendarDir) ? file.calendarDir : resolve(dirname(src.file), file.calendarDir);
  const regions = new Map<string, HolidayRegion | undefined>();
  for (const [name, spec] of Object.entries(file.calendars)) {
    if (name === ALWAYS_NAME) { errors.push(src.error(['calendars', name], `"${ALWAYS_NAME}" is built in (every minute counts); give this calendar another name`, true)); continue; }
    let region: HolidayRegion | undefined;
    if (spec.holidays !== undefined) {
      if (!regions.has(spec.holidays)) {
        try { regions.set(spec.holidays, loadHolidayRegion([dir, SHIPPED_CALENDAR_DIR], spec.holidays, env)); } catch (err) {
          if (!(err instanceof ConfigInvalidError)) throw err;
          regions.set(spec.holidays, undefined);
          errors.push(...err.errors);
          errors.push(src.error(['calendars', name, 'holidays'], `holiday data "${spec.holidays}" from ${dir} cannot be used (see the errors above)`));
        }
      }
      region = regions.get(spec.holidays);
    }
    calendars.set(name, buildCalendar(name, spec, region));
  }
  const known = () => [...calendars.keys()].join(', ');
  const check = (name: string, path: (string | number)[]) => {
    if (!calendars.has(name) && !Object.hasOwn(file.calendars, name)) errors.push(src.error(path, `unknown calendar "${name}" (calendars: ${known()})`));
  };
  check(file.calendar, ['calendar']);
  file.calendarFor.forEach((r, i) => check(r.calendar, ['calendarFor', i, 'calendar']));
  return { calendars, errors };
}

/** The name of the calendar an incident's clocks run in: the first matching `calendarFor` rule, else the default. */
export function calendarNameFor(inc: IncidentView, rules: readonly CalendarRule[], fallback: string, deviceTags?: (device: string) => readonly string[]): string {
  const rule = rules.find((r) => {
    if (r.severities && !r.severities.includes(inc.severity)) return false;
    if (r.sites && (inc.site === undefined || !r.sites.includes(inc.site))) return false;
    if (r.devices && (inc.device === undefined || !r.devices.includes(inc.device))) return false;
    if (r.tags) {
      const tags = inc.device !== undefined ? deviceTags?.(inc.device) ?? [] : [];
      if (!r.tags.some((t) => tags.includes(t))) return false;
    }
    if (r.labels) {
      const want = Object.entries(r.labels);
      if (!inc.alerts.some((a) => want.every(([k, v]) => a.labels[k] === v))) return false;
    }
    return true;
  });
  return rule?.calendar ?? fallback;
}

/**
 * Finds a calendar by the name an SLA record carries. A record from before notify.yaml lost that calendar
 * counts as 7x24 (said once), rather than stopping its clocks.
 */
export function calendarLookup(calendars: ReadonlyMap<string, Calendar>, log: Logger): (name: string) => Calendar {
  const unknown = new Set<string>();
  return (name) => {
    const cal = calendars.get(name);
    if (cal) return cal;
    if (!unknown.has(name)) { unknown.add(name); log.warn({ calendar: name }, `calendar "${name}" of stored SLA records is no longer in notify.yaml; counting it as 7x24`); }
    return ALWAYS;
  };
}
