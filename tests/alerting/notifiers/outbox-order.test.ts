import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService } from '../../../src/alerting/escalation/index.js';
import type { Notice, NoticeKind } from '../../../src/alerting/escalation/notice.js';
import { createNotifier, type ChannelConfig } from '../../../src/alerting/notifiers/registry.js';
import { Outbox, type OutboxSettings } from '../../../src/alerting/outbox.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb } from '../../../src/core/database.js';
import type { IncidentView } from '../../../src/core/incident.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { event, incident, notifyConfig, threeTierYaml } from '../escalation/notify-fixture.js';

const log = pino({ level: 'silent' });
const tmp = tempDir('noctua-outbox-order-');
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const settings: OutboxSettings = { giveUpAfter: 3_600_000, initialBackoff: 1000, maxBackoff: 8000, concurrency: 4 };
let receiver: WebhookReceiver;

beforeAll(async () => { receiver = await startWebhookReceiver(); });
afterAll(async () => { await receiver.close(); tmp.cleanup(); });

type Body = { kind: NoticeKind; incident: { id: string } };
const body = (r: Pick<ReceivedRequest, 'json'>) => r.json as Body;
const under = (prefix: string) => receiver.requests.filter((r) => r.path.startsWith(prefix));
/** What the receiver accepted under a path prefix, as "incident kind", in arrival order. */
const accepted = (prefix: string) => under(prefix).filter((r) => r.status === 200).map((r) => `${body(r).incident.id} ${body(r).kind}`);

let n = 0;
function notice(channel: string, incidentId: string, kind: NoticeKind): Notice {
  return {
    id: `ntc-order-${n++}`, kind, channel, locale: 'en', timezone: 'UTC', createdAt: new Date(T0).toISOString(),
    incident: { id: incidentId, key: incidentId, title: 'core-sw-01 unreachable', severity: 'P1', state: kind === 'resolved' ? 'resolved' : 'open', device: 'core-sw-01', openedAt: new Date(T0).toISOString(), alerts: [] },
    recipients: [], links: {},
  };
}

/** An outbox with one webhook channel pointing at `path` of the receiver, on a fake clock. */
function outbox(path: string, over: Partial<OutboxSettings> = {}) {
  const clock = new FakeClock(T0);
  const db = openStateDb(tmp.dir, `order-${n++}.db`);
  const cfg = { type: 'webhook', url: `${receiver.url}${path}`, headers: {}, timeout: 2000 } as ChannelConfig;
  const box = new Outbox({ db, clock, log, notifiers: new Map([['hook', createNotifier('hook', cfg)]]), settings: { ...settings, ...over }, random: () => 0.5 });
  box.start();
  return { clock, box, async close() { await box.stop(); db.close(); } };
}

describe('one incident\'s notices reach a channel in the order they were written', () => {
  it('delivers the fault notice before the recovery when the receiver refused for a while, each once, also across a restart', async () => {
    let refusing = true;
    receiver.respond((req) => (req.path.startsWith('/order') && refusing ? { status: 503, body: 'upstream down' } : { status: 200 }));
    const clock = new FakeClock(T0);
    const make = () => {
      const db = openStateDb(tmp.dir, 'order-restart.db');
      const svc = createEscalationService({ db, config: notifyConfig(tmp.dir, threeTierYaml(`${receiver.url}/order`)), clock, log, locale: 'en', timezone: 'Asia/Shanghai', random: () => 0.5 });
      return { db, svc };
    };
    const first = make();
    await first.svc.start();
    let inc: IncidentView = incident('inc-order', 'P1', new Date(T0));
    await first.svc.onIncidentEvent(event('opened', inc, new Date(T0)));
    await first.svc.flush();
    // Refused four times: the fault notice now backs off for 6 s (8 s cap, jitter at its midpoint).
    for (const wait of [750, 1500, 3000]) { await clock.advance(wait); await first.svc.flush(); }
    expect(under('/order').map((r) => `${r.status} ${body(r).kind}`)).toEqual(['503 opened', '503 opened', '503 opened', '503 opened']);

    // The receiver is back and the device recovers while the fault notice waits for its next attempt.
    refusing = false;
    await clock.advance(100);
    inc = { ...inc, state: 'resolved', resolvedAt: clock.now(), alerts: inc.alerts.map((a) => ({ ...a, state: 'resolved' as const, endsAt: clock.now() })) };
    await first.svc.onIncidentEvent(event('resolved', inc, clock.now()));
    await first.svc.flush();
    expect(accepted('/order')).toEqual([]); // the recovery waits behind the fault notice
    expect(first.svc.outboxStats()).toMatchObject({ pending: 2, sent: 0 });
    await first.svc.stop();
    first.db.close();

    // A new process keeps the order: the recovery still waits for the fault notice's stored retry time.
    await clock.advance(1000);
    const second = make();
    await second.svc.start();
    await second.svc.flush();
    expect(accepted('/order')).toEqual([]);
    for (let i = 0; i < 20 && second.svc.outboxStats().pending > 0; i++) { await clock.advance(1000); await second.svc.flush(); }
    expect(accepted('/order')).toEqual(['inc-order opened', 'inc-order resolved']);
    const oks = under('/order').filter((r) => r.status === 200);
    expect(new Set(oks.map((r) => r.headers['idempotency-key'])).size).toBe(2);
    expect(second.svc.outboxStats()).toMatchObject({ pending: 0, sent: 2, failed: 0 });
    await second.svc.stop();
    second.db.close();
  });

  it('does not hold a later notice behind one the receiver refused for good', async () => {
    receiver.respond((req) => (req.path === '/perm' && body(req).kind === 'opened' ? { status: 400, body: 'bad request' } : { status: 200 }));
    const o = outbox('/perm');
    const down = notice('hook', 'inc-perm', 'opened');
    const up = notice('hook', 'inc-perm', 'resolved');
    o.box.enqueue(down);
    o.box.enqueue(up);
    await o.box.flush();
    expect(o.box.status(down.id)).toMatchObject({ status: 'failed' });
    expect(o.box.status(up.id)).toMatchObject({ status: 'sent' });
    expect(under('/perm').map((r) => `${r.status} ${body(r).kind}`)).toEqual(['400 opened', '200 resolved']);
    await o.close();
  });

  it('lets a later notice go once the earlier one is given up on, not before', async () => {
    receiver.respond((req) => (req.path === '/giveup' && body(req).kind === 'opened' ? { status: 503 } : { status: 200 }));
    const o = outbox('/giveup', { giveUpAfter: 10_000 });
    const down = notice('hook', 'inc-giveup', 'opened');
    const up = notice('hook', 'inc-giveup', 'resolved');
    o.box.enqueue(down);
    o.box.enqueue(up);
    await o.box.flush();
    for (let i = 0; i < 30 && o.box.status(down.id)!.status === 'pending'; i++) {
      expect(o.box.status(up.id)).toMatchObject({ status: 'pending', attempts: 0 });
      await o.clock.advance(1000);
      await o.box.flush();
    }
    expect(o.box.status(down.id)).toMatchObject({ status: 'failed' });
    await o.box.flush();
    expect(o.box.status(up.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(under('/giveup').filter((r) => r.status === 200).map((r) => body(r).kind)).toEqual(['resolved']);
    await o.close();
  });

  it('never holds one incident\'s notices behind another incident\'s on the same channel', async () => {
    receiver.respond((req) => (req.path === '/multi' && body(req).incident.id === 'inc-a' ? { status: 503 } : { status: 200 }));
    const o = outbox('/multi');
    const aDown = notice('hook', 'inc-a', 'opened');
    const bDown = notice('hook', 'inc-b', 'opened');
    const aUp = notice('hook', 'inc-a', 'resolved');
    const bUp = notice('hook', 'inc-b', 'resolved');
    for (const x of [aDown, bDown, aUp, bUp]) o.box.enqueue(x);
    await o.box.flush();
    await o.clock.advance(100);
    await o.box.flush();
    expect(accepted('/multi')).toEqual(['inc-b opened', 'inc-b resolved']);
    expect(o.box.status(aUp.id)).toMatchObject({ status: 'pending', attempts: 0 });
    // inc-a's receiver side recovers: its notices follow, in their order.
    receiver.respond(() => ({ status: 200 }));
    for (let i = 0; i < 10 && o.box.stats().pending > 0; i++) { await o.clock.advance(1000); await o.box.flush(); }
    expect(accepted('/multi')).toEqual(['inc-b opened', 'inc-b resolved', 'inc-a opened', 'inc-a resolved']);
    await o.close();
  });
});
