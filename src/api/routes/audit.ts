import { z } from 'zod';
import type { AuditRow } from '../../auth/audit.js';
import type { AuthRuntime } from '../../auth/runtime.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { badRequest, problemSchema } from '../problems.js';
import { pageJson, pagingQuery } from '../views.js';

const auditQuery = z.strictObject({
  who: z.string().min(1).max(200).optional().describe('exactly this person, token or (for failed logins) user name'),
  action: z.string().min(1).max(100).optional().describe('such as incident.acknowledge, login.failure, user.change'),
  since: z.iso.datetime({ offset: true }).optional().describe('rows at or after this time'),
  until: z.iso.datetime({ offset: true }).optional().describe('rows before this time'),
  ...pagingQuery,
});
type AuditQuerystring = z.infer<typeof auditQuery>;

/** One audit row as the API answers it (the console reads its type). */
export const auditJson = z.object({
  id: z.number().int(),
  at: z.string(),
  who: z.string(),
  role: z.string().optional(),
  via: z.enum(['token', 'session', 'link', 'chat', 'anonymous']).describe('API token, console session, notice link, chat callback; anonymous when nobody was authenticated'),
  address: z.string(),
  action: z.string(),
  method: z.string(),
  route: z.string(),
  target: z.string().optional(),
  status: z.number().int(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  detail: z.string().optional(),
});

function rowToJson(r: AuditRow): z.infer<typeof auditJson> {
  return { ...r, at: r.at.toISOString() };
}

/** /api/v1/audit: the audit trail, newest first, for admins of every site. Read only: no route changes or deletes a row. */
export const auditRoutes = apiPlugin('noctua-audit', ['@fastify/swagger'], async (app, ctx) => {
  const auth = ctx.auth as AuthRuntime;
  app.get<{ Querystring: AuditQuerystring }>('/audit', {
    config: { access: 'admin' },
    schema: routeSchema({
      summary: 'The audit trail: who did what, when, from where, through which path, with the state before and after',
      tags: ['audit'], querystring: auditQuery, response: { 200: pageJson(auditJson) },
    }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const since = q.since ? new Date(q.since) : undefined;
    const until = q.until ? new Date(q.until) : undefined;
    if (since && until && since.getTime() >= until.getTime()) {
      throw badRequest({ path: 'querystring.until', expected: `a time after since (${since.toISOString()})`, got: JSON.stringify(q.until) });
    }
    const page = auth.audit.list({ who: q.who, action: q.action, since, until, limit: q.limit, offset: q.offset });
    return { total: page.total, limit: q.limit, offset: q.offset, items: page.items.map(rowToJson) };
  });
});
