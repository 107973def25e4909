import { z } from 'zod';
import { LANGS } from '../../config/lang.js';
import type { KnowledgeHit } from '../../service/knowledge/store.js';
import { MAX_BODY, MAX_TITLE } from '../../service/knowledge/store.js';
import { MAX_QUERY_CHARS } from '../../service/knowledge/text-index.js';
import { runbookPage } from '../../service/knowledge/runbook-page.js';
import { pickLang } from '../link-page.js';
import { leadRule } from '../../service/problems/detector.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { actor } from '../access.js';
import { servicesFor } from '../services/scoped.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { RequestProblem, badRequest, notFound, problemSchema } from '../problems.js';
import { pageJson, pagingQuery } from '../views.js';

const iso = z.string().describe('RFC 3339 date-time');
const subjectField = z.string().min(1).max(200).optional();

/** A knowledge entry on the wire. */
export const knowledgeEntryJson = z.object({
  id: z.number().int(), incidentId: z.string().optional(), rule: z.string().optional(), vendor: z.string().optional(), model: z.string().optional(),
  class: z.string().optional(), device: z.string().optional(), title: z.string(), body: z.string(), by: z.string().optional(), createdAt: iso,
});
/** A search hit on the wire: the entry and its rank. */
export const knowledgeHitJson = z.object({ entry: knowledgeEntryJson, score: z.number() });

function hitToJson(h: KnowledgeHit): z.infer<typeof knowledgeHitJson> {
  return { entry: { ...h.entry, createdAt: h.entry.createdAt.toISOString() }, score: h.score };
}

const searchQuery = z.strictObject({
  q: z.string().min(1).max(MAX_QUERY_CHARS).describe('words to find, Chinese or English; every word must appear'),
  ...pagingQuery,
});
const addBody = z.strictObject({
  title: z.string().min(1).max(MAX_TITLE), body: z.string().min(1).max(MAX_BODY),
  rule: subjectField, vendor: subjectField, model: subjectField, class: subjectField,
});
const idParams = z.strictObject({ id: z.coerce.number().int().min(1) });
const incidentParams = z.strictObject({ id: z.string().min(1).max(200) });
const runbookParams = z.strictObject({ name: z.string().min(1).max(128) });
const runbookQuery = z.strictObject({ lang: z.enum(LANGS).optional() });
const runbookPageQuery = z.strictObject({ lang: z.enum(LANGS).optional(), access_token: z.string().max(200).optional() });

function noKnowledge(): RequestProblem {
  return new RequestProblem(404, 'the knowledge base is kept by the process that runs the alert engine; this one has none');
}

/** /api/v1/knowledge and /api/v1/runbooks: what was learnt from past faults (知识库), and the team's runbooks. */
export const knowledgeRoutes = apiPlugin('noctua-knowledge', ['@fastify/swagger'], async (app, { services, now, locale }) => {
  const kb = () => {
    if (!services.knowledge) throw noKnowledge();
    return services.knowledge;
  };

  app.get<{ Querystring: z.infer<typeof searchQuery> }>('/knowledge', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Search the knowledge base (Chinese and English), best match first', tags: ['knowledge'], querystring: searchQuery,
      response: { 200: pageJson(knowledgeHitJson) } }, problemSchema),
  }, async (request) => {
    const q = request.query;
    if (!q.q.trim()) throw badRequest({ path: 'querystring.q', expected: 'at least one word to search for', got: JSON.stringify(q.q) });
    const page = kb().entries.search(q.q, { limit: q.limit, offset: q.offset });
    return { total: page.total, limit: q.limit, offset: q.offset, items: page.items.map(hitToJson) };
  });

  app.get<{ Params: z.infer<typeof idParams> }>('/knowledge/:id', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'One knowledge entry', tags: ['knowledge'], params: idParams, response: { 200: knowledgeEntryJson } }, problemSchema),
  }, async (request) => {
    const e = kb().entries.get(request.params.id);
    if (!e) throw notFound(`knowledge entry ${request.params.id}`);
    return { ...e, createdAt: e.createdAt.toISOString() };
  });

  app.post<{ Body: z.infer<typeof addBody> }>('/knowledge', {
    config: { access: 'operator', audit: 'knowledge.add' },
    schema: routeSchema({ summary: 'Write a knowledge entry by hand', tags: ['knowledge'], body: addBody, response: { 201: knowledgeEntryJson } }, problemSchema),
  }, async (request, reply) => {
    const b = request.body;
    if (!b.title.trim()) throw badRequest({ path: 'body.title', expected: 'a title that is not blank' });
    if (!b.body.trim()) throw badRequest({ path: 'body.body', expected: 'a text that is not blank' });
    const e = kb().entries.add({ ...b, title: b.title.trim(), body: b.body.trim(), by: actor(request), at: now() })!;
    noteAudit(request, { target: `knowledge:${e.id}`, after: { title: e.title } });
    return reply.code(201).send({ ...e, createdAt: e.createdAt.toISOString() });
  });

  app.get<{ Params: z.infer<typeof incidentParams> }>('/incidents/:id/similar', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Past incidents like this one and what fixed them: same rule and vendor/model first', tags: ['knowledge'],
      params: incidentParams, response: { 200: z.object({ items: z.array(knowledgeHitJson), runbook: z.string().optional().describe('rule with a runbook') }) } }, problemSchema),
  }, async (request) => {
    const k = kb();
    // Through the caller's scope: a branch login learns nothing about another site's incident, not even that it exists.
    const incident = await servicesFor(request, services).incidents.get(request.params.id);
    if (!incident) throw notFound(`incident "${request.params.id}"`);
    const rule = leadRule(incident);
    const facts = incident.device ? k.deviceFacts(incident.device) : {};
    const items = k.entries.similar({ rule, ...facts }, { excludeIncident: incident.id, limit: 5 });
    const runbook = rule && (await k.runbook(rule, locale)) ? rule : undefined;
    return { items: items.map(hitToJson), runbook };
  });

  app.get('/runbooks', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Names (rules and event types) that have a runbook', tags: ['knowledge'], response: { 200: z.object({ items: z.array(z.string()) }) } }, problemSchema),
  }, async () => ({ items: await kb().runbookNames() }));

  app.get<{ Params: z.infer<typeof runbookParams>; Querystring: z.infer<typeof runbookQuery> }>('/runbooks/:name', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'The runbook of a rule or event type, as Markdown', tags: ['knowledge'], params: runbookParams, querystring: runbookQuery,
      response: { 200: z.object({ name: z.string(), lang: z.string(), markdown: z.string() }) } }, problemSchema),
  }, async (request) => {
    const r = await kb().runbook(request.params.name, request.query.lang ?? locale);
    if (!r) throw notFound(`runbook "${request.params.name}"`);
    return r;
  });

  app.get<{ Params: z.infer<typeof runbookParams>; Querystring: z.infer<typeof runbookPageQuery> }>('/runbooks/:name/page', {
    // Opened from a notice's link in a browser: the console session's cookie, or a viewer token in the query.
    config: { access: 'viewer', tokenInQuery: true },
    schema: routeSchema({ summary: 'The runbook of a rule or event type as a readable HTML page (the link in incident notices)', tags: ['knowledge'],
      params: runbookParams, querystring: runbookPageQuery, response: { 200: z.string() } }, problemSchema),
  }, async (request, reply) => {
    const lang = pickLang(request, locale);
    const r = await kb().runbook(request.params.name, lang);
    if (!r) throw notFound(`runbook "${request.params.name}"`);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'same-origin')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .send(runbookPage(r, lang));
  });
});
