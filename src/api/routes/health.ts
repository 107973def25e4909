import { z } from 'zod';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { problemSchema } from '../problems.js';

const readyJson = z.object({
  ready: z.boolean(),
  checks: z.object({
    config: z.enum(['loaded', 'missing']),
    influx: z.enum(['reachable', 'spooling', 'down']),
    scheduler: z.enum(['running', 'stopped']),
  }),
  /** Each InfluxDB target's writer state and disk-spool backlog, in `influx.targets` order. */
  influxTargets: z.array(z.object({ state: z.enum(['starting', 'writing', 'spooling']), spoolPoints: z.number().int() })).optional(),
  lastCycleAt: z.string().optional(),
});

/** /healthz, /readyz and /metrics: for load balancers, orchestrators and Prometheus. */
export const healthRoutes = apiPlugin('noctua-health', ['@fastify/swagger'], async (app, { services }) => {
  app.get('/healthz', {
    config: { access: 'health' },
    schema: routeSchema({
      summary: 'The process is alive and answering', tags: ['health'], secured: false,
      response: { 200: z.object({ status: z.literal('ok') }) },
    }, problemSchema),
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    config: { access: 'health' },
    schema: routeSchema({
      summary: 'Ready when the config is loaded, InfluxDB is reachable (or samples are spooled) and the scheduler runs',
      tags: ['health'], secured: false, response: { 200: readyJson, 503: readyJson },
    }, problemSchema),
  }, async (_request, reply) => {
    const r = await services.health.readiness();
    const ready = r.configLoaded && r.influx !== 'down' && r.schedulerRunning;
    return reply.code(ready ? 200 : 503).send({
      ready,
      checks: { config: r.configLoaded ? 'loaded' : 'missing', influx: r.influx, scheduler: r.schedulerRunning ? 'running' : 'stopped' },
      influxTargets: r.influxTargets,
      lastCycleAt: r.lastCycleAt?.toISOString(),
    });
  });

  app.get('/metrics', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: "Noctua's self metrics in the Prometheus text format", tags: ['health'],
      response: { 200: z.string() },
    }, problemSchema),
  }, async (_request, reply) => {
    const text = await services.registry.metrics();
    return reply.type(services.registry.contentType).send(text);
  });
});
