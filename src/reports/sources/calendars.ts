/**
 * The service calendars a report reads SLA clocks and days in: notify.yaml's, as escalation built them
 * (holiday data loaded), so a report never builds a calendar of its own.
 */
import type { NotifyConfig } from '../../alerting/escalation/config.js';
import type { CalendarLookup } from '../../alerting/escalation/sla.js';
import { ALWAYS, type Calendar } from '../../service/calendar.js';

/** notify.yaml's default calendar (the one a daily summary names) and a lookup for the calendars SLA records name. */
export function reportCalendars(notify: Pick<NotifyConfig, 'calendar' | 'serviceCalendars'> | undefined): { calendar?: Calendar; calendars?: CalendarLookup } {
  if (!notify) return {};
  const cals = notify.serviceCalendars;
  // A record naming a calendar notify.yaml no longer has counts as 7x24, as escalation counts it.
  return { calendar: cals.get(notify.calendar), calendars: (name) => cals.get(name) ?? ALWAYS };
}
