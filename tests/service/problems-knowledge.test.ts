import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { LatestSamples } from '../../src/api/latest-samples.js';
import { runtimeServices } from '../../src/api/runtime-services.js';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import { serviceSectionSchema, type ServiceSection } from '../../src/config/sections/service.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { createServiceManagement, type ServiceManagement } from '../../src/service/management.js';
import { DEVICE_DOWN_RULES, icmpRouter } from '../helpers/engine-fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import { apiSettings, bearer } from '../api/memory-noc.js';

const DAY = 86_400_000;
/** 1 November 2026 08:00 UTC: the seeded month starts here. */
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);

describe('problem records and the knowledge base over the real alert engine', () => {
  const tmp = tempDir('noctua-problems-');
  const clock = new FakeClock(T0);
  const flaky = icmpRouter('branch-rt-07', 'branch-sh', ['wan']);
  const steady = icmpRouter('core-rt-01', 'hq', ['core']);
  const devices = [flaky, steady];
  const settings: ServiceSection = serviceSectionSchema.parse({ problems: { threshold: 3, window: '30d' } });
  let db: Db;
  let engine: AlertEngine;
  let service: ServiceManagement;
  let app: ReturnType<typeof buildApp>;
  const vendorOf: Record<string, { vendor: string; model: string }> = {
    'branch-rt-07': { vendor: 'huawei', model: 'AR2220' }, 'core-rt-01': { vendor: 'h3c', model: 'MSR3620' },
  };

  const icmp = (device: string, up: boolean): Sample => ({
    measurement: 'icmp', tags: { device, site: devices.find((d) => d.name === device)!.site, class: 'router' },
    fields: { up, loss_pct: up ? 0 : 100 }, time: clock.now(),
  });
  /** A real outage: two failed polls open the incident; it is resolved by a person (with a note) or by recovery. */
  async function outage(device: string, resolution: { by: string; note: string } | 'recovers'): Promise<string> {
    for (let i = 0; i < 2; i++) {
      await engine.write([icmp(device, false)]);
      await clock.advance(30_000);
    }
    await engine.settled();
    const open = engine.listIncidents({ state: 'open', device }).items;
    expect(open).toHaveLength(1);
    const id = open[0]!.id;
    await clock.advance(10 * 60_000);
    // A person resolves while the device is still down (the fix is theirs); recovery follows.
    if (resolution !== 'recovers') expect(engine.resolve(id, resolution.by, resolution.note)?.state).toBe('resolved');
    await engine.write([icmp(device, true)]);
    await engine.settled();
    return id;
  }
  const get = async (url: string, role: 'viewer' | 'operator' = 'viewer') => app.inject({ url, headers: bearer(role) });

  beforeAll(async () => {
    db = openStateDb(tmp.dir);
    const log = pino({ level: 'silent' });
    engine = createAlertEngine({ db, rules: parseAlertRules(DEVICE_DOWN_RULES.replace('evaluationInterval: 5s', 'evaluationInterval: 1h')), devices, clock, log });
    const runbooks = join(tmp.dir, 'config', 'runbooks');
    mkdirSync(runbooks, { recursive: true });
    writeFileSync(join(runbooks, 'device-down.md'), '# Device down\n\n1. Ping the WAN gateway.\n');
    writeFileSync(join(runbooks, 'device-down.zh-CN.md'), '# 设备宕机\n\n1. 检查广域网网关。\n');
    service = createServiceManagement({
      db, configDir: join(tmp.dir, 'config'), settings: () => settings,
      history: (device, since) => engine.listIncidents({ device, since, limit: 1000 }).items,
      facts: (d) => ({ ...vendorOf[d], class: 'router' }), log,
    });
    for (const l of service.listeners) engine.addListener(l);
    engine.start();
    const states = new DeviceStateRegistry(clock);
    states.sync(devices);
    const services = runtimeServices({
      inventory: () => devices, states, latest: new LatestSamples(), engine, db,
      reader: { series: async () => [] }, schedulerRunning: () => true, metrics: new Registry(),
      config: { validate: async () => ({ ok: true, devices: 2, sites: 2, disabled: 0 }), reload: async () => ({ ok: true, devices: 2, sites: 2, disabled: 0 }) },
      problemRecords: service.problems,
      knowledge: { entries: service.knowledge, runbook: (n, l) => service.runbooks.get(n, l), runbookNames: () => service.runbooks.names(), deviceFacts: (d) => ({ ...vendorOf[d] }) },
      now: () => clock.now(),
    });
    app = buildApp({ settings: apiSettings(), services, log, now: () => clock.now(), locale: 'en' });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await engine?.stop();
    db?.close();
    tmp.cleanup();
  });

  it('opens one record at the third incident of a device in 30 days, links later ones, and leaves a device with two alone', async () => {
    const first = await outage(flaky.name, 'recovers');
    await clock.advance(6 * DAY);
    await outage(steady.name, 'recovers');
    const second = await outage(flaky.name, { by: 'wang', note: '运营商线路抖动，联系电信后恢复 (carrier line flapping)' });
    await clock.advance(7 * DAY);
    await outage(steady.name, 'recovers');
    expect(service.problems.list().total).toBe(0);
    const third = await outage(flaky.name, { by: 'li', note: '电源模块故障，更换电源模块后恢复' });

    const list = (await get('/api/v1/problems')).json();
    expect(list.total).toBe(1);
    const record = list.items[0];
    expect(record).toMatchObject({ id: 'PRB-0001', device: flaky.name, site: 'branch-sh', state: 'open', fixStatus: 'investigating', reopened: 0, key: `device:${flaky.name}` });
    expect(record.incidents.map((i: { id: string }) => i.id)).toEqual([first, second, third]);

    await clock.advance(3 * DAY);
    const fourth = await outage(flaky.name, 'recovers');
    const detail = (await get('/api/v1/problems/PRB-0001')).json();
    expect(detail.problem.incidents.map((i: { id: string }) => i.id)).toEqual([first, second, third, fourth]);
    expect(detail.log.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'linked', 'linked', 'linked', 'linked']);
    expect((await get(`/api/v1/problems?device=${steady.name}`)).json().total).toBe(0);
  });

  it('takes root cause, workaround and fix status from an operator, closes by hand and refuses bad edits with the field named', async () => {
    const patch = (payload: object, role: 'viewer' | 'operator' = 'operator') =>
      app.inject({ method: 'PATCH', url: '/api/v1/problems/PRB-0001', headers: bearer(role), payload });
    expect((await patch({ fixStatus: 'fixed' }, 'viewer')).statusCode).toBe(403);
    const empty = await patch({});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toContain('at least one of rootCause, workaround, fixStatus');
    const wrong = await patch({ fixStatus: 'done' });
    expect(wrong.json().issues[0]).toMatchObject({ path: 'body.fixStatus' });
    expect((await patch({ rootCause: 'x'.repeat(10_001) })).json().issues[0]).toMatchObject({ path: 'body.rootCause' });
    const ok = await patch({ rootCause: 'PSU 2 failing under load', workaround: 'feed from UPS B', fixStatus: 'fix-planned' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ rootCause: 'PSU 2 failing under load', workaround: 'feed from UPS B', fixStatus: 'fix-planned', updatedBy: 'alice' });
    const closed = await app.inject({ method: 'POST', url: '/api/v1/problems/PRB-0001/close', headers: bearer('operator'), payload: { note: 'PSU replaced' } });
    expect(closed.json()).toMatchObject({ state: 'closed', closedBy: 'alice' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/problems/PRB-0001/close', headers: bearer('operator') })).statusCode).toBe(409);
    expect((await get('/api/v1/problems/PRB-0099')).statusCode).toBe(404);
  });

  it('reopens the closed record only when the pattern comes back after the close', async () => {
    await clock.advance(DAY);
    await outage(flaky.name, 'recovers');
    await clock.advance(DAY);
    await outage(flaky.name, 'recovers');
    expect(service.problems.get('PRB-0001')!.state).toBe('closed');
    await clock.advance(DAY);
    const back = await outage(flaky.name, 'recovers');
    const p = service.problems.get('PRB-0001')!;
    expect(p).toMatchObject({ state: 'open', reopened: 1, fixStatus: 'investigating' });
    expect(p.incidents.at(-1)!.id).toBe(back);
    expect(p.incidents).toHaveLength(7);
    expect(service.problems.list().total).toBe(1);
  });

  it('keeps resolution notes as knowledge and finds them by Chinese and English words', async () => {
    const search = async (q: string) => (await get(`/api/v1/knowledge?q=${encodeURIComponent(q)}`)).json();
    const psu = await search('电源');
    expect(psu.total).toBe(1);
    expect(psu.items[0].entry).toMatchObject({ body: '电源模块故障，更换电源模块后恢复', by: 'li', rule: 'device-down', vendor: 'huawei', model: 'AR2220', class: 'router', device: flaky.name });
    expect((await search('模块 故障')).total).toBe(1);
    expect((await search('电信')).items[0].entry.by).toBe('wang');
    expect((await search('carrier flap')).total).toBe(1);
    expect((await search('源电')).total).toBe(0);
    // FTS syntax typed by a person is just text.
    expect((await get(`/api/v1/knowledge?q=${encodeURIComponent('"NEAR( * OR')}`)).statusCode).toBe(200);
    expect((await get('/api/v1/knowledge?q=')).json().issues[0]).toMatchObject({ path: 'querystring.q' });
    expect((await get(`/api/v1/knowledge?q=${'a'.repeat(201)}`)).statusCode).toBe(400);
  });

  it('shows similar past incidents of the same rule and vendor first, with the runbook, and takes entries by hand', async () => {
    const added = await app.inject({ method: 'POST', url: '/api/v1/knowledge', headers: bearer('operator'), payload: { title: 'H3C MSR fan tray', body: '<script>alert(1)</script> reseat the fan tray', vendor: 'h3c' } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ by: 'alice', body: '<script>alert(1)</script> reseat the fan tray' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/knowledge', headers: bearer('viewer'), payload: { title: 't', body: 'b' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/knowledge', headers: bearer('operator'), payload: { title: ' ', body: 'b' } })).json().issues[0]).toMatchObject({ path: 'body.title' });

    await clock.advance(DAY);
    const id = await outage(flaky.name, 'recovers');
    const similar = (await get(`/api/v1/incidents/${id}/similar`)).json();
    expect(similar.runbook).toBe('device-down');
    expect(similar.items.map((h: { entry: { by: string } }) => h.entry.by)).toEqual(['li', 'wang']);
    expect(similar.items[0].score).toBe(7);

    const en = (await get('/api/v1/runbooks/device-down')).json();
    expect(en.markdown).toContain('Ping the WAN gateway');
    expect((await get('/api/v1/runbooks/device-down?lang=zh-CN')).json().markdown).toContain('检查广域网网关');
    expect((await get('/api/v1/runbooks')).json().items).toEqual(['device-down']);
    expect((await get('/api/v1/runbooks/..%2F..%2Fetc%2Fpasswd')).statusCode).toBe(404);
    expect((await get('/api/v1/runbooks/no-such-rule')).statusCode).toBe(404);
  });
});
