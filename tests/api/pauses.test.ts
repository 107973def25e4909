import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { LatestSamples } from '../../src/api/latest-samples.js';
import { runtimeServices } from '../../src/api/runtime-services.js';
import { createEscalationService, type EscalationService } from '../../src/alerting/escalation/index.js';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import { BUILTIN_DEFAULTS, type Device } from '../../src/config/inventory-schema.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { notifyConfig } from '../alerting/escalation/notify-fixture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';
import { apiSettings, bearer } from './memory-noc.js';

const CALENDAR_DIR = fileURLToPath(new URL('../../config/calendars/', import.meta.url));
const RULES = `
rules:
  - name: device-down
    severity: P1
    consecutive: 2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: "{{device}} down"
`;

function notifyYaml(base: string): string {
  return `channels:
  eng: { type: webhook, url: "${base}/eng" }
  lead: { type: webhook, url: "${base}/lead" }
people:
  wang: { channels: [eng] }
  chen: { channels: [lead] }
tiers:
  engineer: { notify: [{ person: wang }] }
  lead: { notify: [{ person: chen }] }
  manager: { notify: [{ person: chen }] }
calendarDir: ${CALENDAR_DIR}
calendars:
  office: { timezone: Asia/Shanghai, hours: ["08:30-17:30"], holidays: cn }
calendarFor:
  - { sites: [hq], calendar: office }
policies:
  P1: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }, { after: 10m, tier: lead }] }
`;
}

/** Monday 23 Nov 2026 10:00 in Shanghai: inside the office calendar's hours. */
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const MIN = 60_000;

describe('clock pauses through the API, over the real alert engine and escalation', () => {
  const tmp = tempDir('noctua-api-pauses-');
  const clock = new FakeClock(T0);
  const device: Device = { name: 'core-rt-01', address: '127.0.1.1', class: 'router', site: 'hq', tags: ['core'], snmp: false, icmp: { ...BUILTIN_DEFAULTS.icmp }, intervals: { ...BUILTIN_DEFAULTS.intervals }, enabled: true };
  let receiver: WebhookReceiver;
  let db: Db;
  let engine: AlertEngine;
  let escalation: EscalationService;
  let services: ReturnType<typeof runtimeServices>;
  let app: ReturnType<typeof buildApp>;
  let incidentId: string;
  const post = (url: string, payload?: unknown, role: 'operator' | 'viewer' = 'operator') =>
    app.inject({ method: 'POST', url, headers: bearer(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const detail = async () => (await app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: bearer('viewer') })).json();

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    db = openStateDb(tmp.dir);
    const log = pino({ level: 'silent' });
    engine = createAlertEngine({ db, rules: parseAlertRules(RULES), devices: [device], clock, log });
    escalation = createEscalationService({ db, config: notifyConfig(tmp.dir, notifyYaml(receiver.url)), clock, log, actions: engine, locale: 'en', timezone: 'Asia/Shanghai', random: () => 0.5 });
    engine.addListener(escalation);
    await escalation.start();
    engine.start();
    const states = new DeviceStateRegistry(clock);
    states.sync([device]);
    services = runtimeServices({
      inventory: () => [device], states, latest: new LatestSamples(), engine, escalation, paging: escalation, db,
      reader: { series: async () => [] }, schedulerRunning: () => true, metrics: new Registry(),
      config: { validate: async () => ({ ok: true, devices: 1, sites: 1, disabled: 0 }), reload: async () => ({ ok: true, devices: 1, sites: 1, disabled: 0 }) },
      now: () => clock.now(),
    });
    app = buildApp({ settings: apiSettings(), services, log, now: () => clock.now(), locale: 'en' });
    for (let i = 0; i < 2; i++) {
      const s: Sample = { measurement: 'icmp', tags: { device: device.name, site: 'hq', class: 'router' }, fields: { up: false, loss_pct: 100, sent: 3n, received: 0n }, time: clock.now() };
      await engine.write([s]);
      await clock.advance(30_000);
    }
    await engine.settled();
    await escalation.flush();
    await receiver.waitFor((r) => r.some((x) => x.path === '/eng'));
    incidentId = engine.listIncidents({ state: 'open' }).items[0]!.id;
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    services?.close();
    await engine?.stop();
    await escalation?.stop();
    db?.close();
    await receiver?.close();
    tmp.cleanup();
  });

  it('answers bad bodies with 400 naming each field, a viewer with 403 and an unknown incident with 404', async () => {
    const url = `/api/v1/incidents/${incidentId}/pauses`;
    const missing = await post(url, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().issues).toEqual([{ path: 'body.reason', expected: 'a value (this field is required)' }]);
    const wrong = await post(url, { reason: 'lunch' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().issues).toEqual([{ path: 'body.reason', expected: 'one of waiting-for-customer, carrier-fault, spare-part-in-transit, maintenance-window', got: '"lunch"' }]);
    const blank = await post(url, { reason: 'carrier-fault', note: '' });
    expect(blank.json().issues).toEqual([{ path: 'body.note', expected: 'at least 1 character', got: '""' }]);
    const extra = await post(url, { reason: 'carrier-fault', until: 'tomorrow' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().issues[0]).toMatchObject({ path: 'body.until' });
    expect((await post(url, { reason: 'carrier-fault' }, 'viewer')).statusCode).toBe(403);
    expect((await post('/api/v1/incidents/no-such/pauses', { reason: 'carrier-fault' })).statusCode).toBe(404);
    expect((await post(`/api/v1/incidents/${incidentId}/pauses/no-such/end`)).statusCode).toBe(404);
    expect((await post(`/api/v1/incidents/${incidentId}/pauses/p/end`, { at: 1 })).json().issues[0]).toMatchObject({ path: 'body.at' });
  });

  it('pauses and resumes the clocks: the timeline data shows the pause, the deadline moves and the lead is paged later', async () => {
    const before = (await detail()).sla;
    expect(before).toMatchObject({ calendar: 'office', pausedMs: 0, pauses: [] });
    const openedResolveBy = Date.parse(before.resolveBy);

    await clock.advance(MIN);
    const started = await post(`/api/v1/incidents/${incidentId}/pauses`, { reason: 'carrier-fault', note: 'China Telecom ticket 4711' });
    expect(started.statusCode).toBe(201);
    const pause = started.json().pause;
    expect(pause).toMatchObject({ reason: 'carrier-fault', note: 'China Telecom ticket 4711', startedBy: 'alice', startedAt: clock.now().toISOString() });
    expect(pause.endedAt).toBeUndefined();
    expect((await post(`/api/v1/incidents/${incidentId}/pauses`, { reason: 'maintenance-window' })).statusCode).toBe(409);
    const during = (await detail()).sla;
    expect(during.resolveBy).toBeUndefined();
    expect(during.pauses).toEqual([pause]);

    // 30 minutes of carrier fault: the lead (10 min unacknowledged) is not paged while the clock stands still.
    await clock.advance(30 * MIN);
    await escalation.flush();
    expect(receiver.requests.filter((r) => r.path === '/lead')).toHaveLength(0);
    const ended = await post(`/api/v1/incidents/${incidentId}/pauses/${pause.id}/end`);
    expect(ended.statusCode).toBe(200);
    expect(ended.json().pause).toMatchObject({ endedBy: 'alice', endedAt: clock.now().toISOString() });
    expect(ended.json().sla).toMatchObject({ pausedMs: 30 * MIN, resolveBy: new Date(openedResolveBy + 30 * MIN).toISOString() });
    expect((await post(`/api/v1/incidents/${incidentId}/pauses/${pause.id}/end`)).statusCode).toBe(409);
    const list = (await app.inject({ url: `/api/v1/incidents/${incidentId}/pauses`, headers: bearer('viewer') })).json();
    expect(list.items).toHaveLength(1);

    // The incident opened at T0+30 s and ran 1 min before the pause: the lead is due 9 min after the resume.
    await clock.advance(8 * MIN);
    await escalation.flush();
    expect(receiver.requests.filter((r) => r.path === '/lead')).toHaveLength(0);
    await clock.advance(MIN + 1000);
    await escalation.flush();
    await receiver.waitFor((r) => r.some((x) => x.path === '/lead'));
  });

  it('the incident timeline shows the pause as clock-paused / clock-resumed entries in time order', async () => {
    const { timeline, sla } = await detail();
    const pause = sla.pauses[0];
    const kinds = timeline.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k.startsWith('clock-'))).toEqual(['clock-paused', 'clock-resumed']);
    const paused = timeline.find((e: { kind: string }) => e.kind === 'clock-paused');
    const resumed = timeline.find((e: { kind: string }) => e.kind === 'clock-resumed');
    expect(paused).toMatchObject({ at: pause.startedAt, by: 'alice', reason: 'carrier-fault', note: 'China Telecom ticket 4711', pauseId: pause.id, state: 'open' });
    expect(resumed).toMatchObject({ at: pause.endedAt, by: 'alice', reason: 'carrier-fault', pauseId: pause.id });
    // Opened first, then the pause, then its end: times never go backwards.
    expect(kinds[0]).toBe('opened');
    const times = timeline.map((e: { at: string }) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});
