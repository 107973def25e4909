import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/alerting/escalation/notice.js';
import { createEscalationService } from '../../../src/alerting/escalation/index.js';
import { createNotifier, type ChannelConfig } from '../../../src/alerting/notifiers/registry.js';
import { verifyWebhookSignature } from '../../../src/alerting/notifiers/webhook.js';
import { Outbox, type OutboxSettings } from '../../../src/alerting/outbox.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb } from '../../../src/core/database.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { event, incident, notifyConfig, threeTierYaml } from '../escalation/notify-fixture.js';

const log = pino({ level: 'silent' });
const tmp = tempDir('noctua-outbox-');
const SECRET = 'webhook-secret-0123456789';
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const settings: OutboxSettings = { giveUpAfter: 3_600_000, initialBackoff: 1000, maxBackoff: 8000, concurrency: 4 };
let receiver: WebhookReceiver;

beforeAll(async () => { receiver = await startWebhookReceiver(); });
afterAll(async () => { await receiver.close(); tmp.cleanup(); });

let n = 0;
function notice(channel: string, over: Partial<Notice> = {}): Notice {
  const id = `ntc-test-${n++}`;
  return {
    id, kind: 'opened', channel, locale: 'en', timezone: 'UTC', createdAt: new Date(T0).toISOString(),
    incident: { id: `inc-${id}`, key: 'k', title: 'core-sw-01 unreachable', severity: 'P1', state: 'open', device: 'core-sw-01', site: 'hq', openedAt: new Date(T0).toISOString(), alerts: [] },
    recipients: [], links: {}, ...over,
  };
}

/** An outbox on a fresh database with one channel per given config, on a fake clock. */
function outbox(channels: Record<string, ChannelConfig>, over: Partial<OutboxSettings> = {}) {
  const clock = new FakeClock(T0);
  const db = openStateDb(tmp.dir, `outbox-${n++}.db`);
  const notifiers = new Map(Object.entries(channels).map(([name, c]) => [name, createNotifier(name, c)]));
  const box = new Outbox({ db, clock, log, notifiers, settings: { ...settings, ...over }, random: () => 0.5 });
  box.start();
  return { clock, db, box, async close() { await box.stop(); db.close(); } };
}

function webhook(path: string, over: Record<string, unknown> = {}): ChannelConfig {
  return { type: 'webhook', url: `${receiver.url}${path}`, secret: SECRET, headers: {}, timeout: 2000, ...over } as ChannelConfig;
}

const at = (path: string) => receiver.requests.filter((r) => r.path === path);

describe('durable outbox and its retry stage', () => {
  it('delivers once, signed, after a receiver fails the first three attempts with 500, backing off exponentially', async () => {
    receiver.respond((req) => (req.path === '/flaky' && at('/flaky').length < 3 ? { status: 500, body: 'database locked' } : { status: 200, body: { ok: true } }));
    const o = outbox({ flaky: webhook('/flaky') });
    const nt = notice('flaky');
    expect(o.box.enqueue(nt)).toBe(true);
    expect(o.box.enqueue(nt)).toBe(false); // the same idempotency key is stored once
    const waits: number[] = [];
    await o.box.flush();
    for (let i = 0; i < 10 && o.box.status(nt.id)!.status === 'pending'; i++) {
      waits.push(o.box.status(nt.id)!.nextAttemptAt.getTime() - o.clock.ms());
      await o.clock.advance(waits.at(-1)!);
      await o.box.flush();
    }
    // 1 s, 2 s, 4 s doubled, each with jitter (fixed at the midpoint here: 75 %).
    expect(waits).toEqual([750, 1500, 3000]);
    const got = at('/flaky');
    expect(got.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(got.map((r) => r.headers['idempotency-key']))).toEqual(new Set([nt.id]));
    const ok = got.at(-1)!;
    expect(verifyWebhookSignature(SECRET, { timestamp: ok.headers['x-noctua-timestamp'] as string, signature: ok.headers['x-noctua-signature'] as string }, ok.body)).toBe(true);
    expect(verifyWebhookSignature('another-secret-0123456789', { timestamp: ok.headers['x-noctua-timestamp'] as string, signature: ok.headers['x-noctua-signature'] as string }, ok.body)).toBe(false);
    expect(o.box.status(nt.id)).toMatchObject({ status: 'sent', attempts: 4 });
    expect(o.box.stats()).toMatchObject({ pending: 0, sent: 1, failed: 0 });
    await o.close();
  });

  it('honours Retry-After on a 429', async () => {
    receiver.respond((req) => (req.path === '/busy' && at('/busy').length === 0 ? { status: 429, body: 'slow down', headers: { 'retry-after': '120' } } : { status: 200 }));
    const o = outbox({ busy: webhook('/busy') });
    const nt = notice('busy');
    o.box.enqueue(nt);
    await o.box.flush();
    expect(o.box.status(nt.id)).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 429 });
    expect(o.box.status(nt.id)!.nextAttemptAt.getTime() - o.clock.ms()).toBe(120_000);
    await o.clock.advance(119_000);
    await o.box.flush();
    expect(at('/busy')).toHaveLength(1);
    await o.clock.advance(1000);
    await o.box.flush();
    expect(at('/busy').map((r) => r.status)).toEqual([429, 200]);
    await o.close();
  });

  it('treats a 400 as permanent and keeps the receiver answer for the operator', async () => {
    receiver.respond((req) => (req.path === '/strict' ? { status: 400, body: { error: 'field "kind" is not supported' } } : { status: 200 }));
    const o = outbox({ strict: webhook('/strict') });
    const nt = notice('strict');
    o.box.enqueue(nt);
    await o.box.flush();
    await o.clock.advance(3_600_000);
    await o.box.flush();
    expect(at('/strict')).toHaveLength(1);
    expect(o.box.stats()).toMatchObject({ pending: 0, failed: 1 });
    const [failed] = o.box.failed();
    expect(failed).toMatchObject({ id: nt.id, channel: 'strict', kind: 'opened', attempts: 1, lastStatus: 400, response: '{"error":"field \\"kind\\" is not supported"}' });
    expect(failed!.reason).toBe('webhook strict refused the notice with HTTP 400: {"error":"field \\"kind\\" is not supported"}');
    // Once the receiver is fixed an operator can send it again.
    receiver.respond(() => ({ status: 200 }));
    expect(o.box.retry(nt.id)).toBe(true);
    await o.box.flush();
    expect(o.box.status(nt.id)).toMatchObject({ status: 'sent', attempts: 2 });
    await o.close();
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    receiver.respond((req) => (req.path === '/slow' && at('/slow').length === 0 ? { status: 200, delayMs: 1500 } : { status: 200 }));
    const o = outbox({ slow: webhook('/slow', { timeout: 200 }) });
    const nt = notice('slow');
    o.box.enqueue(nt);
    await o.box.flush();
    expect(o.box.status(nt.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(o.box.status(nt.id)!.lastError).toMatch(/timed out or cancelled \(no answer within 200 ms\)/);
    await o.clock.advance(1000);
    await o.box.flush();
    expect(o.box.status(nt.id)).toMatchObject({ status: 'sent', attempts: 2 });
    await o.close();
  });

  it('retries connection errors until the give-up time, then marks the notice failed and counts it', async () => {
    const port = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    const o = outbox({ gone: { type: 'webhook', url: `http://127.0.0.1:${port}/x`, headers: {}, timeout: 1000 } as ChannelConfig }, { giveUpAfter: 20_000 });
    const nt = notice('gone');
    o.box.enqueue(nt);
    await o.box.flush();
    const times = [o.clock.ms() - T0];
    for (let i = 0; i < 20 && o.box.status(nt.id)!.status === 'pending'; i++) {
      await o.clock.advance(o.box.status(nt.id)!.nextAttemptAt.getTime() - o.clock.ms());
      await o.box.flush();
      times.push(o.clock.ms() - T0);
    }
    // Backoff 0.75, 1.5, 3, 6, 6 s (8 s cap at 75 %), and a last attempt at the give-up time (20 s).
    expect(times).toEqual([0, 750, 2250, 5250, 11_250, 17_250, 20_000]);
    const s = o.box.status(nt.id)!;
    expect(s).toMatchObject({ status: 'failed', attempts: 7 });
    expect(o.box.failed()[0]!.reason).toMatch(/^gave up after \d+ attempts: no answer from http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(o.box.stats()).toMatchObject({ pending: 0, failed: 1, sent: 0 });
    await o.close();
  });

  it('keeps a channel within its rate limit, in order, delaying rather than dropping', async () => {
    receiver.respond(() => ({ status: 200 }));
    const o = outbox({ robot: webhook('/robot', { perMinute: 2 }) });
    const ids = [notice('robot'), notice('robot'), notice('robot')].map((x) => { o.box.enqueue(x); return x.id; });
    await o.box.flush();
    expect(at('/robot').map((r) => r.headers['idempotency-key'])).toEqual(ids.slice(0, 2));
    await o.clock.advance(59_000);
    await o.box.flush();
    expect(at('/robot')).toHaveLength(2);
    await o.clock.advance(1000);
    await o.box.flush();
    expect(at('/robot').map((r) => r.headers['idempotency-key'])).toEqual(ids);
    await o.close();
  });

  it('still delivers a notice exactly once when the service is stopped and recreated between attempts', async () => {
    const base = `${receiver.url}/restart`;
    receiver.respond((req) => (req.path.startsWith('/restart') && receiver.requests.filter((r) => r.path.startsWith('/restart')).length < 2 ? { status: 503, body: 'upstream down' } : { status: 200 }));
    const clock = new FakeClock(T0);
    const make = () => {
      const db = openStateDb(tmp.dir, 'restart.db');
      const svc = createEscalationService({ db, config: notifyConfig(tmp.dir, threeTierYaml(base)), clock, log, locale: 'en', timezone: 'Asia/Shanghai', random: () => 0.5 });
      return { db, svc };
    };
    const first = make();
    await first.svc.start();
    await first.svc.onIncidentEvent(event('opened', incident('inc-r', 'P1', new Date(T0)), new Date(T0)));
    await first.svc.flush();
    expect(first.svc.outboxStats()).toMatchObject({ pending: 1, sent: 0 });
    await first.svc.stop();
    first.db.close();

    await clock.advance(500); // before the stored retry time: the new process must wait for it, not send at once
    const second = make();
    await second.svc.start();
    await second.svc.flush();
    const tries = () => receiver.requests.filter((r) => r.path.startsWith('/restart'));
    expect(tries()).toHaveLength(1);
    for (let i = 0; i < 10 && second.svc.outboxStats().pending > 0; i++) { await clock.advance(2000); await second.svc.flush(); }
    const all = tries();
    expect(all.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(all.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(all.filter((r) => r.status === 200)).toHaveLength(1);
    expect(second.svc.outboxStats()).toMatchObject({ pending: 0, sent: 1, failed: 0 });
    await second.svc.stop();
    second.db.close();
  });
});
