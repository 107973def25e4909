import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { runtimeServices } from '../../src/api/runtime-services.js';
import { signAckToken, type EscalationService } from '../../src/alerting/escalation/index.js';
import type { AlertEngine } from '../../src/alerting/engine.js';
import { FakeClock } from '../../src/core/clock.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';
import { icmpDevice, startPagingBench, type PagingBench } from './paging-bench.js';
import { apiSettings, bearer } from './memory-noc.js';

const RULES = `
rules:
  - name: device-down
    severity: P1
    consecutive: 2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: "{{device}} down"
`;

const SECRET = 'paging-test-ack-secret';

function notifyYaml(base: string): string {
  return `ackLinks: { secret: ${SECRET}, ttl: 1h }
channels:
  eng: { type: webhook, url: "${base}/eng" }
  lead: { type: webhook, url: "${base}/lead" }
  team: { type: webhook, url: "${base}/team" }
  pager: { type: pagerduty, routingKey: "0123456789abcdef0123456789abcdef", url: "${base}/pager" }
people:
  wang: { displayName: Wang Lei, channels: [eng] }
  chen: { displayName: Chen Jing, channels: [lead] }
tiers:
  engineer: { notify: [{ person: wang }] }
  lead: { notify: [{ person: chen }] }
  manager: { notify: [{ person: chen }] }
policies:
  P1: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }, { after: 10m, tier: lead }] }
reports:
  notify: [{ channel: team }, { channel: pager }]
outbox: { initialBackoff: 1s, maxBackoff: 2s, giveUpAfter: 1h }
`;
}

const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const MIN = 60_000;

describe('paging routes over the real alert engine, escalation and outbox, delivering to a local receiver', () => {
  const tmp = tempDir('noctua-api-paging-');
  const clock = new FakeClock(T0);
  const device = { ...icmpDevice('core-rt-01'), tags: ['core'] };
  let bench: PagingBench;
  let engine: AlertEngine;
  let escalation: EscalationService;
  let receiver: WebhookReceiver;
  let services: ReturnType<typeof runtimeServices>;
  let app: ReturnType<typeof buildApp>;
  let incidentId: string;
  /** The lead's robot rejects the first message as a misconfigured robot would, then takes everything. */
  let leadBroken = true;

  beforeAll(async () => {
    bench = await startPagingBench({
      dir: tmp.dir, clock, device, rules: RULES, notify: notifyYaml, locale: 'zh-CN', publicUrl: 'https://noc.example.com',
      reply: (req) => (req.path === '/lead' && leadBroken ? { status: 400, body: { errcode: 310000, errmsg: 'keywords not in content' } } : { status: 200, body: { ok: true } }),
    });
    ({ engine, escalation, receiver } = bench);
    services = bench.services();
    app = buildApp({ settings: apiSettings(), services, log: pino({ level: 'silent' }), now: () => clock.now(), locale: 'zh-CN' });
    // The router stops answering ping for two cycles: the P1 incident opens and the engineer is paged.
    incidentId = await bench.openIncident(['/eng']);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await bench?.close();
    tmp.cleanup();
  });

  it('shows the SLA record in the incident detail: the policy targets and a clock still running', async () => {
    const before = (await app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: bearer('viewer') })).json();
    expect(before.sla).toMatchObject({ respondTargetMs: 10 * MIN, resolveTargetMs: 60 * MIN, responseBand: 'pending', resolutionBand: 'pending', paged: true });
    expect(before.sla.responseMs).toBeUndefined();
  });

  it('sends failed notices to the operator list with the receiver\'s answer, and queues one again on retry', async () => {
    // Ten minutes unacknowledged: the lead tier is paged, and the lead's robot refuses with a 400 (a permanent failure).
    await clock.advance(10 * MIN);
    await escalation.flush();
    await receiver.waitFor((r) => r.some((x) => x.path === '/lead'));
    await escalation.flush();
    const failed = await app.inject({ url: '/api/v1/notices/failed', headers: bearer('operator') });
    expect(failed.statusCode).toBe(200);
    const list = failed.json();
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ channel: 'lead', kind: 'escalated', incidentId, attempts: 1, lastStatus: 400 });
    expect(list.items[0].response).toContain('keywords not in content');
    const status = (await app.inject({ url: '/api/v1/status', headers: bearer('viewer') })).json();
    expect(status).toMatchObject({ paging: true, schedulerRunning: true, outbox: { pending: 0, failed: 1, sent: 1 } });

    expect((await app.inject({ url: '/api/v1/notices/failed', headers: bearer('viewer') })).statusCode).toBe(403);
    const bad = await app.inject({ url: '/api/v1/notices/failed?limit=0', headers: bearer('operator') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0]).toMatchObject({ path: 'querystring.limit', expected: 'a number >= 1' });

    leadBroken = false;
    const retry = await app.inject({ method: 'POST', url: `/api/v1/notices/${list.items[0].id}/retry`, headers: bearer('operator') });
    expect(retry.statusCode).toBe(202);
    await escalation.flush();
    const delivered = receiver.requests.filter((r) => r.path === '/lead' && r.status === 200);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.headers['idempotency-key']).toBe(list.items[0].id);
    expect((await app.inject({ url: '/api/v1/status', headers: bearer('viewer') })).json().outbox).toMatchObject({ pending: 0, failed: 0, sent: 2 });
    const again = await app.inject({ method: 'POST', url: `/api/v1/notices/${list.items[0].id}/retry`, headers: bearer('operator') });
    expect(again.statusCode).toBe(404);
  });

  it('refuses altered, expired and malformed acknowledge links with a page saying why, and changes nothing', async () => {
    const opened = receiver.requests.find((r) => r.path === '/eng')!.json as { links: { ack: string } };
    const token = opened.links.ack.split('/ack/')[1]!;
    const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const r1 = await app.inject({ url: `/ack/${altered}` });
    expect(r1.statusCode).toBe(403);
    expect(r1.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r1.body).toContain('此链接无法确认故障');
    expect(r1.body).toContain('链接已被修改');
    const expired = signAckToken(SECRET, { incidentId, by: 'wang', expiresAt: new Date(clock.ms() - 1000) });
    const r2 = await app.inject({ url: `/ack/${expired}?lang=en` });
    expect(r2.statusCode).toBe(410);
    expect(r2.body).toContain('The link has expired');
    const r3 = await app.inject({ url: '/ack/not-a-token' });
    expect(r3.statusCode).toBe(400);
    expect(engine.getIncident(incidentId)!.incident.state).toBe('open');
  });

  it('acknowledges through the link in the notice after a confirm page in the locale; the link then says it was used', async () => {
    await clock.advance(2 * MIN);
    const opened = receiver.requests.find((r) => r.path === '/eng')!.json as { links: { ack: string } };
    expect(opened.links.ack).toMatch(/^https:\/\/noc\.example\.com\/ack\/[\w-]+\.[\w-]+$/);
    const path = new URL(opened.links.ack).pathname;
    const page = await app.inject({ url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('确认此故障');
    expect(engine.getIncident(incidentId)!.incident.state).toBe('open');
    const r = await app.inject({ method: 'POST', url: path });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('已确认故障');
    expect(r.body).toContain('core-rt-01');
    const inc = engine.getIncident(incidentId)!.incident;
    expect(inc).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'wang' });
    const again = await app.inject({ url: `${path}?lang=en` });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already been used');
    // The SLA record graded the response: 12.5 minutes after opening misses the 10-minute target and falls in the <=15m band.
    const sla = (await app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: bearer('viewer') })).json().sla;
    expect(sla).toMatchObject({ acknowledgedBy: 'wang', respondedBy: 'acknowledged', responseMet: false, responseBand: '<=15m' });
    expect(sla.responseMs).toBe(12 * MIN + 30_000);
  });

  it('announces a ready report to the reports targets through the outbox, once, and not to PagerDuty', async () => {
    const report = { kind: 'weekly' as const, period: '2026-W47', title: '网络巡检周报 2026-W47', verdict: 'abnormal' as const, attentionCount: 2, files: [], link: 'https://noc.example.com/api/v1/reports/weekly/2026-W47.zh-CN.pdf' };
    expect(escalation.announceReport(report)).toBe(1);
    await escalation.flush();
    const got = await receiver.waitFor((rs) => rs.some((x) => x.path === '/team'));
    const notice = got.find((x) => x.path === '/team')!.json as { kind: string; links: { report: string }; text: { title: string; body: string } };
    expect(notice.kind).toBe('report');
    expect(notice.links.report).toBe(report.link);
    expect(notice.text.title).toBe('【报告】网络巡检周报 2026-W47');
    expect(notice.text.body).toContain('巡检结论：异常，2 台设备需关注');
    expect(notice.text.body).toContain(report.link);
    expect(escalation.announceReport(report)).toBe(0);
    expect(receiver.requests.filter((x) => x.path === '/pager')).toHaveLength(0);
  });
});
