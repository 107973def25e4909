/**
 * The service calendars a report reads SLA clocks and days in: notify.yaml's, as escalation built them
 * (holiday data loaded), so a report never builds a calendar of its own.
 */
import type { NotifyConfig } from '../../alerting/escalation/config.js';
import type { CalendarLookup } from '../../alerting/escalation/sla.js';
import { onCallAt } from '../../alerting/escalation/rotation.js';
import { ALWAYS, type Calendar } from '../../service/calendar.js';
import type { OnCallLookup } from '../model/types.js';

/** notify.yaml's default calendar (the one a daily summary names) and a lookup for the calendars SLA records name. */
export function reportCalendars(notify: Pick<NotifyConfig, 'calendar' | 'serviceCalendars'> | undefined): { calendar?: Calendar; calendars?: CalendarLookup } {
  if (!notify) return {};
  const cals = notify.serviceCalendars;
  // A record naming a calendar notify.yaml no longer has counts as 7x24, as escalation counts it.
  return { calendar: cals.get(notify.calendar), calendars: (name) => cals.get(name) ?? ALWAYS };
}

/** Who holds each of notify.yaml's on-call schedules at an instant, by escalation's own rotation (overrides included). */
export function reportOnCall(notify: Pick<NotifyConfig, 'schedules' | 'people'> | undefined, timezone: string): OnCallLookup | undefined {
  if (!notify || Object.keys(notify.schedules).length === 0) return undefined;
  return (atMs) => Object.entries(notify.schedules).sort(([a], [b]) => a.localeCompare(b)).map(([schedule, cfg]) => {
    const h = onCallAt(cfg, timezone, atMs);
    return { schedule, person: h.person, displayName: notify.people[h.person]?.displayName ?? h.person, override: h.override, shiftEnd: h.shiftEnd };
  });
}
