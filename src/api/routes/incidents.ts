import { withPauses } from '../pause-timeline.js';
import { z } from 'zod';
import { SEVERITIES, type IncidentView, type Severity } from '../../core/incident.js';
import { actor } from '../access.js';
import { noteAudit } from '../../auth/audit-hook.js';
import { servicesFor } from '../services/scoped.js';
import type { ApiServices, Awaitable } from '../services/index.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { badRequest, conflict, notFound, problemSchema } from '../problems.js';
import { incidentNoticeJson, incidentNoticeToJson, slaJson, slaToJson } from './paging.js';
import { configChangesFor, configChangesJson } from './config-backups.js';
import {
  alertJson, alertToJson, incidentJson, incidentToJson, pageJson, paginate, pagingQuery, timelineEntryJson, timelineEntryToJson,
} from '../views.js';

const severity = z.enum(SEVERITIES as [Severity, ...Severity[]]);
const since = z.iso.datetime({ offset: true }).optional()
  .describe('only what was still active at or after this time; default: 7 days ago');

const incidentQuery = z.strictObject({
  state: z.array(z.enum(['open', 'acknowledged', 'resolved'])).optional(),
  severity: z.array(severity).optional(),
  site: z.array(z.string().min(1).max(200)).optional(),
  device: z.array(z.string().min(1).max(200)).optional(),
  since,
  ...pagingQuery,
});
type IncidentQuery = z.infer<typeof incidentQuery>;

const alertQuery = z.strictObject({
  state: z.array(z.enum(['pending', 'firing', 'resolved'])).optional(),
  severity: z.array(severity).optional(),
  site: z.array(z.string().min(1).max(200)).optional(),
  device: z.array(z.string().min(1).max(200)).optional(),
  since,
  ...pagingQuery,
});
type AlertQuery = z.infer<typeof alertQuery>;

const idParams = z.strictObject({ id: z.string().min(1).max(200) });
type IdParams = z.infer<typeof idParams>;

const noteBody = z.strictObject({ note: z.string().min(1).max(2000).optional() });
type NoteBody = z.infer<typeof noteBody>;
const commentBody = z.strictObject({ note: z.string().min(1).max(2000) });
type CommentBody = z.infer<typeof commentBody>;

/** The note a claim leaves on the timeline (both languages: notes are stored text, read by everyone on the team). */
export const CLAIM_NOTE = "claimed: I'm on it / 认领：我来处理";

const DEFAULT_LOOKBACK_MS = 7 * 86_400_000;
const STATE_ORDER = { open: 0, acknowledged: 1, resolved: 2 } as const;

/** Open incidents first, the most severe first, then the newest. */
function byUrgency(a: IncidentView, b: IncidentView): number {
  return STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.severity.localeCompare(b.severity) || b.openedAt.getTime() - a.openedAt.getTime();
}

/** What the audit trail keeps of an incident before and after an action. */
export function incidentAuditState(i: IncidentView): Record<string, unknown> {
  return { state: i.state, severity: i.severity, acknowledgedBy: i.acknowledgedBy ?? null, resolvedAt: i.resolvedAt?.toISOString() ?? null };
}

/** /api/v1/incidents and /api/v1/alerts: what is wrong, and what operators do about it. */
// Long as a whole: one fastify plugin registering each incident and alert route; every handler in it is short.
export const incidentsRoutes = apiPlugin('noctua-incidents', ['@fastify/swagger'], async (app, { services: all, now }) => {
  const sinceOf = (q: { since?: string }) => (q.since ? new Date(q.since) : new Date(now().getTime() - DEFAULT_LOOKBACK_MS));

  app.get<{ Querystring: IncidentQuery }>('/incidents', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'List incidents, most urgent first, filtered by state, severity, site, device and time',
      tags: ['incidents'], querystring: incidentQuery, response: { 200: pageJson(incidentJson) },
    }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const from = sinceOf(q);
    const incidents = await servicesFor(request, all).incidents.listIncidents(from);
    const matching = incidents
      .filter((i) => i.state !== 'resolved' || (i.resolvedAt?.getTime() ?? Infinity) >= from.getTime())
      .filter((i) => !q.state || q.state.includes(i.state))
      .filter((i) => !q.severity || q.severity.includes(i.severity))
      .filter((i) => !q.site || (i.site !== undefined && q.site.includes(i.site)))
      .filter((i) => !q.device || (i.device !== undefined && q.device.includes(i.device)))
      .sort(byUrgency);
    return paginate(matching.map(incidentToJson), q.limit, q.offset);
  });

  app.get<{ Params: IdParams }>('/incidents/:id', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'One incident with its alerts and timeline',
      tags: ['incidents'], params: idParams,
      response: {
        200: z.object({
          incident: incidentJson, timeline: z.array(timelineEntryJson), sla: slaJson.optional().describe('absent without escalation'),
          notices: z.array(incidentNoticeJson).describe('every notice written for it, oldest first; empty without escalation'),
          configChanges: configChangesJson,
        }),
      },
    }, problemSchema),
  }, async (request) => {
    const services = servicesFor(request, all);
    const incident = await services.incidents.get(request.params.id);
    if (!incident) throw notFound(`incident "${request.params.id}"`);
    const [timeline, sla, notices] = await Promise.all([
      services.incidents.timeline(incident.id), services.paging?.slaRecord(incident.id), services.paging?.incidentNotices(incident.id),
    ]);
    return {
      incident: incidentToJson(incident), timeline: withPauses(timeline.map(timelineEntryToJson), sla?.pauses ?? []), sla: sla ? slaToJson(sla) : undefined,
      notices: (notices ?? []).map(incidentNoticeToJson), configChanges: configChangesFor(services, incident),
    };
  });

  /** One action route: checks the incident exists and is in a state the action applies to, then acts. */
  const action = <B extends z.ZodType>(
    verb: string, summary: string, body: B,
    allowed: (i: IncidentView) => string | undefined,
    act: (services: ApiServices, id: string, by: string, body: z.infer<B>, current: IncidentView) => Awaitable<IncidentView | undefined>,
  ) => {
    app.post<{ Params: IdParams; Body: z.infer<B> }>(`/incidents/:id/${verb}`, {
      config: { access: 'operator', audit: `incident.${verb}` },
      schema: routeSchema({ summary, tags: ['incidents'], params: idParams, body, response: { 200: incidentJson } }, problemSchema),
      // A bare POST (no body) means "no note"; the schema then checks the empty object like any other.
      preValidation: async (request) => { if (request.body === null || request.body === undefined) request.body = {} as z.infer<B>; },
    }, async (request) => {
      const { id } = request.params;
      const services = servicesFor(request, all);
      noteAudit(request, { target: `incident:${id}` });
      const current = await services.incidents.get(id);
      if (!current) throw notFound(`incident "${id}"`);
      noteAudit(request, { before: incidentAuditState(current) });
      const refusal = allowed(current);
      if (refusal) throw conflict(refusal);
      const body = (request.body ?? {}) as z.infer<B>;
      const updated = await act(services, id, actor(request), body, current);
      if (!updated) throw notFound(`incident "${id}"`);
      const note = (body as { note?: string }).note;
      noteAudit(request, { after: incidentAuditState(updated), ...(note ? { detail: note } : {}) });
      return incidentToJson(updated);
    });
  };

  action<typeof noteBody>('acknowledge', 'Acknowledge an incident: escalation stops paging further tiers', noteBody,
    (i) => (i.state === 'resolved' ? `incident "${i.id}" is resolved; there is nothing to acknowledge` : undefined),
    (services, id, by, b: NoteBody) => services.incidents.acknowledge(id, by, b.note));
  action<typeof noteBody>('unacknowledge', 'Take back an acknowledgement: escalation resumes', noteBody,
    (i) => (i.state !== 'acknowledged' ? `incident "${i.id}" is ${i.state}, not acknowledged` : undefined),
    (services, id, by) => services.incidents.unacknowledge(id, by));
  action<typeof noteBody>('resolve', 'Resolve an incident by hand', noteBody,
    (i) => (i.state === 'resolved' ? `incident "${i.id}" is already resolved` : undefined),
    (services, id, by, b: NoteBody) => services.incidents.resolve(id, by, b.note));
  // Claim = "I'm on it": an open incident is acknowledged in the claimer's name (paging stops); an acknowledged
  // one is taken over, recorded as a comment, so the timeline says who works on it now.
  action<typeof noteBody>('claim', 'Claim an incident ("I\'m on it"): acknowledges it in your name, or takes over an acknowledged one', noteBody,
    (i) => (i.state === 'resolved' ? `incident "${i.id}" is resolved; there is nothing to claim` : undefined),
    (services, id, by, b: NoteBody, current) => {
      const note = b.note?.trim() ? `${CLAIM_NOTE}: ${b.note.trim()}` : CLAIM_NOTE;
      return current.state === 'acknowledged' ? services.incidents.comment(id, by, note) : services.incidents.acknowledge(id, by, note);
    });
  action<typeof commentBody>('comment', 'Add a comment to an incident\'s timeline', commentBody,
    () => undefined,
    (services, id, by, b: CommentBody) => {
      const note = b.note.trim();
      if (!note) throw badRequest({ path: 'body.note', expected: 'a note that is not blank', got: JSON.stringify(b.note) });
      return services.incidents.comment(id, by, note);
    });

  app.get<{ Querystring: AlertQuery }>('/alerts', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'List alerts, firing first, filtered by state, severity, site, device and time',
      tags: ['alerts'], querystring: alertQuery, response: { 200: pageJson(alertJson) },
    }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const from = sinceOf(q);
    const services = servicesFor(request, all);
    const [alerts, devices] = await Promise.all([services.incidents.listAlerts(from), services.devices.list()]);
    const siteOf = new Map(devices.map((d) => [d.name, d.site]));
    const order = { firing: 0, pending: 1, resolved: 2 } as const;
    const matching = alerts
      .filter((a) => a.state !== 'resolved' || (a.endsAt?.getTime() ?? Infinity) >= from.getTime())
      .filter((a) => !q.state || q.state.includes(a.state))
      .filter((a) => !q.severity || q.severity.includes(a.severity))
      .filter((a) => !q.site || q.site.includes(a.labels.site ?? siteOf.get(a.device) ?? ''))
      .filter((a) => !q.device || q.device.includes(a.device))
      .sort((a, b) => order[a.state] - order[b.state] || a.severity.localeCompare(b.severity) || b.startsAt.getTime() - a.startsAt.getTime());
    return paginate(matching.map(alertToJson), q.limit, q.offset);
  });
});
