import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LANGS } from '../../config/lang.js';
import { assetTable, toCsv, toXlsx } from '../../service/assets/export.js';
import { ASSET_EVENT_KINDS, type AssetEvent } from '../../service/assets/types.js';
import type { AssetView } from '../../service/assets/view.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { RequestProblem, problemSchema } from '../problems.js';
import { pageJson, pagingQuery } from '../views.js';

const iso = z.string().describe('RFC 3339 date-time');
/** A part of a device on the wire. */
export const assetPartJson = z.object({
  entity: z.string().describe('entPhysicalIndex'), part: z.string(), name: z.string(), descr: z.string(), model: z.string(), serial: z.string(),
  firmware: z.string(), hardware: z.string(), manufacturer: z.string(),
});
/** A device of the asset register on the wire. */
export const assetJson = z.object({
  device: z.string(), site: z.string(), class: z.string(), vendor: z.string(), model: z.string(), serial: z.string(), firmware: z.string(), hardware: z.string(),
  inInventory: z.boolean(), polled: z.boolean().describe('seen by a successful inventory poll'),
  firstSeen: iso.optional(), lastSeen: iso.optional(), removedAt: iso.optional(),
  parts: z.array(assetPartJson),
  asset: z.object({
    assetTag: z.string().optional(), owner: z.string().optional(), contract: z.string().optional(),
    purchaseDate: z.string().optional(), warrantyEnd: z.string().optional(),
  }).describe('fields the operator keeps in devices.yaml (asset:)'),
});
/** An asset event on the wire. */
export const assetEventJson = z.object({
  seq: z.number().int(), at: iso, device: z.string(), kind: z.enum(ASSET_EVENT_KINDS), entity: z.string().optional(), part: z.string().optional(),
  name: z.string().optional(), from: z.string().optional(), to: z.string().optional(),
});

const filterFields = {
  device: z.string().min(1).max(200).optional(),
  site: z.string().min(1).max(200).optional(),
  class: z.string().min(1).max(200).optional(),
  vendor: z.string().min(1).max(200).optional(),
  model: z.string().min(1).max(200).optional(),
  serial: z.string().min(1).max(200).optional().describe('part of a serial number, of the device or any of its parts (case-insensitive)'),
};
const listQuery = z.strictObject({ ...filterFields, ...pagingQuery });
const exportQuery = z.strictObject({
  ...filterFields,
  format: z.enum(['csv', 'xlsx']),
  lang: z.enum(LANGS).optional().describe('language of the header row and words; default the server locale'),
});
type Filter = { [K in keyof typeof filterFields]?: string };
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
function eventToJson(e: AssetEvent): z.infer<typeof assetEventJson> {
  return { ...e, at: e.at.toISOString() };
}

/**
 * The register as the caller may see it: a login limited to some sites sees only their devices (as every
 * other list does), then the filters; text filters match exactly, the serial one as a case-insensitive part.
 */
function visible(all: AssetView[], request: FastifyRequest, f: Filter): AssetView[] {
  const sites = request.principal?.sites;
  const serial = f.serial?.toLowerCase();
  const hasSerial = (a: AssetView) => !serial || a.serial.toLowerCase().includes(serial) || a.parts.some((p) => p.serial.toLowerCase().includes(serial));
  return all.filter((a) => (!sites || sites.includes(a.site)) && (!f.device || a.device === f.device) && (!f.site || a.site === f.site)
    && (!f.class || a.class === f.class) && (!f.vendor || a.vendor === f.vendor) && (!f.model || a.model === f.model) && hasSerial(a));
}

/** Largest number of events looked through for a login limited to some sites (filtered after reading). */
const SCOPED_EVENT_SCAN = 100_000;

/** /api/v1/assets: the asset register (资产统计), each device's hardware and parts, and its history of changes. */
export const assetsRoutes = apiPlugin('noctua-assets', ['@fastify/swagger'], async (app, { services, locale, now }) => {
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
    const all = visible(register().list(), request, q);
    return { total: all.length, limit: q.limit, offset: q.offset, items: all.slice(q.offset, q.offset + q.limit).map(assetToJson) };
  });

  app.get<{ Querystring: z.infer<typeof eventsQuery> }>('/assets/events', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Asset events (module swapped, firmware changed, part or device added/removed), oldest first', tags: ['assets'],
      querystring: eventsQuery, response: { 200: pageJson(assetEventJson) } }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const range = { since: q.since ? new Date(q.since) : undefined, until: q.until ? new Date(q.until) : undefined, device: q.device };
    const sites = request.principal?.sites;
    if (sites) {
      // A branch login sees the events of its sites' devices (removed ones too: the register remembers their site).
      const mine = new Set(visible(register().list(), request, {}).map((a) => a.device));
      const all = register().events({ ...range, limit: SCOPED_EVENT_SCAN, offset: 0 }).items.filter((e) => mine.has(e.device));
      return { total: all.length, limit: q.limit, offset: q.offset, items: all.slice(q.offset, q.offset + q.limit).map(eventToJson) };
    }
    const page = register().events({ ...range, limit: q.limit, offset: q.offset });
    return { total: page.total, limit: q.limit, offset: q.offset, items: page.items.map(eventToJson) };
  });

  app.get<{ Querystring: z.infer<typeof exportQuery> }>('/assets/export', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'The asset register (devices and parts) as a CSV file or an Excel workbook, with the list\'s filters', tags: ['assets'],
      querystring: exportQuery, response: { 200: z.string().describe('text/csv (UTF-8 with BOM) or an xlsx workbook') } }, problemSchema),
  }, async (request, reply) => {
    const q = request.query;
    const lang = q.lang ?? locale;
    const table = assetTable(visible(register().list(), request, q), lang);
    const stamp = now().toISOString().slice(0, 10);
    // The file name is ASCII by construction (a date), so the header needs no encoding.
    reply.header('content-disposition', `attachment; filename="assets-${stamp}.${q.format}"`).header('cache-control', 'no-store');
    if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(table));
    const body = await toXlsx(table, lang === 'zh-CN' ? '资产' : 'Assets');
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(body);
  });
});
