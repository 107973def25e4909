import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService, type EscalationService } from '../../../src/alerting/escalation/index.js';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb, type Db } from '../../../src/core/database.js';
import { tempDir } from '../../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { event, incident, notifyConfig, threeTierYaml } from './notify-fixture.js';

const CALENDAR_DIR = fileURLToPath(new URL('../../../config/calendars/', import.meta.url));
const H = 3_600_000;
const MIN = 60_000;
const log = pino({ level: 'silent' });

/** An instant written as Shanghai wall time (UTC+8): "2026-10-09 17:00". */
const sh = (text: string) => Date.parse(`${text.replace(' ', 'T')}:00+08:00`);

/** hq runs on the contract's 5x8 (Mon-Fri 08:30-17:30, PRC holidays); everything else stays 7x24. */
const CALENDARS = `
calendarDir: ${CALENDAR_DIR}
calendars:
  office-5x8: { timezone: Asia/Shanghai, hours: ["08:30-17:30"], holidays: cn }
calendarFor:
  - { sites: [hq], calendar: office-5x8 }
`;

describe('SLA clocks and escalation in service time (P2 under 5x8, 2026 National Day make-up Saturday)', () => {
  const tmp = tempDir('noctua-calendar-clocks-');
  let receiver: WebhookReceiver;
  let seen = 0;
  let db: Db;
  let svc: EscalationService;
  const clock = new FakeClock(sh('2026-10-09 17:00'));

  beforeAll(async () => { receiver = await startWebhookReceiver(); });
  afterAll(async () => { await svc?.stop(); db?.close(); await receiver.close(); tmp.cleanup(); });

  /** Starts escalation over the state database file, as a (re)started process would. */
  async function startService(): Promise<void> {
    db = openStateDb(tmp.dir, 'state.db');
    svc = createEscalationService({ db, config: notifyConfig(tmp.dir, threeTierYaml(receiver.url, CALENDARS)), clock, log, locale: 'en', timezone: 'Asia/Shanghai', random: () => 0.5 });
    await svc.start();
  }

  /** Moves the clock to a Shanghai wall time and returns the notices delivered since the last call, as "path kind". */
  async function at(text: string): Promise<string[]> {
    await clock.advance(sh(text) - clock.ms());
    await svc.flush();
    const out = receiver.requests.slice(seen).map((r) => `${r.path.startsWith('/eng-') ? '/engineer' : r.path} ${(r.json as { kind: string }).kind}`);
    seen = receiver.requests.length;
    return out.sort();
  }

  it('puts deadlines, reminders and escalations where a person with the calendar would, leaves a 2 h pause out, and keeps both across a restart', async () => {
    await startService();
    const inc = incident('inc-p2', 'P2', new Date(sh('2026-10-09 17:00')), { site: 'hq' });
    const other = incident('inc-7x24', 'P2', new Date(sh('2026-10-09 17:00')), { site: 'dc', key: 'device:other' });
    await svc.onIncidentEvent(event('opened', inc, new Date(sh('2026-10-09 17:00'))));
    await svc.onIncidentEvent(event('opened', other, new Date(sh('2026-10-09 17:00'))));
    // Paging the engineer is not an SLA clock: it happens at once, also after hours.
    expect(await at('2026-10-09 17:00')).toEqual(['/engineer opened', '/engineer opened']);

    // P2: respond 1 h, resolve 4 h. Friday 17:00-17:30 gives 30 min; Sat 10 Oct is a make-up working day
    // (国庆调休) from 08:30. Response due 08:30 + 30 min = Sat 09:00; resolution 08:30 + 3 h 30 = Sat 12:00.
    const r0 = svc.slaRecord('inc-p2')!;
    expect(r0).toMatchObject({ calendar: 'office-5x8', respondBy: new Date(sh('2026-10-10 09:00')), resolveBy: new Date(sh('2026-10-10 12:00')), pausedMs: 0, pauses: [] });
    // The 7x24 incident keeps today's wall-clock deadlines: 18:00 and 21:00 on Friday.
    expect(svc.slaRecord('inc-7x24')).toMatchObject({ calendar: '7x24', respondBy: new Date(sh('2026-10-09 18:00')), resolveBy: new Date(sh('2026-10-09 21:00')) });
    await svc.onIncidentEvent(event('resolved', { ...other, state: 'resolved', resolvedAt: new Date(sh('2026-10-09 17:05')) }, new Date(sh('2026-10-09 17:05'))));
    expect(await at('2026-10-09 17:05')).toEqual(['/engineer resolved']);

    // Nothing happens overnight: the 5x8 clock stands still from Friday 17:30 to Saturday 08:30.
    expect(await at('2026-10-09 17:59')).toEqual([]);
    expect(await at('2026-10-10 08:49')).toEqual([]);
    // Response reminder 10 min before 09:00 (service time), the team lead at the response deadline.
    expect(await at('2026-10-10 08:50')).toEqual(['/engineer sla-reminder']);
    expect(await at('2026-10-10 09:00')).toEqual(['/lead escalated']);
    await svc.onIncidentEvent(event('acknowledged', { ...inc, state: 'acknowledged', acknowledgedAt: new Date(sh('2026-10-10 09:10')), acknowledgedBy: 'bob' }, new Date(sh('2026-10-10 09:10')), 'bob'));
    expect(await at('2026-10-10 09:10')).toEqual(['/engineer acknowledged', '/lead acknowledged']);
    // Response: Fri 17:00-17:30 (30 min) + Sat 08:30-09:10 (40 min) = 70 min in service time: missed.
    expect(svc.slaRecord('inc-p2')).toMatchObject({ responseMs: 70 * MIN, responseMet: false });

    // Waiting for the customer from 09:30: the resolution clock stops and has no deadline while paused.
    expect(await at('2026-10-10 09:30')).toEqual([]);
    const paused = svc.pauseClock('inc-p2', { reason: 'waiting-for-customer', note: 'customer to power-cycle the CPE', by: 'bob' });
    expect(paused).toMatchObject({ ok: true, pause: { reason: 'waiting-for-customer', startedAt: new Date(sh('2026-10-10 09:30')) }, sla: { resolveBy: undefined } });
    // One pause at a time.
    expect(svc.pauseClock('inc-p2', { reason: 'carrier-fault', by: 'bob' })).toMatchObject({ ok: false, status: 409 });
    expect(await at('2026-10-10 10:30')).toEqual([]);

    // Restart in the middle of the pause: the pause and the clocks come back from the SQLite file.
    await svc.stop();
    db.close();
    await startService();
    const during = svc.slaRecord('inc-p2')!;
    expect(during.resolveBy).toBeUndefined();
    expect(during.pauses).toEqual([expect.objectContaining({ reason: 'waiting-for-customer', startedAt: new Date(sh('2026-10-10 09:30')), startedBy: 'bob', endedAt: undefined })]);
    // Without the pause the resolution reminder (11:50) and the manager (12:00) would come now.
    expect(await at('2026-10-10 11:30')).toEqual([]);
    const ended = svc.endPause('inc-p2', during.pauses[0]!.id, 'alice');
    expect(ended).toMatchObject({ ok: true, pause: { endedAt: new Date(sh('2026-10-10 11:30')), endedBy: 'alice' } });
    // 4 h = 30 min Friday + 08:30-09:30 (1 h) + 11:30-14:00 (2 h 30): the deadline moved by the 2 h pause.
    expect(svc.slaRecord('inc-p2')!.resolveBy).toEqual(new Date(sh('2026-10-10 14:00')));
    expect(await at('2026-10-10 12:00')).toEqual([]);
    expect(await at('2026-10-10 13:50')).toEqual(['/engineer sla-reminder', '/lead sla-reminder']);
    expect(await at('2026-10-10 14:00')).toEqual(['/mgr escalated']);

    await svc.onIncidentEvent(event('resolved', { ...inc, state: 'resolved', acknowledgedAt: new Date(sh('2026-10-10 09:10')), resolvedAt: new Date(sh('2026-10-10 14:30')) }, new Date(sh('2026-10-10 14:30'))));
    await at('2026-10-10 14:30');
    // Resolution: 30 min + Sat 08:30-14:30 (6 h) - 2 h paused = 4 h 30 > 4 h: missed; the pause is listed.
    expect(svc.slaRecord('inc-p2')).toMatchObject({ resolutionMs: 4.5 * H, resolutionMet: false, pausedMs: 2 * H, calendar: 'office-5x8' });
    expect(svc.querySla({}).records.find((r) => r.incidentId === 'inc-p2')?.pauses).toHaveLength(1);
    // Once resolved, the clocks cannot be paused any more.
    expect(svc.pauseClock('inc-p2', { reason: 'spare-part-in-transit', by: 'bob' })).toMatchObject({ ok: false, status: 409 });
  });
});

describe('start-up warnings about holiday data', () => {
  it('warns at start while a provisional holiday year (cn-2027) is in use, and about a year without a file', async () => {
    const tmp = tempDir('noctua-calendar-warn-');
    const lines: { level: number; msg: string }[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => { lines.push(JSON.parse(line) as { level: number; msg: string }); } });
    const start = async (at: string) => {
      const db = openStateDb(tmp.dir, `${at.slice(0, 4)}.db`);
      const svc = createEscalationService({ db, config: notifyConfig(tmp.dir, threeTierYaml('http://127.0.0.1:9', CALENDARS)), clock: new FakeClock(sh(at)), log: capture, locale: 'en', timezone: 'Asia/Shanghai' });
      await svc.start();
      await svc.stop();
      db.close();
    };
    try {
      await start('2026-12-02 09:00');
      expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/calendar "office-5x8": holiday data cn-2027\.yaml is provisional/)]);
      lines.length = 0;
      await start('2028-01-03 09:00');
      expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/calendar "office-5x8": no holiday data for cn 2028/)]);
    } finally { tmp.cleanup(); }
  });
});
