import { z } from 'zod';
import { PAUSE_REASONS } from '../../alerting/escalation/pauses.js';
import { actor } from '../access.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { noteAudit } from '../../auth/audit-hook.js';
import type { ApiServices } from '../services/index.js';
import { servicesFor } from '../services/scoped.js';
import { conflict, notFound, problemSchema, RequestProblem } from '../problems.js';
import { pauseJson, pauseToJson, slaJson, slaToJson } from './paging.js';

const idParams = z.strictObject({ id: z.string().min(1).max(200) });
const pauseParams = z.strictObject({ id: z.string().min(1).max(200), pid: z.string().min(1).max(200) });
type IdParams = z.infer<typeof idParams>;
type PauseParams = z.infer<typeof pauseParams>;

const pauseBody = z.strictObject({
  reason: z.enum(PAUSE_REASONS).describe('why the clocks stop: the customer is needed, a carrier fault, a spare part on its way, a maintenance window'),
  note: z.string().min(1).max(2000).optional(),
});
type PauseBody = z.infer<typeof pauseBody>;
const endBody = z.strictObject({});

const pauseAnswer = z.object({ pause: pauseJson, sla: slaJson });

function noPaging(): RequestProblem {
  return new RequestProblem(404, 'nothing is paged in this process (no notify.yaml), so there are no SLA clocks to pause');
}

/**
 * /api/v1/incidents/:id/pauses: people stop an incident's SLA clocks for a reason (waiting for the customer,
 * a carrier fault, a spare part in transit, a maintenance window) and let them run again. Paused time is
 * left out of the response and resolution times and of escalation timing.
 */
export const pausesRoutes = apiPlugin('noctua-pauses', ['@fastify/swagger'], async (app, { services: all }) => {
  /** The incident must exist and be unresolved before its clocks can be paused or resumed. */
  const activeIncident = async (services: ApiServices, id: string) => {
    const incident = await services.incidents.get(id);
    if (!incident) throw notFound(`incident "${id}"`);
    if (incident.state === 'resolved') throw conflict(`incident "${id}" is resolved; its SLA clocks have stopped`);
    return incident;
  };

  app.get<{ Params: IdParams }>('/incidents/:id/pauses', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'The clock pauses of an incident, oldest first',
      tags: ['incidents'], params: idParams, response: { 200: z.object({ items: z.array(pauseJson) }) },
    }, problemSchema),
  }, async (request) => {
    const services = servicesFor(request, all);
    if (!services.paging) throw noPaging();
    const pauses = await services.paging.pauses(request.params.id);
    if (!pauses) throw notFound(`SLA record of incident "${request.params.id}"`);
    return { items: pauses.map(pauseToJson) };
  });

  app.post<{ Params: IdParams; Body: PauseBody }>('/incidents/:id/pauses', {
    config: { access: 'operator', audit: 'incident.pause' },
    schema: routeSchema({
      summary: 'Pause an incident\'s SLA clocks from now on, for a reason; one pause at a time',
      tags: ['incidents'], params: idParams, body: pauseBody, response: { 201: pauseAnswer },
    }, problemSchema),
  }, async (request, reply) => {
    const services = servicesFor(request, all);
    if (!services.paging) throw noPaging();
    const { id } = request.params;
    noteAudit(request, { target: `incident:${id}` });
    await activeIncident(services, id);
    const note = request.body.note?.trim() || undefined;
    const out = await services.paging.pauseClock(id, { reason: request.body.reason, note, by: actor(request) });
    if (!out.ok) throw new RequestProblem(out.status, out.message);
    noteAudit(request, { after: { pause: pauseToJson(out.pause) } });
    return reply.code(201).send({ pause: pauseToJson(out.pause), sla: slaToJson(out.sla) });
  });

  app.post<{ Params: PauseParams }>('/incidents/:id/pauses/:pid/end', {
    config: { access: 'operator', audit: 'incident.pause-end' },
    schema: routeSchema({
      summary: 'End a clock pause: the incident\'s SLA clocks run again from now',
      tags: ['incidents'], params: pauseParams, body: endBody, response: { 200: pauseAnswer },
    }, problemSchema),
    // A bare POST (no body) is the usual way to end a pause.
    preValidation: async (request) => { if (request.body === null || request.body === undefined) request.body = {}; },
  }, async (request) => {
    const services = servicesFor(request, all);
    if (!services.paging) throw noPaging();
    const { id, pid } = request.params;
    noteAudit(request, { target: `incident:${id}` });
    await activeIncident(services, id);
    const out = await services.paging.endPause(id, pid, actor(request));
    if (!out.ok) throw new RequestProblem(out.status, out.message);
    noteAudit(request, { after: { pause: pauseToJson(out.pause) } });
    return { pause: pauseToJson(out.pause), sla: slaToJson(out.sla) };
  });
});
