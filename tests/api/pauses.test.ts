import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { EscalationService } from '../../src/alerting/escalation/index.js';
import { FakeClock } from '../../src/core/clock.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';
import { icmpDevice, startPagingBench, type PagingBench } from './paging-bench.js';
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
  const device = { ...icmpDevice('core-rt-01'), tags: ['core'] };
  let bench: PagingBench;
  let receiver: WebhookReceiver;
  let escalation: EscalationService;
  let app: ReturnType<typeof buildApp>;
  let incidentId: string;
  const post = (url: string, payload?: unknown, role: 'operator' | 'viewer' = 'operator') =>
    app.inject({ method: 'POST', url, headers: bearer(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const detail = async () => (await app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: bearer('viewer') })).json();

  beforeAll(async () => {
    bench = await startPagingBench({ dir: tmp.dir, clock, device, rules: RULES, notify: notifyYaml, locale: 'en' });
    ({ escalation, receiver } = bench);
    app = buildApp({ settings: apiSettings(), services: bench.services(), log: pino({ level: 'silent' }), now: () => clock.now(), locale: 'en' });
    incidentId = await bench.openIncident(['/eng']);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await bench?.close();
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
