import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService, type EscalationService } from '../../src/alerting/escalation/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import { startReportScheduler } from '../../src/reports/schedule.js';
import { MemoryIncidentSource } from '../../src/reports/sources/memory-incidents.js';
import { notifyConfig, threeTierYaml } from '../alerting/escalation/notify-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { EmptyFleet } from './empty-fleet.js';

// The morning's daily summary goes out through the outbox to the reports channel, like the weekly report: a real
// webhook receiver gets it. The day here has no samples, so the notice says "no data" rather than "normal".
describe('the daily summary is generated each morning and announced to the reports channel', () => {
  const tmp = tempDir('noctua-daily-announce-');
  let receiver: WebhookReceiver;
  let db: Db;
  let escalation: EscalationService;
  const clock = new FakeClock(Date.parse('2026-10-02T00:30:00Z')); // 08:30 in Shanghai on 2 October

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    db = openStateDb(tmp.dir, 'state.db');
    escalation = createEscalationService({
      db, config: notifyConfig(tmp.dir, threeTierYaml(receiver.url, 'reports:\n  notify: [{ channel: lead }]\n')), clock, log: pino({ level: 'silent' }),
      locale: 'zh-CN', timezone: 'Asia/Shanghai', random: () => 0.5,
    });
    await escalation.start();
  });
  afterAll(async () => { await escalation?.stop(); db?.close(); await receiver?.close(); tmp.cleanup(); });

  it('fires at 08:30 local, stores yesterday\'s summary in both languages and the reports channel hears of it', async () => {
    const stateDir = join(tmp.dir, 'state');
    const scheduler = startReportScheduler({
      stateDir, timeZone: 'Asia/Shanghai', locale: 'zh-CN', schedule: { langs: ['zh-CN', 'en'], formats: ['md'] }, clock,
      sources: () => ({ metrics: new EmptyFleet(), incidents: new MemoryIncidentSource([]), inventory: [{ name: 'core-sw-01', site: 'hq', class: 'switch' }] }),
      announce: (a) => {
        escalation.announceReport({ kind: a.kind, period: a.period.label, title: a.title, verdict: a.verdict, attentionCount: a.attentionCount, files: a.files, link: `https://noc.example.com/api/v1${a.link}` });
      },
    });
    try {
      const next = scheduler.nextRuns().daily!;
      expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([0, 30]);
      const a = await scheduler.run('daily', clock.now());
      expect(a.period.label).toBe('2026-10-01');
      expect(a.verdict).toBe('no-data');
      expect(a.files.map((f) => f.path)).toEqual([
        join(stateDir, 'reports', 'daily', '2026-10-01.zh-CN.md'), join(stateDir, 'reports', 'daily', '2026-10-01.en.md'),
      ]);
      for (const f of a.files) expect(existsSync(f.path)).toBe(true);
      expect(readFileSync(a.files[1]!.path, 'utf8')).toContain('No monitoring data was recorded for this period.');
      await escalation.flush();
      const got = await receiver.waitFor((rs) => rs.some((x) => x.path === '/lead'), 10_000);
      const notice = got.find((x) => x.path === '/lead')!.json as { kind: string; links: { report: string }; incident: { id: string }; text: { title: string; body: string } };
      expect(notice).toMatchObject({ kind: 'report', incident: { id: 'report-daily-2026-10-01' } });
      expect(notice.text.title).toBe('【报告】网络运维日报 2026-10-01');
      expect(notice.text.body).toContain('巡检结论：本期无数据');
      expect(notice.links.report).toBe('https://noc.example.com/api/v1/reports/daily/2026-10-01.zh-CN.md');
    } finally { await scheduler.stop(); }
  });
});
