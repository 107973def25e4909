import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationService, type EscalationService } from '../../src/alerting/escalation/index.js';
import type { Notice } from '../../src/alerting/escalation/notice.js';
import { renderNotice } from '../../src/alerting/escalation/templates.js';
import { alertmanagerBody } from '../../src/alerting/notifiers/alertmanager.js';
import { chatMarkdown, plainText, slackMrkdwn } from '../../src/alerting/notifiers/markup.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import { RunbookLibrary } from '../../src/service/knowledge/runbooks.js';
import { event, incident, notifyConfig, threeTierYaml } from '../alerting/escalation/notify-fixture.js';
import { TOKENS } from '../api/memory-noc.js';
import { consoleApp, login, type ConsoleApp } from '../auth/console-app.js';
import { tempDir } from '../helpers/tmp.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

// Notices of a rule with a runbook link its page; the page opens in a browser with the console session (or a
// viewer token in the query), laid out as HTML with everything the file says made inert.
const PUBLIC = 'https://noc.example.com';
const tmp = tempDir('noctua-runbook-links-');
const dir = join(tmp.dir, 'runbooks');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'device-down.md'), [
  '# Device down', '', 'The device answers no ping.', '',
  '1. Check the **parent** with `display interface brief`.', '2. Call the carrier: [portal](https://carrier.example.com/t?a=1&b=2).',
  '', '<script>alert(1)</script> and [click](javascript:alert(1)) and <img src=x onerror=alert(1)>', '',
  '```', 'ping -c 3 10.0.0.1 <x>', '```', '',
].join('\n'));
writeFileSync(join(dir, 'device-down.zh-CN.md'), '# 设备宕机\n\n- 先检查上联设备。\n- 联系运营商。\n');
const library = new RunbookLibrary(dir);

describe('runbook links in incident notices', () => {
  let receiver: WebhookReceiver;
  let db: Db;
  let svc: EscalationService;
  const clock = new FakeClock(Date.parse('2026-11-16T02:00:00Z'));

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    db = openStateDb(tmp.dir, 'state.db');
    svc = createEscalationService({
      db, config: notifyConfig(tmp.dir, threeTierYaml(receiver.url)), clock, log: pino({ level: 'silent' }), locale: 'zh-CN', timezone: 'Asia/Shanghai',
      publicUrl: `${PUBLIC}/`, random: () => 0.5, hasRunbook: (rule, lang) => library.has(rule, lang),
    });
    await svc.start();
  });
  afterAll(async () => { await svc?.stop(); db?.close(); await receiver?.close(); });

  it('links the rule\'s runbook page from the opened notice, and none for a rule without a runbook', async () => {
    const withBook = incident('inc-rb', 'P2', clock.now());
    const without = incident('inc-none', 'P2', clock.now(), { key: 'device:other', device: 'edge-01' });
    without.alerts = without.alerts.map((a) => ({ ...a, rule: 'cpu-high', device: 'edge-01' }));
    await svc.onIncidentEvent(event('opened', withBook, clock.now()));
    await svc.onIncidentEvent(event('opened', without, clock.now()));
    await svc.flush();
    await receiver.waitFor((rs) => new Set(rs.map((r) => (r.json as { incident: { id: string } }).incident.id)).size >= 2, 10_000);
    const byIncident = new Map(receiver.requests.map((r) => { const j = r.json as { incident: { id: string }; links: Notice['links']; text: { body: string } }; return [j.incident.id, j]; }));
    const link = `${PUBLIC}/api/v1/runbooks/device-down/page?lang=zh-CN`;
    expect(byIncident.get('inc-rb')!.links.runbook).toBe(link);
    // The generic webhook's text is plain: the link's words, then the URL.
    expect(byIncident.get('inc-rb')!.text.body).toContain(`处置手册: ${link}`);
    expect(byIncident.get('inc-none')!.links.runbook).toBeUndefined();
    expect(JSON.stringify(byIncident.get('inc-none'))).not.toContain('/runbooks/');
  });

  it('writes the link in each channel\'s own markup, and Alertmanager receivers get runbook_url', () => {
    const notice: Notice = {
      id: 'n1', kind: 'opened', channel: 'c', locale: 'en', timezone: 'Asia/Shanghai', createdAt: '2026-11-16T02:00:00.000Z',
      incident: { id: 'inc-rb', key: 'device:core-sw-01', title: 'core-sw-01 unreachable', severity: 'P2', state: 'open', device: 'core-sw-01', site: 'hq', openedAt: '2026-11-16T02:00:00.000Z', alerts: [] },
      recipients: [], links: { runbook: `${PUBLIC}/api/v1/runbooks/device-down/page?lang=en` },
    };
    const url = notice.links.runbook!;
    expect(renderNotice(notice, plainText).body).toContain(`Runbook: ${url}`);
    expect(renderNotice(notice, chatMarkdown).body).toContain(`[Runbook](${url})`);
    expect(renderNotice(notice, slackMrkdwn).body).toContain(`<${url}|Runbook>`);
    expect(renderNotice({ ...notice, kind: 'acknowledged', locale: 'zh-CN' }, chatMarkdown).body).toContain(`[处置手册](${url})`);
    // A recovered incident needs no runbook any more.
    expect(renderNotice({ ...notice, kind: 'resolved' }, chatMarkdown).body).not.toContain('Runbook');
    const am = alertmanagerBody({ ...notice, incident: { ...notice.incident, alerts: [{ fingerprint: 'f', rule: 'device-down', severity: 'P2', device: 'core-sw-01', instance: '', state: 'firing', summary: 's', labels: {}, startsAt: notice.createdAt }] } }, 'r', PUBLIC);
    expect(am.alerts[0]!.annotations).toMatchObject({ runbook_url: url });
  });

  it('knows only names that can be runbook files', () => {
    expect(library.has('device-down', 'en')).toBe(true);
    expect(library.has('device-down', 'zh-CN')).toBe(true);
    expect(library.has('cpu-high', 'en')).toBe(false);
    expect(library.has('../runbooks/device-down', 'en')).toBe(false);
  });
});

describe('the runbook page a notice links to', () => {
  let c: ConsoleApp;
  beforeAll(async () => {
    c = await consoleApp({}, {}, (s) => {
      s.knowledge = {
        entries: { search: () => ({ items: [], total: 0 }), add: () => { throw new Error('not in this test'); }, get: () => undefined, similar: () => [] } as never,
        runbook: (n, l) => library.get(n, l), runbookNames: () => library.names(), deviceFacts: () => ({}),
      };
    });
  });
  afterAll(async () => { await c?.app.close(); c?.db.close(); tmp.cleanup(); });

  it('opens as a readable page for a person logged in to the console, in the language asked for', async () => {
    const vera = await login(c.app, 'vera');
    expect(vera.status).toBe(200);
    const r = await c.app.inject({ url: '/api/v1/runbooks/device-down/page?lang=en', headers: { cookie: vera.cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.body).toContain('<title>Runbook: device-down</title>');
    expect(r.body).toContain('<h1>Device down</h1>');
    expect(r.body).toContain('<li>Check the <strong>parent</strong> with <code>display interface brief</code>.</li>');
    expect(r.body).toContain('<a href="https://carrier.example.com/t?a=1&amp;b=2" rel="noopener noreferrer">portal</a>');
    expect(r.body).toContain('<pre><code>ping -c 3 10.0.0.1 &lt;x&gt;</code></pre>');
    const zh = await c.app.inject({ url: '/api/v1/runbooks/device-down/page?lang=zh-CN', headers: { cookie: vera.cookie } });
    expect(zh.body).toContain('<h1>设备宕机</h1>');
    expect(zh.body).toContain('<ul>\n<li>先检查上联设备。</li>');
    expect(zh.body).toContain('处置手册：device-down');
  });

  it('makes anything the file says inert: no script, no handler, no javascript: link', async () => {
    const r = await c.app.inject({ url: `/api/v1/runbooks/device-down/page?lang=en&access_token=${TOKENS.viewer}` });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.body).not.toMatch(/<script|<img|href="javascript/i);
    expect(r.body).toContain('[click](javascript:alert(1))');
  });

  it('refuses without a session or token, and answers 404 for names that are no runbook', async () => {
    const anon = await c.app.inject({ url: '/api/v1/runbooks/device-down/page' });
    expect(anon.statusCode).toBe(401);
    expect((await c.app.inject({ url: `/api/v1/runbooks/..%2F..%2Fetc%2Fpasswd/page?access_token=${TOKENS.viewer}` })).statusCode).toBe(404);
    expect((await c.app.inject({ url: `/api/v1/runbooks/cpu-high/page?access_token=${TOKENS.viewer}` })).statusCode).toBe(404);
    expect((await c.app.inject({ url: `/api/v1/runbooks/device-down/page?lang=fr&access_token=${TOKENS.viewer}` })).statusCode).toBe(400);
  });
});
