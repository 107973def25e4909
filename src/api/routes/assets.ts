import { z } from 'zod';
import { ASSET_EVENT_KINDS, type AssetEvent } from '../../service/assets/types.js';
import type { AssetView } from '../../service/assets/view.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { RequestProblem, problemSchema } from '../problems.js';
import { pageJson, pagingQuery } from '../views.js';

const iso = z.string().describe('RFC 3339 date-time');
const partJson = z.object({
  entity: z.string().describe('entPhysicalIndex'), part: z.string(), name: z.string(), descr: z.string(), model: z.string(), serial: z.string(),
  firmware: z.string(), hardware: z.string(), manufacturer: z.string(),
});
const assetJson = z.object({
  device: z.string(), site: z.string(), class: z.string(), vendor: z.string(), model: z.string(), serial: z.string(), firmware: z.string(), hardware: z.string(),
  inInventory: z.boolean(), polled: z.boolean().describe('seen by a successful inventory poll'),
  firstSeen: iso.optional(), lastSeen: iso.optional(), removedAt: iso.optional(),
  parts: z.array(partJson),
  asset: z.object({
    assetTag: z.string().optional(), owner: z.string().optional(), contract: z.string().optional(),
    purchaseDate: z.string().optional(), warrantyEnd: z.string().optional(),
  }).describe('fields the operator keeps in devices.yaml (asset:)'),
});
const eventJson = z.object({
  seq: z.number().int(), at: iso, device: z.string(), kind: z.enum(ASSET_EVENT_KINDS), entity: z.string().optional(), part: z.string().optional(),
  name: z.string().optional(), from: z.string().optional(), to: z.string().optional(),
});

const listQuery = z.strictObject({
  device: z.string().min(1).max(200).optional(),
  site: z.string().min(1).max(200).optional(),
  ...pagingQuery,
});
const eventsQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional().describe('events at or after this time'),
  until: z.iso.datetime({ offset: true }).optional().describe('events before this time'),
  device: z.string().min(1).max(200).optional(),
  ...pagingQuery,
});

const isoOpt = (d: Date | undefined) => d?.toISOString();

function assetToJson(a: AssetView): z.infer<typeof assetJson> {
  return { ...a, firstSeen: isoOpt(a.firstSeen), lastSeen: isoOpt(a.lastSeen), removedAt: isoOpt(a.removedAt) };
}
function eventToJson(e: AssetEvent): z.infer<typeof eventJson> {
  return { ...e, at: e.at.toISOString() };
}

/** /api/v1/assets: the asset register (资产统计), each device's hardware and parts, and its history of changes. */
export const assetsRoutes = apiPlugin('noctua-assets', ['@fastify/swagger'], async (app, { services }) => {
  const register = () => {
    if (!services.assets) throw new RequestProblem(404, 'the asset register is kept by the process that holds the state database; this one has none');
    return services.assets;
  };

  app.get<{ Querystring: z.infer<typeof listQuery> }>('/assets', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Devices with class, vendor, model, serial, firmware, parts and operator fields, by name', tags: ['assets'],
      querystring: listQuery, response: { 200: pageJson(assetJson) } }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const all = register().list().filter((a) => (!q.device || a.device === q.device) && (!q.site || a.site === q.site));
    return { total: all.length, limit: q.limit, offset: q.offset, items: all.slice(q.offset, q.offset + q.limit).map(assetToJson) };
  });

  app.get<{ Querystring: z.infer<typeof eventsQuery> }>('/assets/events', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Asset events (module swapped, firmware changed, part or device added/removed), oldest first', tags: ['assets'],
      querystring: eventsQuery, response: { 200: pageJson(eventJson) } }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const page = register().events({
      since: q.since ? new Date(q.since) : undefined, until: q.until ? new Date(q.until) : undefined, device: q.device, limit: q.limit, offset: q.offset,
    });
    return { total: page.total, limit: q.limit, offset: q.offset, items: page.items.map(eventToJson) };
  });
});
