import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { LatestSamples } from '../../src/api/latest-samples.js';
import { runtimeServices } from '../../src/api/runtime-services.js';
import type { LiveEvent } from '../../src/api/services/index.js';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { IncidentView } from '../../src/core/incident.js';
import type { Sample } from '../../src/core/sample.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { tempDir } from '../helpers/tmp.js';
import { DEVICE_DOWN_RULES, icmpRouter } from '../helpers/engine-fixtures.js';
import { apiSettings, bearer } from './memory-noc.js';

const RULES = DEVICE_DOWN_RULES;

const device = icmpRouter;

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

describe('API services over the real alert engine, device registry and latest-sample sink', () => {
  const tmp = tempDir('noctua-api-runtime-');
  const clock = new FakeClock(T0);
  const devices = [device('core-rt-01', 'hq', ['core']), device('branch-rt-01', 'shanghai', ['wan'])];
  const states = new DeviceStateRegistry(clock);
  const latest = new LatestSamples();
  const acks: string[] = [];
  const seriesAsked: unknown[] = [];
  const live: LiveEvent[] = [];
  let db: Db;
  let engine: AlertEngine;
  let services: ReturnType<typeof runtimeServices>;
  let app: ReturnType<typeof buildApp>;

  const icmp = (name: string, up: boolean): Sample => ({
    measurement: 'icmp', tags: { device: name, site: devices.find((d) => d.name === name)!.site, class: 'router', vendor: 'huawei' },
    fields: up ? { up, loss_pct: 0, rtt_avg_ms: 1.5, sent: 3n, received: 3n } : { up, loss_pct: 100, sent: 3n, received: 0n }, time: clock.now(),
  });

  beforeAll(async () => {
    db = openStateDb(tmp.dir);
    engine = createAlertEngine({ db, rules: parseAlertRules(RULES), devices, clock, log: pino({ level: 'silent' }) });
    states.sync(devices);
    for (const d of devices) states.record(d.name, 'icmp', { ok: true, reachable: true, durationMs: 3 });
    await latest.write([
      icmp('core-rt-01', true), icmp('branch-rt-01', true),
      { measurement: 'system', tags: { device: 'core-rt-01', site: 'hq', class: 'router', vendor: 'huawei' }, fields: { vendor: 'huawei', model: 'AR6120', sysName: 'CORE-RT-01' }, time: clock.now() },
      { measurement: 'interface', tags: { device: 'core-rt-01', site: 'hq', class: 'router', vendor: 'huawei', ifIndex: '1', ifName: 'GE0/0/0', ifAlias: 'ISP', ifDescr: 'GE0/0/0' }, fields: { oper_up: true, in_bps: 1e6 }, time: clock.now() },
    ]);
    services = runtimeServices({
      inventory: () => devices, states, latest, engine,
      escalation: {
        acknowledge: (id, by, note) => { acks.push(`${id} ${by} ${note ?? ''}`); return engine.acknowledge(id, by, note); },
        onCall: (schedule) => ({ person: schedule === 'noc-primary' ? 'Wang Lei' : 'Chen Jing', shiftEnd: new Date(T0 + 8 * 3_600_000) }),
      },
      onCallSchedules: ['noc-primary', 'noc-secondary'],
      reader: { series: async (q) => { seriesAsked.push(q); return [{ tags: { device: 'branch-rt-01' }, points: [{ time: new Date(T0), value: 1.5 }] }]; } },
      influx: { readiness: () => ({ ready: true, influx: 'unreachable', spooling: true, detail: 'connection refused; spooling' }) },
      schedulerRunning: () => true,
      metrics: new Registry(),
      config: { validate: async () => ({ ok: true, devices: 2, sites: 2, disabled: 0 }), reload: async () => ({ ok: true, devices: 2, sites: 2, disabled: 0 }) },
      now: () => clock.now(),
    });
    services.live.subscribe((e) => live.push(e));
    app = buildApp({ settings: apiSettings(), services, log: pino({ level: 'silent' }), now: () => clock.now() });
  });

  afterAll(async () => {
    await app.close();
    services.close();
    await engine.stop();
    db.close();
    tmp.cleanup();
  });

  const get = (url: string) => app.inject({ url, headers: bearer('viewer') });

  it('lists the registry devices with inventory tags and identity from the latest samples', async () => {
    const r = (await get('/api/v1/devices')).json();
    expect(r.items).toEqual([
      expect.objectContaining({ name: 'core-rt-01', site: 'hq', tags: ['core'], state: 'up', vendor: 'huawei', model: 'AR6120', sysName: 'CORE-RT-01', rttMs: 1.5, lossPct: 0, openIncidents: 0 }),
      expect.objectContaining({ name: 'branch-rt-01', site: 'shanghai', tags: ['wan'], state: 'up', openIncidents: 0 }),
    ]);
    const one = (await get('/api/v1/devices/core-rt-01')).json();
    expect(one.interfaces).toEqual([expect.objectContaining({ ifName: 'GE0/0/0', ifAlias: 'ISP', operUp: true })]);
    expect(one.latest.map((s: { measurement: string }) => s.measurement).sort()).toEqual(['icmp', 'interface', 'system']);
  });

  it('follows a failing device: registry state, engine incident, live events', async () => {
    states.record('branch-rt-01', 'icmp', { ok: false, reachable: false, durationMs: 3000, error: '100% loss' });
    for (let i = 0; i < 2; i++) {
      const s = icmp('branch-rt-01', false);
      await latest.write([s]);
      await engine.write([s]);
      await clock.advance(30_000);
    }
    await engine.settled();
    const d = (await get('/api/v1/devices/branch-rt-01')).json().device;
    expect(d).toMatchObject({ state: 'unreachable', reason: 'no answer to ping (100% loss)', lossPct: 100, openIncidents: 1 });
    expect(d.rttMs).toBeUndefined();
    const incidents = (await get('/api/v1/incidents')).json();
    expect(incidents.items).toEqual([expect.objectContaining({ severity: 'P1', state: 'open', device: 'branch-rt-01' })]);
    expect(live.map((e) => (e.type === 'device' ? `device ${e.device.name} ${e.device.state}` : `incident ${e.event.kind}`))).toEqual([
      'device branch-rt-01 unreachable', 'incident opened', 'device branch-rt-01 unreachable',
    ]);
    const alerts = (await get('/api/v1/alerts?state=firing')).json();
    expect(alerts.items).toEqual([expect.objectContaining({ rule: 'device-down', device: 'branch-rt-01', incidentId: incidents.items[0].id })]);
  });

  it('acknowledges through escalation, and the engine records who', async () => {
    const id = (await get('/api/v1/incidents')).json().items[0].id as string;
    const r = await app.inject({ method: 'POST', url: `/api/v1/incidents/${id}/acknowledge`, headers: bearer('operator'), payload: { note: 'ISP ticket 4711' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    expect(acks).toEqual([`${id} alice ISP ticket 4711`]);
    await engine.settled();
    const detail = (await get(`/api/v1/incidents/${id}`)).json();
    expect(detail.timeline.map((e: { kind: string; by?: string }) => `${e.kind} ${e.by ?? ''}`.trim())).toEqual(['opened', 'acknowledged alice']);
    const comment = await app.inject({ method: 'POST', url: `/api/v1/incidents/${id}/comment`, headers: bearer('operator'), payload: { note: 'carrier on site' } });
    expect(comment.statusCode).toBe(200);
    expect((engine.getIncident(id)!.incident as IncidentView).state).toBe('acknowledged');
  });

  it('plans maintenance in the engine, shows the device in maintenance, and ends it early', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer('operator'), payload: { reason: 'IOS upgrade', devices: ['core-rt-01'], duration: '2h' } });
    expect(created.statusCode).toBe(201);
    const w = created.json();
    expect(w).toMatchObject({ reason: 'IOS upgrade', devices: ['core-rt-01'], createdBy: 'alice', active: true, readOnly: false, endsAt: new Date(T0 + 60_000 + 2 * 3_600_000).toISOString() });
    expect(engine.maintenance.list().map((x) => x.spec.reason)).toEqual(['IOS upgrade']);
    expect((await get('/api/v1/devices/core-rt-01')).json().device.state).toBe('maintenance');
    await clock.advance(60_000);
    const ended = await app.inject({ method: 'POST', url: `/api/v1/maintenance/${w.id}/end`, headers: bearer('operator') });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ endsAt: clock.now().toISOString(), endedEarlyBy: 'alice', active: false });
    expect((await get('/api/v1/devices/core-rt-01')).json().device.state).toBe('up');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/maintenance/${w.id}`, headers: bearer('operator') })).statusCode).toBe(204);
    expect(engine.maintenance.list()).toEqual([]);
  });

  it('drops a window that has not begun when it is ended early, and keeps a started one shortened', async () => {
    const later = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const planned = (await app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer('operator'), payload: { reason: 'fibre splice', sites: ['hq'], startsAt: later, duration: '1h' } })).json();
    const ended = await app.inject({ method: 'POST', url: `/api/v1/maintenance/${planned.id}/end`, headers: bearer('operator') });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ id: planned.id, startsAt: later, endsAt: clock.now().toISOString(), endedEarlyBy: 'alice', active: false });
    expect(engine.maintenance.get(planned.id)).toBeUndefined();
    const running = (await app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer('operator'), payload: { reason: 'reboot', sites: ['hq'], duration: '1h' } })).json();
    await clock.advance(60_000);
    expect((await app.inject({ method: 'POST', url: `/api/v1/maintenance/${running.id}/end`, headers: bearer('operator') })).statusCode).toBe(200);
    expect(engine.maintenance.get(running.id)).toMatchObject({ active: false, spec: { end: clock.now().toISOString() } });
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/maintenance/${running.id}`, headers: bearer('operator') })).statusCode).toBe(204);
  });

  it('asks the reader for one device and field, shows on-call by schedule, and counts spooling as ready', async () => {
    const s = await get('/api/v1/devices/branch-rt-01/series?measurement=icmp&field=rtt_avg_ms&step=1m');
    expect(s.statusCode).toBe(200);
    expect(seriesAsked[0]).toMatchObject({ measurement: 'icmp', field: 'rtt_avg_ms', intervalMs: 60_000, where: { device: 'branch-rt-01' } });
    const wall = (await get('/api/v1/wall')).json();
    expect(wall.onCall).toEqual([
      { tier: 1, schedule: 'noc-primary', name: 'Wang Lei', until: new Date(T0 + 8 * 3_600_000).toISOString() },
      { tier: 2, schedule: 'noc-secondary', name: 'Chen Jing', until: new Date(T0 + 8 * 3_600_000).toISOString() },
    ]);
    expect(wall.counters).toEqual({ devicesUp: 1, devicesTotal: 2, openP1: 1, openP2: 0, inMaintenance: 0 });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ config: 'loaded', influx: 'spooling', scheduler: 'running' });
  });
});
