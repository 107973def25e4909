import { z } from 'zod';
import { parseDuration } from '../../config/duration.js';
import { actor } from '../access.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { servicesFor } from '../services/scoped.js';
import { badRequest, conflict, notFound, problemSchema, type RequestIssue } from '../problems.js';
import type { MaintenanceWindow, WindowStatus } from '../../alerting/maintenance.js';
import type { MaintenanceService } from '../services/index.js';
import { maintenanceJson, maintenanceToJson, pageJson, paginate, pagingQuery, windowBounds } from '../views.js';

const listQuery = z.strictObject({
  state: z.array(z.enum(['scheduled', 'active', 'ended'])).optional(),
  ...pagingQuery,
});
type ListQuery = z.infer<typeof listQuery>;

const names = z.array(z.string().min(1).max(200)).max(1000);
const createBody = z.strictObject({
  reason: z.string().min(1).max(500),
  devices: names.default([]),
  sites: names.default([]),
  tags: names.default([]),
  startsAt: z.iso.datetime({ offset: true }).optional().describe('default: now'),
  endsAt: z.iso.datetime({ offset: true }).optional().describe('give endsAt or duration'),
  duration: z.string().max(20).optional().describe('such as 2h or 30m; give endsAt or duration'),
});
type CreateBody = z.infer<typeof createBody>;

const idParams = z.strictObject({ id: z.string().min(1).max(200) });
type IdParams = z.infer<typeof idParams>;

/** Longer windows are almost always a typo, and would silence a device for good. */
const MAX_WINDOW_MS = 31 * 86_400_000;

type Listed = MaintenanceWindow & WindowStatus & { startsAt: Date; endsAt: Date };

/** Every window with its bounds; a recurring window that never fires again has none and is left out. */
async function listWindows(service: MaintenanceService): Promise<Listed[]> {
  return (await service.list()).flatMap((w) => {
    const b = windowBounds(w);
    return b ? [{ ...w, ...b }] : [];
  });
}

/** /api/v1/maintenance: planned windows that mute alerts and mark tiles as in maintenance. */
// Long as a whole: one fastify plugin registering each maintenance route; every handler in it is short.
export const maintenanceRoutes = apiPlugin('noctua-maintenance', ['@fastify/swagger'], async (app, { services: all, now }) => {
  app.get<{ Querystring: ListQuery }>('/maintenance', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'List maintenance windows, soonest ending first',
      tags: ['maintenance'], querystring: listQuery, response: { 200: pageJson(maintenanceJson) },
    }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const t = now();
    const stateOf = (w: { startsAt: Date; endsAt: Date }) =>
      (w.endsAt.getTime() <= t.getTime() ? 'ended' : w.startsAt.getTime() > t.getTime() ? 'scheduled' : 'active');
    const windows = (await listWindows(servicesFor(request, all).maintenance))
      .filter((w) => !q.state || q.state.includes(stateOf(w)))
      .sort((a, b) => a.endsAt.getTime() - b.endsAt.getTime());
    return paginate(windows.map((w) => maintenanceToJson(w, w, t)), q.limit, q.offset);
  });

  app.post<{ Body: CreateBody }>('/maintenance', {
    config: { access: 'operator', audit: 'maintenance.create' },
    schema: routeSchema({
      summary: 'Plan a maintenance window for devices, whole sites or tagged devices',
      tags: ['maintenance'], body: createBody, response: { 201: maintenanceJson },
    }, problemSchema),
  }, async (request, reply) => {
    const b = request.body;
    const services = servicesFor(request, all);
    const t = now();
    const issues: RequestIssue[] = [];
    const reason = b.reason.trim();
    if (!reason) issues.push({ path: 'body.reason', expected: 'a reason that is not blank', got: JSON.stringify(b.reason) });
    if (b.devices.length + b.sites.length + b.tags.length === 0) {
      issues.push({ path: 'body.devices', expected: 'at least one device, site or tag (body.devices, body.sites or body.tags)' });
    }
    const fleet = await services.devices.list();
    const deviceNames = new Set(fleet.map((d) => d.name));
    const siteNames = new Set(fleet.map((d) => d.site));
    b.devices.forEach((d, i) => {
      if (!deviceNames.has(d)) issues.push({ path: `body.devices[${i}]`, expected: 'the name of a device in the inventory', got: JSON.stringify(d) });
    });
    b.sites.forEach((s, i) => {
      if (!siteNames.has(s)) issues.push({ path: `body.sites[${i}]`, expected: `a site in the inventory (${[...siteNames].sort().join(', ')})`, got: JSON.stringify(s) });
    });
    const startsAt = b.startsAt ? new Date(b.startsAt) : t;
    let endsAt: Date | undefined;
    if ((b.endsAt === undefined) === (b.duration === undefined)) {
      issues.push({ path: 'body.endsAt', expected: 'exactly one of body.endsAt or body.duration' });
    } else if (b.duration !== undefined) {
      const ms = parseDuration(b.duration);
      if (ms === undefined || ms <= 0) issues.push({ path: 'body.duration', expected: 'a duration such as 30m, 2h or 1d', got: JSON.stringify(b.duration) });
      else endsAt = new Date(startsAt.getTime() + ms);
    } else if (b.endsAt !== undefined) {
      endsAt = new Date(b.endsAt);
      if (endsAt.getTime() <= startsAt.getTime()) {
        issues.push({ path: 'body.endsAt', expected: `a time after startsAt (${startsAt.toISOString()})`, got: JSON.stringify(b.endsAt) });
      }
    }
    if (endsAt && endsAt.getTime() - startsAt.getTime() > MAX_WINDOW_MS) {
      issues.push({ path: b.duration !== undefined ? 'body.duration' : 'body.endsAt', expected: 'a window of at most 31 days' });
    }
    if (endsAt && endsAt.getTime() <= t.getTime()) {
      issues.push({ path: b.duration !== undefined ? 'body.duration' : 'body.endsAt', expected: 'a window that ends in the future' });
    }
    if (issues.length > 0 || !endsAt) throw badRequest(...issues);
    const by = actor(request);
    const created = await services.maintenance.create({
      name: `api-${startsAt.toISOString()}`, reason, owner: by,
      ...(b.devices.length ? { devices: b.devices } : {}), ...(b.sites.length ? { sites: b.sites } : {}),
      ...(b.tags.length ? { deviceTags: b.tags } : {}),
      start: startsAt.toISOString(), end: endsAt.toISOString(),
    }, by);
    const answer = maintenanceToJson(created, { startsAt, endsAt }, t);
    noteAudit(request, { target: `maintenance:${created.id}`, after: answer });
    return reply.code(201).send(answer);
  });

  app.post<{ Params: IdParams }>('/maintenance/:id/end', {
    config: { access: 'operator', audit: 'maintenance.end' },
    schema: routeSchema({
      summary: 'End a maintenance window now, before its planned end',
      tags: ['maintenance'], params: idParams, response: { 200: maintenanceJson },
    }, problemSchema),
  }, async (request) => {
    const { id } = request.params;
    const services = servicesFor(request, all);
    const t = now();
    noteAudit(request, { target: `maintenance:${id}` });
    const window = (await listWindows(services.maintenance)).find((w) => w.id === id);
    if (!window) throw notFound(`maintenance window "${id}"`);
    noteAudit(request, { before: maintenanceToJson(window, window, t) });
    if (window.source === 'config') throw conflict(`maintenance window "${id}" is defined in alerts.yaml; change it there`);
    if (window.endsAt.getTime() <= t.getTime()) throw conflict(`maintenance window "${id}" has already ended`);
    const ended = await services.maintenance.endEarly(id, t);
    if (!ended) throw notFound(`maintenance window "${id}"`);
    // A window dropped before it began keeps its planned start; it ends now all the same.
    const answer = maintenanceToJson(ended, { startsAt: windowBounds(ended)?.startsAt ?? window.startsAt, endsAt: t }, t, actor(request));
    noteAudit(request, { after: answer });
    return answer;
  });

  app.delete<{ Params: IdParams }>('/maintenance/:id', {
    config: { access: 'operator', audit: 'maintenance.delete' },
    schema: routeSchema({
      summary: 'Delete a maintenance window (planned by mistake)',
      tags: ['maintenance'], params: idParams, response: { 204: null },
    }, problemSchema),
  }, async (request, reply) => {
    const { id } = request.params;
    const services = servicesFor(request, all);
    noteAudit(request, { target: `maintenance:${id}` });
    const window = (await services.maintenance.list()).find((w) => w.id === id);
    if (!window) throw notFound(`maintenance window "${id}"`);
    noteAudit(request, { before: { id: window.id, spec: window.spec, createdBy: window.createdBy } });
    if (window.source === 'config') throw conflict(`maintenance window "${id}" is defined in alerts.yaml; change it there`);
    if (!(await services.maintenance.remove(id))) throw notFound(`maintenance window "${id}"`);
    return reply.code(204).send();
  });
});
