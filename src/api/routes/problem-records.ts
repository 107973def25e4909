import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { noteAudit } from '../../auth/audit-hook.js';
import { FIX_STATUSES, type ProblemRecord, type ProblemRecordLogEntry } from '../../service/problems/store.js';
import { actor } from '../access.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { RequestProblem, badRequest, conflict, notFound, problemSchema } from '../problems.js';
import { pageJson, pagingQuery } from '../views.js';

const iso = z.string().describe('RFC 3339 date-time');
const longText = z.string().max(10_000);

/** A problem record on the wire. */
export const problemRecordJson = z.object({
  id: z.string(), key: z.string(), device: z.string(), rule: z.string().optional(), site: z.string().optional(),
  state: z.enum(['open', 'closed']), openedAt: iso, closedAt: iso.optional(), closedBy: z.string().optional(),
  reopened: z.number().int(), rootCause: z.string().optional(), workaround: z.string().optional(), fixStatus: z.enum(FIX_STATUSES),
  updatedAt: iso, updatedBy: z.string().optional(),
  incidents: z.array(z.object({ id: z.string(), openedAt: iso })),
});

function recordToJson(p: ProblemRecord): z.infer<typeof problemRecordJson> {
  return {
    ...p, openedAt: p.openedAt.toISOString(), closedAt: p.closedAt?.toISOString(), updatedAt: p.updatedAt.toISOString(),
    incidents: p.incidents.map((i) => ({ id: i.id, openedAt: i.openedAt.toISOString() })),
  };
}

/** One line of a problem's history on the wire. */
export const problemLogJson = z.object({ at: iso, kind: z.enum(['opened', 'linked', 'reopened', 'edited', 'closed']), by: z.string().optional(), note: z.string().optional() });
function logToJson(e: ProblemRecordLogEntry): z.infer<typeof problemLogJson> {
  return { ...e, at: e.at.toISOString() };
}

const listQuery = z.strictObject({
  state: z.enum(['open', 'closed']).optional(),
  device: z.string().min(1).max(200).optional(),
  site: z.string().min(1).max(200).optional(),
  rule: z.string().min(1).max(200).optional().describe('problems of this rule (device-and-rule records)'),
  since: z.iso.datetime({ offset: true }).optional().describe('problems opened, or with an incident, at or after this time'),
  ...pagingQuery,
});
const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const editBody = z.strictObject({
  rootCause: longText.nullable().optional().describe('what really causes the incidents (null clears it)'),
  workaround: longText.nullable().optional().describe('what restores service until the fix'),
  fixStatus: z.enum(FIX_STATUSES).optional(),
});
const closeBody = z.strictObject({ note: z.string().min(1).max(2000).optional() });

/** Largest number of records looked through for a login limited to some sites or a rule filter (filtered after reading). */
const SCOPED_SCAN = 10_000;

/** True when the caller may see the record: every site, or the record's site is one of the login's (one without a site is nobody's branch). */
function inScope(request: FastifyRequest, p: ProblemRecord): boolean {
  const sites = request.principal?.sites;
  return !sites || (p.site !== undefined && sites.includes(p.site));
}

function noRecords(): RequestProblem {
  return new RequestProblem(404, 'problem records are kept by the process that runs the alert engine; this one has none');
}

/** /api/v1/problems: recurring faults (问题管理), what people found out about them, and closing them. */
export const problemRecordsRoutes = apiPlugin('noctua-problem-records', ['@fastify/swagger'], async (app, { services, now }) => {
  app.get<{ Querystring: z.infer<typeof listQuery> }>('/problems', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'List problem records, newest first', tags: ['problems'], querystring: listQuery, response: { 200: pageJson(problemRecordJson) } }, problemSchema),
  }, async (request) => {
    const store = services.problemRecords;
    if (!store) throw noRecords();
    const q = request.query;
    const filter = { state: q.state, device: q.device, site: q.site, since: q.since ? new Date(q.since) : undefined };
    if (request.principal?.sites || q.rule) {
      // The store filters by state, device, site and time; a branch login's sites and the rule are applied here.
      const mine = (await store.list({ ...filter, limit: SCOPED_SCAN, offset: 0 })).items.filter((p) => inScope(request, p) && (!q.rule || p.rule === q.rule));
      return { total: mine.length, limit: q.limit, offset: q.offset, items: mine.slice(q.offset, q.offset + q.limit).map(recordToJson) };
    }
    const page = await store.list({ ...filter, limit: q.limit, offset: q.offset });
    return { total: page.total, limit: q.limit, offset: q.offset, items: page.items.map(recordToJson) };
  });

  app.get<{ Params: z.infer<typeof idParams> }>('/problems/:id', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'One problem record with its history', tags: ['problems'], params: idParams,
      response: { 200: z.object({ problem: problemRecordJson, log: z.array(problemLogJson) }) } }, problemSchema),
  }, async (request) => {
    const store = services.problemRecords;
    if (!store) throw noRecords();
    const p = await store.get(request.params.id);
    if (!p || !inScope(request, p)) throw notFound(`problem record "${request.params.id}"`);
    return { problem: recordToJson(p), log: (await store.log(p.id)).map(logToJson) };
  });

  app.patch<{ Params: z.infer<typeof idParams>; Body: z.infer<typeof editBody> }>('/problems/:id', {
    config: { access: 'operator', audit: 'problem.edit' },
    schema: routeSchema({ summary: 'Record the root cause, workaround or fix status of a problem', tags: ['problems'], params: idParams, body: editBody,
      response: { 200: problemRecordJson } }, problemSchema),
  }, async (request) => {
    const store = services.problemRecords;
    if (!store) throw noRecords();
    const b = request.body;
    if (b.rootCause === undefined && b.workaround === undefined && b.fixStatus === undefined) {
      throw badRequest({ path: 'body', expected: 'at least one of rootCause, workaround, fixStatus' });
    }
    const trimmed = (v: string | null | undefined) => (v === undefined || v === null ? v : v.trim() || null);
    const found = await store.get(request.params.id);
    if (!found || !inScope(request, found)) throw notFound(`problem record "${request.params.id}"`);
    const out = await store.edit(found.id, { rootCause: trimmed(b.rootCause), workaround: trimmed(b.workaround), fixStatus: b.fixStatus }, actor(request), now());
    if (!out) throw notFound(`problem record "${request.params.id}"`);
    const fields = (r: ProblemRecord) => ({ rootCause: r.rootCause, workaround: r.workaround, fixStatus: r.fixStatus });
    noteAudit(request, { target: found.id, before: fields(out.before), after: fields(out.after) });
    return recordToJson(out.after);
  });

  app.post<{ Params: z.infer<typeof idParams>; Body: z.infer<typeof closeBody> }>('/problems/:id/close', {
    config: { access: 'operator', audit: 'problem.close' },
    schema: routeSchema({ summary: 'Close a problem record; it reopens by itself when the pattern comes back', tags: ['problems'], params: idParams, body: closeBody,
      response: { 200: problemRecordJson } }, problemSchema),
    preValidation: async (request) => { if (request.body === null || request.body === undefined) request.body = {}; },
  }, async (request) => {
    const store = services.problemRecords;
    if (!store) throw noRecords();
    const p = await store.get(request.params.id);
    if (!p || !inScope(request, p)) throw notFound(`problem record "${request.params.id}"`);
    noteAudit(request, { target: p.id, before: { state: p.state }, after: { state: 'closed' }, detail: request.body.note?.trim() || undefined });
    if (!(await store.close(p.id, actor(request), now(), request.body.note?.trim() || undefined))) throw conflict(`problem record "${p.id}" is already closed`);
    return recordToJson((await store.get(p.id))!);
  });
});
