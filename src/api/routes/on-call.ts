import { z } from 'zod';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { problemSchema } from '../problems.js';
import { onCallJson, onCallToJson } from '../views.js';

const onCallAnswer = z.object({
  at: z.string(),
  now: z.array(onCallJson).describe('who answers a page now, per tier'),
  next: z.array(onCallJson).describe('who takes over when each current shift ends (only for tiers whose schedule knows the end)'),
});

/** /api/v1/on-call: who is on call now, and who comes next, per tier and schedule. */
export const onCallRoutes = apiPlugin('noctua-on-call', ['@fastify/swagger'], async (app, { services, now }) => {
  app.get('/on-call', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Who is on call now and next, per escalation tier', tags: ['on-call'], response: { 200: onCallAnswer } }, problemSchema),
  }, async () => {
    const t = now();
    const current = await services.onCall.current(t);
    // The next person of a tier is whoever the same schedule names just after the current shift ends.
    const next = await Promise.all(current.filter((e) => e.until).map(async (e) => {
      const later = await services.onCall.current(new Date(e.until!.getTime() + 1000));
      return later.find((l) => l.tier === e.tier && l.schedule === e.schedule);
    }));
    return { at: t.toISOString(), now: current.map(onCallToJson), next: next.filter((e) => e !== undefined).map(onCallToJson) };
  });
});
