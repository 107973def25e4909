import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService, type EscalationService } from '../../../src/alerting/escalation/index.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb, type Db } from '../../../src/core/database.js';
import type { IncidentActions, IncidentView } from '../../../src/core/incident.js';
import { verifyWebhookSignature } from '../../../src/alerting/notifiers/webhook.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { event, incident, notifyConfig, threeTierYaml } from './notify-fixture.js';

const MIN = 60_000;
const log = pino({ level: 'silent' });
const tmp = tempDir('noctua-escalation-');
let receiver: WebhookReceiver;
let seen = 0;
const open: { svc: EscalationService; db: Db }[] = [];

beforeAll(async () => { receiver = await startWebhookReceiver(); });
afterAll(async () => { await receiver.close(); tmp.cleanup(); });
afterEach(async () => {
  for (const o of open.splice(0)) { await o.svc.stop(); o.db.close(); }
});

/** 10:00 in Shanghai on 2026-01-05: the daily rotation (from 2026-01-01, alice then bob) has alice on call. */
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
let dbN = 0;

function service(clock: FakeClock, opts: { dbName?: string; actions?: IncidentActions } = {}) {
  const db = openStateDb(tmp.dir, opts.dbName ?? `esc-${dbN++}.db`);
  const config = notifyConfig(tmp.dir, threeTierYaml(receiver.url));
  const svc = createEscalationService({ db, config, clock, log, locale: 'en', timezone: 'Asia/Shanghai', publicUrl: 'https://noc.example.com', actions: opts.actions, random: () => 0.5 });
  open.push({ svc, db });
  return { svc, db };
}

/** Requests that arrived since the last call, as "path kind" lines. */
function fresh(): string[] {
  const out = receiver.requests.slice(seen).map((r) => `${r.path} ${(r.json as { kind: string }).kind}`);
  seen = receiver.requests.length;
  return out.sort();
}

async function at(clock: FakeClock, svc: EscalationService, minutes: number): Promise<string[]> {
  await clock.advance(T0 + minutes * MIN - clock.ms());
  await svc.flush();
  return fresh();
}

describe('escalation of a P1 incident by the default policy', () => {
  it('pages the on-site engineer at once, the team lead at 30 min unacknowledged, the manager at 2 h unresolved', async () => {
    fresh();
    const clock = new FakeClock(T0);
    const { svc } = service(clock);
    await svc.start();
    const inc = incident('inc-1', 'P1', new Date(T0));
    await svc.onIncidentEvent(event('opened', inc, new Date(T0)));
    expect(await at(clock, svc, 0)).toEqual(['/eng-a opened']);
    // Response reminder 10 minutes before the 30-minute target, to everyone paged so far.
    expect(await at(clock, svc, 20)).toEqual(['/eng-a sla-reminder']);
    expect(await at(clock, svc, 29.9)).toEqual([]);
    expect(await at(clock, svc, 30)).toEqual(['/lead escalated']);
    const lead = receiver.requests.at(-1)!;
    expect(lead.json).toMatchObject({ version: '1', kind: 'escalated', tier: 'team lead', step: 1, recipients: [{ name: 'lin', displayName: 'Lin' }], incident: { id: 'inc-1', severity: 'P1', device: 'core-sw-01', site: 'hq' } });
    expect(verifyWebhookSignature('webhook-secret-0123456789', { timestamp: lead.headers['x-noctua-timestamp'] as string, signature: lead.headers['x-noctua-signature'] as string }, lead.body)).toBe(true);
    expect(await at(clock, svc, 110)).toEqual(['/eng-a sla-reminder', '/lead sla-reminder']);
    expect(await at(clock, svc, 119.9)).toEqual([]);
    expect(await at(clock, svc, 120)).toEqual(['/mgr escalated']);
    // The last step repeats every response interval until resolved.
    expect(await at(clock, svc, 150)).toEqual(['/mgr escalated']);
    expect(svc.outboxStats()).toMatchObject({ pending: 0, failed: 0, sent: 7 });
  });

  it('stops the response escalation on acknowledgement, and sends the recovery notice to everyone who was paged', async () => {
    fresh();
    const clock = new FakeClock(T0);
    const { svc } = service(clock);
    await svc.start();
    let inc = incident('inc-2', 'P1', new Date(T0));
    await svc.onIncidentEvent(event('opened', inc, new Date(T0)));
    expect(await at(clock, svc, 0)).toEqual(['/eng-a opened']);
    await at(clock, svc, 8);
    inc = { ...inc, state: 'acknowledged', acknowledgedAt: new Date(T0 + 8 * MIN), acknowledgedBy: 'alice' };
    await svc.onIncidentEvent(event('acknowledged', inc, inc.acknowledgedAt!, 'alice'));
    expect(await at(clock, svc, 8)).toEqual(['/eng-a acknowledged']);
    // No response reminder at 20 min and no team lead at 30 min: someone has it.
    expect(await at(clock, svc, 60)).toEqual([]);
    // The resolution clock still runs: reminder at 110 min, manager at 2 h.
    expect(await at(clock, svc, 110)).toEqual(['/eng-a sla-reminder']);
    expect(await at(clock, svc, 120)).toEqual(['/mgr escalated']);
    await at(clock, svc, 135);
    inc = { ...inc, state: 'resolved', resolvedAt: new Date(T0 + 135 * MIN), alerts: inc.alerts.map((a) => ({ ...a, state: 'resolved' as const, endsAt: new Date(T0 + 135 * MIN) })) };
    await svc.onIncidentEvent(event('resolved', inc, inc.resolvedAt!));
    expect(await at(clock, svc, 135)).toEqual(['/eng-a resolved', '/mgr resolved']);
    const recovery = receiver.requests.at(-1)!.json as { outageMs: number; text: { title: string; body: string } };
    expect(recovery.outageMs).toBe(135 * MIN);
    expect(recovery.text.title).toBe('[RECOVERED after 2h 15m] core-sw-01 unreachable');
    expect(await at(clock, svc, 300)).toEqual([]);
    expect(svc.slaRecord('inc-2')).toMatchObject({ responseMs: 8 * MIN, responseBand: '<=10m', responseMet: true, resolutionMs: 135 * MIN, resolutionBand: 'later', resolutionMet: false, acknowledgedBy: 'alice', paged: true });
  });

  it('resumes the escalation clocks after a restart from the stored open time, without paging anyone twice', async () => {
    fresh();
    const clock = new FakeClock(T0);
    const first = service(clock, { dbName: 'restart.db' });
    await first.svc.start();
    const inc = incident('inc-3', 'P1', new Date(T0));
    await first.svc.onIncidentEvent(event('opened', inc, new Date(T0)));
    expect(await at(clock, first.svc, 0)).toEqual(['/eng-a opened']);
    await first.svc.stop();
    first.db.close();
    open.splice(open.findIndex((o) => o.db === first.db), 1);
    // Down from 0 to 31 minutes: the response reminder (20) passed with its deadline; the lead step (30) is overdue and fires on start.
    await clock.advance(31 * MIN);
    const second = service(clock, { dbName: 'restart.db' });
    await second.svc.start();
    expect(await at(clock, second.svc, 36)).toEqual(['/lead escalated']);
    expect(await at(clock, second.svc, 100)).toEqual([]);
    expect(await at(clock, second.svc, 110)).toEqual(['/eng-a sla-reminder', '/lead sla-reminder']);
    expect(await at(clock, second.svc, 120)).toEqual(['/mgr escalated']);
    // A redelivered event (same seq) changes nothing.
    await second.svc.onIncidentEvent({ ...event('opened', inc, new Date(T0)), seq: 1 });
    expect(await at(clock, second.svc, 121)).toEqual([]);
  });

  it('holds a muted incident and pages it normally once the maintenance window ends', async () => {
    fresh();
    const clock = new FakeClock(T0);
    const { svc } = service(clock);
    await svc.start();
    const muted = incident('inc-4', 'P2', new Date(T0), { muted: true, mutedReason: 'maintenance: core upgrade' });
    await svc.onIncidentEvent(event('opened', muted, new Date(T0)));
    expect(await at(clock, svc, 90)).toEqual([]);
    await svc.onIncidentEvent(event('unmuted', { ...muted, muted: false, mutedReason: undefined }, new Date(T0 + 90 * MIN)));
    // P2: engineer at once, lead at 60 min, both overdue when the window ends.
    expect(await at(clock, svc, 90)).toEqual(['/eng-a opened', '/lead escalated']);
  });

  it('follows a severity upgrade with the stricter policy without paging the first tier again', async () => {
    fresh();
    const clock = new FakeClock(T0);
    const { svc } = service(clock);
    await svc.start();
    const p3 = incident('inc-8', 'P3', new Date(T0));
    await svc.onIncidentEvent(event('opened', p3, new Date(T0)));
    expect(await at(clock, svc, 0)).toEqual(['/eng-a opened']);
    expect(await at(clock, svc, 40)).toEqual([]);
    await svc.onIncidentEvent(event('updated', { ...p3, severity: 'P1' }, new Date(T0 + 40 * MIN)));
    // P1's team-lead step (30 min) is already overdue at 40 min.
    expect(await at(clock, svc, 40)).toEqual(['/lead escalated']);
    expect(svc.slaRecord('inc-8')).toMatchObject({ severity: 'P1', respondTargetMs: 30 * MIN, responseMet: false });
  });

  it('resumes the response escalation when an acknowledgement is withdrawn', async () => {
    fresh();
    const clock = new FakeClock(T0);
    const { svc } = service(clock);
    await svc.start();
    const inc = incident('inc-9', 'P1', new Date(T0));
    await svc.onIncidentEvent(event('opened', inc, new Date(T0)));
    await at(clock, svc, 5);
    const acked = { ...inc, state: 'acknowledged' as const, acknowledgedAt: new Date(T0 + 5 * MIN), acknowledgedBy: 'alice' };
    await svc.onIncidentEvent(event('acknowledged', acked, acked.acknowledgedAt, 'alice'));
    expect(await at(clock, svc, 45)).toEqual(['/eng-a acknowledged']);
    await svc.onIncidentEvent(event('unacknowledged', inc, new Date(T0 + 45 * MIN), 'alice'));
    expect(await at(clock, svc, 45)).toEqual(['/lead escalated']);
  });

  it('pages whoever is on call at the moment of the page', async () => {
    fresh();
    // 08:59 Shanghai on 2026-01-06: alice still holds the 2026-01-05 shift; at 09:00 bob takes over.
    const clock = new FakeClock(Date.UTC(2026, 0, 6, 0, 59, 0));
    const { svc } = service(clock);
    await svc.start();
    await svc.onIncidentEvent(event('opened', incident('inc-5', 'P3', clock.now()), clock.now()));
    await svc.flush();
    await clock.advance(MIN);
    await svc.onIncidentEvent(event('opened', incident('inc-6', 'P3', clock.now()), clock.now()));
    await svc.flush();
    expect(fresh()).toEqual(['/eng-a opened', '/eng-b opened']);
    expect(svc.onCall('engineers')?.person).toBe('bob');
  });

  it('acknowledges from a signed link in the notice, and refuses altered or expired links', async () => {
    fresh();
    const clock = new FakeClock(T0);
    const acked: string[] = [];
    const actions: IncidentActions = {
      acknowledge: (id, by) => { acked.push(`${id} by ${by}`); return { ...incident(id, 'P1', new Date(T0)), state: 'acknowledged', acknowledgedBy: by } as IncidentView; },
      unacknowledge: () => undefined, resolve: () => undefined, comment: () => undefined,
    };
    const { svc } = service(clock, { actions });
    await svc.start();
    await svc.onIncidentEvent(event('opened', incident('inc-7', 'P1', new Date(T0)), new Date(T0)));
    await svc.flush();
    const notice = receiver.requests.at(-1)!.json as { links: { ack: string; dashboard: string } };
    expect(notice.links.dashboard).toBe('https://noc.example.com/wall?incident=inc-7');
    expect(notice.links.ack).toMatch(/^https:\/\/noc\.example\.com\/ack\/[\w-]+\.[\w-]+$/);
    const token = notice.links.ack.split('/').pop()!;
    expect(svc.verifyAckToken(token)).toMatchObject({ ok: true, incidentId: 'inc-7', by: 'alice' });
    const tampered = token.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
    expect(svc.verifyAckToken(tampered)).toMatchObject({ ok: false, reason: 'bad-signature' });
    await clock.advance(61 * MIN);
    expect(svc.verifyAckToken(token)).toMatchObject({ ok: false, reason: 'expired' });
    // Acting on a link (confirm page, POST, once only) is the API's: tests/api/ack.test.ts.
    expect(acked).toEqual([]);
  });
});
