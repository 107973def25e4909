import { afterAll, describe, expect, it } from 'vitest';
import { appOver, bearer, T0 } from './memory-noc.js';

const { app, noc } = appOver();
afterAll(() => app.close());

describe('health, readiness and metrics', () => {
  it('says the process is alive at /healthz', async () => {
    const r = await app.inject({ url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('is ready with config loaded, InfluxDB reachable or spooling, and the scheduler running', async () => {
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({
      ready: true, checks: { config: 'loaded', influx: 'reachable', scheduler: 'running' }, lastCycleAt: T0.toISOString(),
    });
    noc.readiness = { ...noc.readiness, influx: 'spooling' };
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('is not ready (503, naming the failing check) when InfluxDB is down or the scheduler stopped', async () => {
    noc.readiness = { ...noc.readiness, influx: 'down' };
    const down = await app.inject({ url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ ready: false, checks: { influx: 'down', scheduler: 'running' } });
    noc.readiness = { configLoaded: true, influx: 'reachable', schedulerRunning: false };
    const stopped = await app.inject({ url: '/readyz' });
    expect(stopped.statusCode).toBe(503);
    expect(stopped.json()).toEqual({ ready: false, checks: { config: 'loaded', influx: 'reachable', scheduler: 'stopped' } });
    noc.readiness = { configLoaded: true, influx: 'reachable', schedulerRunning: true, lastCycleAt: T0 };
  });

  it("serves the registry's self metrics as Prometheus text", async () => {
    const r = await app.inject({ url: '/metrics', headers: bearer('viewer') });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(r.body).toContain('# TYPE noctua_scheduler_cycle_ms gauge');
    expect(r.body).toContain('noctua_scheduler_cycle_ms 812');
  });
});

describe('OpenAPI document and UI at /docs', () => {
  it('describes every API route with its parameters, bodies, answers and bearer security', async () => {
    const r = await app.inject({ url: '/docs/json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes.sort()).toEqual([
      'DELETE /api/v1/maintenance/{id}',
      'GET /api/v1/alerts', 'GET /api/v1/devices', 'GET /api/v1/devices/{name}', 'GET /api/v1/devices/{name}/series', 'GET /api/v1/events',
      'GET /api/v1/incidents', 'GET /api/v1/incidents/{id}', 'GET /api/v1/maintenance', 'GET /api/v1/stream', 'GET /api/v1/wall',
      'GET /healthz', 'GET /metrics', 'GET /readyz',
      'GET /api/v1/reports', 'GET /api/v1/reports/{kind}/{file}', 'POST /api/v1/reports',
      'GET /api/v1/status', 'GET /api/v1/notices/failed', 'POST /api/v1/notices/{id}/retry',
      'POST /api/v1/config/reload', 'POST /api/v1/config/validate',
      'POST /api/v1/incidents/{id}/acknowledge', 'POST /api/v1/incidents/{id}/comment', 'POST /api/v1/incidents/{id}/resolve',
      'POST /api/v1/incidents/{id}/unacknowledge',
      'GET /api/v1/incidents/{id}/pauses', 'POST /api/v1/incidents/{id}/pauses', 'POST /api/v1/incidents/{id}/pauses/{pid}/end',
      'POST /api/v1/maintenance', 'POST /api/v1/maintenance/{id}/end',
      'GET /api/v1/problems', 'GET /api/v1/problems/{id}', 'PATCH /api/v1/problems/{id}', 'POST /api/v1/problems/{id}/close',
      'GET /api/v1/knowledge', 'GET /api/v1/knowledge/{id}', 'POST /api/v1/knowledge', 'GET /api/v1/incidents/{id}/similar',
      'GET /api/v1/runbooks', 'GET /api/v1/runbooks/{name}', 'GET /api/v1/runbooks/{name}/page',
      'GET /api/v1/assets', 'GET /api/v1/assets/events', 'GET /api/v1/assets/export', 'GET /api/v1/console-config', 'GET /api/v1/on-call', 'POST /api/v1/incidents/{id}/claim',
      'POST /api/v1/config-backups', 'GET /api/v1/config-backups/jobs/{id}', 'GET /api/v1/devices/{name}/configs', 'GET /api/v1/devices/{name}/configs/diff',
      'GET /api/v1/devices/{name}/configs/{commit}', 'GET /api/v1/compliance', 'GET /api/v1/devices/{name}/compliance',
      'GET /api/v1/topology', 'GET /api/v1/locate', 'GET /api/v1/discovery', 'POST /api/v1/discovery/run',
    ].sort());
    const create = doc.paths['/api/v1/maintenance'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['reason']);
    expect(create.responses['201']).toBeDefined();
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/healthz'].get.security).toBeUndefined();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves the UI without a token', async () => {
    const r = await app.inject({ url: '/docs/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
  });
});
