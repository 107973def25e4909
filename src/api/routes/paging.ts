import { z } from 'zod';
import { PAUSE_REASONS, type SlaPause } from '../../alerting/escalation/pauses.js';
import type { SlaRecord } from '../../alerting/escalation/sla.js';
import type { IncidentNotice, OutboxStats } from '../../alerting/outbox.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { servicesFor } from '../services/scoped.js';
import { notFound, problemSchema, RequestProblem } from '../problems.js';

const iso = z.string().describe('RFC 3339 date-time');
const isoOf = (d: Date | undefined) => d?.toISOString();

/** A clock pause: the SLA clocks of its incident stood still from `startedAt` to `endedAt` (absent while it lasts). */
export const pauseJson = z.object({
  id: z.string(),
  reason: z.enum(PAUSE_REASONS),
  note: z.string().optional(),
  startedAt: iso,
  startedBy: z.string(),
  endedAt: iso.optional().describe('absent while the pause lasts'),
  endedBy: z.string().optional().describe('"resolved" when the incident was resolved during the pause'),
});

/** Maps a clock pause. */
export function pauseToJson(p: SlaPause): z.infer<typeof pauseJson> {
  return { id: p.id, reason: p.reason, note: p.note, startedAt: p.startedAt.toISOString(), startedBy: p.startedBy, endedAt: isoOf(p.endedAt), endedBy: p.endedBy };
}

/** An incident's SLA record: response and resolution against the policy's targets and the service desk's bands. */
export const slaJson = z.object({
  respondTargetMs: z.number().int(),
  resolveTargetMs: z.number().int(),
  acknowledgedAt: iso.optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: iso.optional(),
  responseMs: z.number().int().optional(),
  respondedBy: z.enum(['acknowledged', 'resolved']).optional(),
  resolutionMs: z.number().int().optional(),
  responseMet: z.boolean().optional().describe('absent while the clock runs and the target is not yet missed'),
  resolutionMet: z.boolean().optional(),
  responseBand: z.string().describe('<=5m, <=10m, <=15m, later, or pending'),
  resolutionBand: z.string().describe('<=30m, <=60m, <=120m, later, or pending'),
  paged: z.boolean().describe('false when muted throughout: nobody was paged and it is not graded'),
  calendar: z.string().describe('service calendar the clocks ran in ("7x24": every minute counts); the times above are service time'),
  respondBy: iso.optional().describe('when the response target falls due; absent while a pause holds the clock'),
  resolveBy: iso.optional().describe('when the resolution target falls due; absent while a pause holds the clock'),
  pausedMs: z.number().int().describe('service time taken out of the clocks by pauses'),
  pauses: z.array(pauseJson),
});

/** Maps escalation's SLA record. */
export function slaToJson(r: SlaRecord): z.infer<typeof slaJson> {
  return {
    respondTargetMs: r.respondTargetMs, resolveTargetMs: r.resolveTargetMs,
    acknowledgedAt: isoOf(r.acknowledgedAt), acknowledgedBy: r.acknowledgedBy, resolvedAt: isoOf(r.resolvedAt),
    responseMs: r.responseMs, respondedBy: r.respondedBy, resolutionMs: r.resolutionMs,
    responseMet: r.responseMet, resolutionMet: r.resolutionMet, responseBand: r.responseBand, resolutionBand: r.resolutionBand, paged: r.paged,
    calendar: r.calendar, respondBy: isoOf(r.respondBy), resolveBy: isoOf(r.resolveBy), pausedMs: r.pausedMs, pauses: r.pauses.map(pauseToJson),
  };
}

/** The outbox's counts. */
export const outboxJson = z.object({
  pending: z.number().int(), failed: z.number().int(), sent: z.number().int(),
  oldestPendingAt: iso.optional().describe('creation time of the oldest notice still waiting to be delivered'),
});

/** Maps the outbox's counts. */
export function outboxToJson(s: OutboxStats): z.infer<typeof outboxJson> {
  return { pending: s.pending, failed: s.failed, sent: s.sent, oldestPendingAt: isoOf(s.oldestPendingAt) };
}

/** One notice of an incident: channel, escalation tier, delivery state (the console's timeline). */
export const incidentNoticeJson = z.object({
  id: z.string(), channel: z.string(), kind: z.string(), tier: z.string().optional(),
  status: z.enum(['pending', 'sent', 'failed']), attempts: z.number().int(), createdAt: iso, sentAt: iso.optional(),
  lastError: z.string().optional(), lastStatus: z.number().int().optional(),
});

/** Maps an incident's notice. */
export function incidentNoticeToJson(n: IncidentNotice): z.infer<typeof incidentNoticeJson> {
  return {
    id: n.id, channel: n.channel, kind: n.kind, tier: n.tier, status: n.status, attempts: n.attempts,
    createdAt: n.createdAt.toISOString(), sentAt: isoOf(n.sentAt), lastError: n.lastError, lastStatus: n.lastStatus,
  };
}

export const failedJson = z.object({
  id: z.string(), channel: z.string(), kind: z.string(), incidentId: z.string(), attempts: z.number().int(),
  createdAt: iso, failedAt: iso, reason: z.string(), lastStatus: z.number().int().optional(), response: z.string().optional(),
});

const failedQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });
const idParams = z.strictObject({ id: z.string().min(1).max(200) });

function noPaging(): RequestProblem {
  return new RequestProblem(404, 'nothing is paged in this process (no notify.yaml), so there is no outbox');
}

/** /api/v1/status and /api/v1/notices: the outbox's health, notices given up on, and sending one again. */
export const pagingRoutes = apiPlugin('noctua-paging', ['@fastify/swagger'], async (app, { services: all, now }) => {
  app.get('/status', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'Readiness and the notice outbox at a glance',
      tags: ['health'],
      response: {
        200: z.object({
          at: iso, schedulerRunning: z.boolean(), influx: z.enum(['reachable', 'spooling', 'down']), lastCycleAt: iso.optional(),
          paging: z.boolean().describe('false without notify.yaml'), outbox: outboxJson.optional(),
        }),
      },
    }, problemSchema),
  }, async (request) => {
    const services = servicesFor(request, all);
    const r = await services.health.readiness();
    const outbox = services.paging ? outboxToJson(await services.paging.outboxStats()) : undefined;
    return { at: now().toISOString(), schedulerRunning: r.schedulerRunning, influx: r.influx, lastCycleAt: isoOf(r.lastCycleAt), paging: Boolean(services.paging), outbox };
  });

  app.get<{ Querystring: z.infer<typeof failedQuery> }>('/notices/failed', {
    config: { access: 'operator' },
    schema: routeSchema({
      summary: 'Notices the outbox gave up on, newest first, with the reason and the receiver\'s last answer',
      tags: ['notices'], querystring: failedQuery, response: { 200: z.object({ total: z.number().int(), items: z.array(failedJson) }) },
    }, problemSchema),
  }, async (request) => {
    const services = servicesFor(request, all);
    if (!services.paging) throw noPaging();
    const [items, stats] = await Promise.all([services.paging.failedNotices(request.query.limit), services.paging.outboxStats()]);
    return {
      total: stats.failed,
      items: items.map((f) => ({ ...f, createdAt: f.createdAt.toISOString(), failedAt: f.failedAt.toISOString() })),
    };
  });

  app.post<{ Params: z.infer<typeof idParams> }>('/notices/:id/retry', {
    config: { access: 'operator', audit: 'notice.retry' },
    schema: routeSchema({
      summary: 'Queue a failed notice again (after the receiver was fixed); it keeps its idempotency key',
      tags: ['notices'], params: idParams, response: { 202: z.object({ id: z.string(), status: z.literal('pending') }) },
    }, problemSchema),
  }, async (request, reply) => {
    const services = servicesFor(request, all);
    if (!services.paging) throw noPaging();
    const { id } = request.params;
    noteAudit(request, { target: `notice:${id}`, before: { status: 'failed' }, after: { status: 'pending' } });
    if (!(await services.paging.retryNotice(id))) throw notFound(`failed notice "${id}"`);
    request.log.info({ notice: id, by: request.principal?.name }, 'failed notice queued again');
    return reply.code(202).send({ id, status: 'pending' as const });
  });
});
