import { z } from 'zod';
import { DEVICE_CLASSES } from '../../config/inventory-schema.js';
import { parseDuration } from '../../config/duration.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { servicesFor } from '../services/scoped.js';
import { DEVICE_CONDITIONS } from '../services/index.js';
import { badRequest, notFound, problemSchema } from '../problems.js';
import {
  alertJson, alertToJson, deviceJson, deviceToJson, interfaceJson, interfacesOf, pageJson, paginate, pagingQuery, sampleJson, sampleToWire,
} from '../views.js';

const listQuery = z.strictObject({
  site: z.array(z.string().min(1).max(200)).optional(),
  class: z.array(z.enum(DEVICE_CLASSES)).optional(),
  tag: z.array(z.string().min(1).max(200)).optional().describe('the device must carry every tag given'),
  state: z.array(z.enum(DEVICE_CONDITIONS)).optional(),
  ...pagingQuery,
});
type ListQuery = z.infer<typeof listQuery>;

const nameParams = z.strictObject({ name: z.string().min(1).max(200) });
type NameParams = z.infer<typeof nameParams>;

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a measurement or field name (letters, digits, _)');
const seriesQuery = z.strictObject({
  measurement: identifier,
  field: identifier,
  from: z.iso.datetime({ offset: true }).optional().describe('default: one hour before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('default: now'),
  step: z.string().max(20).optional().describe('bucket width such as 30s, 5m, 1h; default: range / 300, at least 10s'),
  where: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=.+$/, 'expected tag=value').max(300)).optional()
    .describe('extra tag matches such as ifName=GE0/0/1'),
});
type SeriesQuerystring = z.infer<typeof seriesQuery>;

/** Most points one series answer may hold; a wider range needs a wider step. */
const MAX_POINTS = 5000;
const MIN_STEP_MS = 1000;

const seriesJson = z.object({
  device: z.string(),
  measurement: z.string(),
  field: z.string(),
  from: z.string(),
  to: z.string(),
  stepMs: z.number().int(),
  series: z.array(z.object({
    tags: z.record(z.string(), z.string()),
    points: z.array(z.object({ time: z.string(), value: z.number().nullable() })),
  })),
});

const detailJson = z.object({
  device: deviceJson,
  latest: z.array(sampleJson),
  interfaces: z.array(interfaceJson),
  openAlerts: z.array(alertJson),
});

/** /api/v1/devices: the fleet with its current state, one device in detail, and its time series. */
export const devicesRoutes = apiPlugin('noctua-devices', ['@fastify/swagger'], async (app, { services: all, now }) => {
  app.get<{ Querystring: ListQuery }>('/devices', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'List devices with their current state, filtered by site, class, tag and state',
      tags: ['devices'], querystring: listQuery, response: { 200: pageJson(deviceJson) },
    }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const devices = await servicesFor(request, all).devices.list();
    const matching = devices
      .filter((d) => !q.site || q.site.includes(d.site))
      .filter((d) => !q.class || q.class.includes(d.class))
      .filter((d) => !q.state || q.state.includes(d.state))
      .filter((d) => !q.tag || q.tag.every((t) => d.tags.includes(t)))
      .sort((a, b) => a.site.localeCompare(b.site) || a.name.localeCompare(b.name));
    return paginate(matching.map(deviceToJson), q.limit, q.offset);
  });

  app.get<{ Params: NameParams }>('/devices/:name', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'One device: state, latest metrics, interfaces and open alerts',
      tags: ['devices'], params: nameParams, response: { 200: detailJson },
    }, problemSchema),
  }, async (request) => {
    const { name } = request.params;
    const services = servicesFor(request, all);
    const device = await services.devices.get(name);
    if (!device) throw notFound(`device "${name}"`);
    const latest = await services.devices.latestSamples(name);
    // Alerts of the last day are enough to find the open ones; resolved ones are filtered out below.
    const alerts = await services.incidents.listAlerts(new Date(now().getTime() - 86_400_000));
    return {
      device: deviceToJson(device),
      latest: latest.map(sampleToWire),
      interfaces: interfacesOf(latest),
      openAlerts: alerts.filter((a) => a.device === name && a.state !== 'resolved').map(alertToJson),
    };
  });

  app.get<{ Params: NameParams; Querystring: SeriesQuerystring }>('/devices/:name/series', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'Time series of one field of one measurement of a device, averaged per step',
      tags: ['devices'], params: nameParams, querystring: seriesQuery, response: { 200: seriesJson },
    }, problemSchema),
  }, async (request) => {
    const { name } = request.params;
    const services = servicesFor(request, all);
    const q = request.query;
    const to = q.to ? new Date(q.to) : now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 3_600_000);
    if (from.getTime() >= to.getTime()) {
      throw badRequest({ path: 'querystring.from', expected: `a time before "to" (${to.toISOString()})`, got: JSON.stringify(q.from ?? from.toISOString()) });
    }
    const range = to.getTime() - from.getTime();
    let stepMs = Math.max(10_000, Math.ceil(range / 300 / 1000) * 1000);
    if (q.step !== undefined) {
      const parsed = parseDuration(q.step);
      if (parsed === undefined || parsed < MIN_STEP_MS) {
        throw badRequest({ path: 'querystring.step', expected: 'a duration of at least 1s such as 30s, 5m or 1h', got: JSON.stringify(q.step) });
      }
      if (range / parsed > MAX_POINTS) {
        const min = Math.ceil(range / MAX_POINTS / 1000);
        throw badRequest({ path: 'querystring.step', expected: `at least ${min}s for this range (at most ${MAX_POINTS} points)`, got: JSON.stringify(q.step) });
      }
      stepMs = parsed;
    }
    const where: Record<string, string> = {};
    for (const w of q.where ?? []) {
      const at = w.indexOf('=');
      where[w.slice(0, at)] = w.slice(at + 1);
    }
    if (!(await services.devices.get(name))) throw notFound(`device "${name}"`);
    const series = await services.metrics.series({ device: name, measurement: q.measurement, field: q.field, where, from, to, stepMs });
    return {
      device: name, measurement: q.measurement, field: q.field, from: from.toISOString(), to: to.toISOString(), stepMs,
      series: series.map((s) => ({ tags: { ...s.tags }, points: s.points.map((p) => ({ time: p.time.toISOString(), value: p.value })) })),
    };
  });
});
