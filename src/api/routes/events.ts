import { z } from 'zod';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { badRequest, problemSchema, RequestProblem } from '../problems.js';
import { EVENT_SOURCES, type EventRecord } from '../services/events.js';
import { pageJson, pagingQuery } from '../views.js';

/** Without `since`, the last day. */
const DEFAULT_LOOKBACK_MS = 86_400_000;
/** A wider range is almost always a mistake and makes InfluxDB count a month of raw events. */
const MAX_RANGE_MS = 31 * 86_400_000;

const time = z.iso.datetime({ offset: true }).optional();
const eventQuery = z.strictObject({
  device: z.string().min(1).max(255).optional(),
  type: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an event type such as link-down').max(100).optional(),
  source: z.enum(EVENT_SOURCES).optional(),
  since: time.describe('RFC 3339; default: a day before until'),
  until: time.describe('RFC 3339; default: now'),
  ...pagingQuery,
});
type EventQuerystring = z.infer<typeof eventQuery>;

const eventJson = z.object({
  time: z.string(), device: z.string(), source: z.enum(EVENT_SOURCES), type: z.string(),
  severity: z.string().optional(), site: z.string().optional(), vendor: z.string().optional(),
  ifIndex: z.string().optional(), ifName: z.string().optional(), entity: z.string().optional(),
  message: z.string(), messageZh: z.string().optional(), count: z.number(), storm: z.boolean(),
  from: z.string().optional(), key: z.string().optional(), clears: z.string().optional(), parseError: z.string().optional(),
});

function eventToJson(e: EventRecord): z.infer<typeof eventJson> {
  return { ...e, time: e.time.toISOString() };
}

/** /api/v1/events: trap, syslog and poll events from InfluxDB, newest first (docs/EVENTS.md). */
export const eventsRoutes = apiPlugin('noctua-events', ['@fastify/swagger'], async (app, { services, now }) => {
  app.get<{ Querystring: EventQuerystring }>('/events', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'List events (SNMP traps, syslog, events found by polls), newest first, filtered by device, type, source and time',
      tags: ['events'], querystring: eventQuery, response: { 200: pageJson(eventJson) },
    }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const until = q.until ? new Date(q.until) : now();
    const since = q.since ? new Date(q.since) : new Date(until.getTime() - DEFAULT_LOOKBACK_MS);
    if (since.getTime() >= until.getTime()) {
      throw badRequest({ path: 'querystring.since', expected: `a time before until (${until.toISOString()})`, got: JSON.stringify(q.since ?? since.toISOString()) });
    }
    if (until.getTime() - since.getTime() > MAX_RANGE_MS) {
      throw badRequest({ path: 'querystring.since', expected: 'a range of at most 31 days', got: JSON.stringify(q.since ?? since.toISOString()) });
    }
    if (!services.events) throw new RequestProblem(503, 'events are not available in this process (no InfluxDB reader)');
    let page;
    try {
      page = await services.events.list({ device: q.device, type: q.type, source: q.source, since, until, limit: q.limit, offset: q.offset });
    } catch (err) {
      request.log.error({ err }, 'events: reading InfluxDB failed');
      throw new RequestProblem(503, 'the event log could not be read from InfluxDB; try again shortly');
    }
    return { total: page.total, limit: q.limit, offset: q.offset, items: page.items.map(eventToJson) };
  });
});
