import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/alerting/escalation/notice.js';
import { createNotifier, type ChannelConfig } from '../../../src/alerting/notifiers/registry.js';
import { Outbox } from '../../../src/alerting/outbox.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb } from '../../../src/core/database.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const tmp = tempDir('noctua-outbox-incident-');
let receiver: WebhookReceiver;

beforeAll(async () => { receiver = await startWebhookReceiver(); });
afterAll(async () => { await receiver.close(); tmp.cleanup(); });

function notice(id: string, incidentId: string, channel: string, over: Partial<Notice> = {}): Notice {
  return {
    id, kind: 'opened', channel, locale: 'en', timezone: 'UTC', createdAt: new Date(T0).toISOString(),
    incident: { id: incidentId, key: 'k', title: 'core-sw-01 unreachable', severity: 'P1', state: 'open', device: 'core-sw-01', site: 'hq', openedAt: new Date(T0).toISOString(), alerts: [] },
    recipients: [], links: {}, ...over,
  };
}

const webhook = (path: string): ChannelConfig => ({ type: 'webhook', url: `${receiver.url}${path}`, headers: {}, timeout: 2000 }) as ChannelConfig;

describe('outbox: the notices of one incident, for the console timeline', () => {
  it('lists an incident\'s notices in write order with tier, channel and delivery state, and no other incident\'s', async () => {
    receiver.respond((req) => (req.path === '/broken' ? { status: 400, body: 'bad robot token' } : { status: 200, body: { ok: true } }));
    const clock = new FakeClock(T0);
    const db = openStateDb(tmp.dir, 'outbox.db');
    const notifiers = new Map([['eng', createNotifier('eng', webhook('/eng'))], ['lead', createNotifier('lead', webhook('/broken'))]]);
    const box = new Outbox({ db, clock, log: pino({ level: 'silent' }), notifiers, settings: { giveUpAfter: 3_600_000, initialBackoff: 1000, maxBackoff: 8000, concurrency: 4 }, random: () => 0.5 });
    box.start();
    box.enqueue(notice('n-1', 'inc-a', 'eng', { step: 0, tier: 'engineer' }));
    box.enqueue(notice('n-2', 'inc-b', 'eng', { step: 0, tier: 'engineer' }));
    box.enqueue(notice('n-3', 'inc-a', 'lead', { kind: 'escalated', step: 1, tier: 'lead' }));
    box.enqueue(notice('n-4', 'inc-a', 'eng', { kind: 'acknowledged' }));
    await box.flush();
    const listed = box.forIncident('inc-a');
    expect(listed.map((n) => [n.id, n.channel, n.kind, n.tier, n.status])).toEqual([
      ['n-1', 'eng', 'opened', 'engineer', 'sent'],
      ['n-3', 'lead', 'escalated', 'lead', 'failed'],
      ['n-4', 'eng', 'acknowledged', undefined, 'sent'],
    ]);
    expect(listed[0]!.sentAt?.getTime()).toBe(T0);
    expect(listed[1]).toMatchObject({ lastStatus: 400, attempts: 1 });
    expect(listed[1]!.lastError).toContain('400');
    expect(box.forIncident('inc-none')).toEqual([]);
    await box.stop();
    db.close();
  });
});
