import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chromium } from 'playwright-core';
import { buildApp } from '../../src/api/app.js';
import { startApiServer } from '../../src/api/server.js';
import type { runtimeServices } from '../../src/api/runtime-services.js';
import { signAckToken } from '../../src/alerting/escalation/index.js';
import type { AlertEngine } from '../../src/alerting/engine.js';
import { FakeClock } from '../../src/core/clock.js';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { icmpDevice, startPagingBench, type PagingBench } from './paging-bench.js';
import { apiSettings, bearer } from './memory-noc.js';

// A summary with markup: the confirm page must show it as text.
const RULES = `
rules:
  - name: device-down
    severity: P1
    consecutive: 2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: "<img src=x onerror=alert(1)> {{device}} down"
`;

const SECRET = 'ack-test-secret-0123456789';
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

/** The longest channel and person names config/notify.example.yaml uses. */
function longestExampleNames(): { channel: string; person: string } {
  const file = parse(readFileSync(join(repoRoot, 'config', 'notify.example.yaml'), 'utf8')) as { channels: object; people: object };
  const longest = (names: string[]) => names.reduce((a, b) => (b.length > a.length ? b : a));
  return { channel: longest(Object.keys(file.channels)), person: longest(Object.keys(file.people)) };
}

const EXAMPLE = longestExampleNames();
// The notify schema puts no bound on names (letters, digits, ".", "_", "-"): a name far longer than anyone types.
const HUGE = 'n'.repeat(1000);
/** Every recipient a link is sent to, as the token names it. */
const RECIPIENTS = ['channel:feishu', `channel:${EXAMPLE.channel}`, `channel:${HUGE}`, EXAMPLE.person];

function notifyYaml(base: string): string {
  return `ackLinks: { secret: ${SECRET}, ttl: 1h }
channels:
  feishu: { type: webhook, url: "${base}/feishu" }
  ${EXAMPLE.channel}: { type: webhook, url: "${base}/example" }
  ${HUGE}: { type: webhook, url: "${base}/huge" }
  personal: { type: webhook, url: "${base}/personal" }
people:
  ${EXAMPLE.person}: { displayName: Example Person, channels: [personal] }
tiers:
  everyone: { notify: [{ channel: feishu }, { channel: ${EXAMPLE.channel} }, { channel: ${HUGE} }, { person: ${EXAMPLE.person} }] }
  engineer: { notify: [{ channel: feishu }] }
  lead: { notify: [{ channel: feishu }] }
  manager: { notify: [{ channel: feishu }] }
policies:
  P1: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: everyone }] }
`;
}

describe('acknowledge links: a confirm page, then one acknowledgement per token', () => {
  const tmp = tempDir('noctua-api-ack-');
  const clock = new FakeClock(T0);
  const device = icmpDevice('core-rt-01');
  let bench: PagingBench;
  let engine: AlertEngine;
  let services: ReturnType<typeof runtimeServices>;
  let app: ReturnType<typeof buildApp>;
  let incidentId: string;
  /** Path of the ack link in the notice to each recipient. */
  const links = new Map<string, string>();

  const build = () => {
    services = bench.services();
    app = buildApp({ settings: apiSettings({ publicUrl: 'https://noc.example.com' }), services, log: pino({ level: 'silent' }), now: () => clock.now(), locale: 'en' });
  };
  /** The incident's state as the engine and the API report it. */
  const stateNow = async () => {
    const api = (await app.inject({ url: `/api/v1/incidents/${incidentId}`, headers: bearer('viewer') })).json().incident.state as string;
    expect(engine.getIncident(incidentId)!.incident.state).toBe(api);
    return api;
  };

  beforeAll(async () => {
    bench = await startPagingBench({ dir: tmp.dir, clock, device, rules: RULES, notify: notifyYaml, locale: 'en', publicUrl: 'https://noc.example.com' });
    ({ engine } = bench);
    build();
    const paths = ['/feishu', '/example', '/huge', '/personal'];
    incidentId = await bench.openIncident(paths);
    paths.forEach((p, i) => {
      const ack = (bench.receiver.requests.find((x) => x.path === p)!.json as { links: { ack: string } }).links.ack;
      links.set(RECIPIENTS[i]!, new URL(ack).pathname);
    });
    await clock.advance(5 * 60_000);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await bench?.close();
    tmp.cleanup();
  });

  it('opens every link, including for the longest recipient names, as a confirm page that changes nothing', async () => {
    expect(links.size).toBe(4);
    for (const [recipient, path] of links) {
      const r = await app.inject({ url: path });
      expect(r.statusCode, `link for ${recipient.slice(0, 40)} (${path.length} characters)`).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toContain('Acknowledge this incident?');
      expect(r.body).toContain('<form method="post"><button type="submit">Acknowledge</button></form>');
      expect(r.body).toContain(incidentId);
      expect(r.body).toContain('5 min');
    }
    // The link to feishu would have passed fastify's default limit of 100 characters with the old tokens.
    expect(links.get('channel:feishu')!.length).toBeLessThan(100);
    expect(await stateNow()).toBe('open');
  });

  it('escapes the summary, and speaks Chinese to a Chinese browser unless ?lang says otherwise', async () => {
    const path = links.get('channel:feishu')!;
    const r = await app.inject({ url: path, headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } });
    expect(r.body).toContain('确认此故障？');
    expect(r.body).toContain('&lt;img src=x onerror=alert(1)&gt; core-rt-01 down');
    expect(r.body).not.toContain('<img');
    const en = await app.inject({ url: `${path}?lang=en`, headers: { 'accept-language': 'zh-CN' } });
    expect(en.body).toContain('Acknowledge this incident?');
  });

  it('changes nothing on HEAD, as a link preview or mail scanner would send', async () => {
    for (const path of links.values()) {
      const r = await app.inject({ method: 'HEAD', url: path });
      expect(r.statusCode).toBe(200);
      expect(r.body).toBe('');
    }
    expect(await stateNow()).toBe('open');
  });

  it('refuses a POST from another site', async () => {
    const path = links.get('channel:feishu')!;
    const origin = await app.inject({ method: 'POST', url: path, headers: { origin: 'https://evil.example' } });
    expect(origin.statusCode).toBe(403);
    expect(origin.body).toContain('not sent from this page');
    const site = await app.inject({ method: 'POST', url: path, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(site.statusCode).toBe(403);
    expect(await stateNow()).toBe('open');
  });

  it('acknowledges on the POST from the page, once: a second POST and a later GET say the link was used', async () => {
    const path = links.get(`channel:${HUGE}`)!;
    const form = { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://noc.example.com', 'sec-fetch-site': 'same-origin' };
    const r = await app.inject({ method: 'POST', url: path, headers: form, payload: '' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Incident acknowledged');
    expect(await stateNow()).toBe('acknowledged');
    expect(engine.getIncident(incidentId)!.incident.acknowledgedBy).toBe(`channel:${HUGE}`);
    const again = await app.inject({ method: 'POST', url: path, headers: form, payload: '' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already been used');
    expect((await app.inject({ url: path })).statusCode).toBe(409);
    // Another recipient's unused link says it was taken, and stays usable.
    const other = await app.inject({ url: links.get('channel:feishu')! });
    expect(other.statusCode).toBe(200);
    expect(other.body).toContain('Already acknowledged');
  });

  it('refuses the used token after an operator un-acknowledges, also after a restart', async () => {
    const un = await app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/unacknowledge`, headers: bearer('operator') });
    expect(un.statusCode).toBe(200);
    expect(await stateNow()).toBe('open');
    // A new API over the same state database, as after a restart.
    await app.close();
    services.close();
    build();
    const used = await app.inject({ method: 'POST', url: links.get(`channel:${HUGE}`)! });
    expect(used.statusCode).toBe(409);
    expect(used.body).toContain('already been used');
    expect(await stateNow()).toBe('open');
    // A recipient who never used their link still can.
    const fresh = await app.inject({ method: 'POST', url: links.get(EXAMPLE.person)! });
    expect(fresh.statusCode).toBe(200);
    expect(engine.getIncident(incidentId)!.incident.acknowledgedBy).toBe(EXAMPLE.person);
  });

  it('refuses expired, tampered and malformed tokens with a page that says why', async () => {
    await app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/unacknowledge`, headers: bearer('operator') });
    const expired = signAckToken(SECRET, { incidentId, by: 'channel:feishu', expiresAt: new Date(clock.ms() - 1000) });
    const feishu = links.get('channel:feishu')!.slice('/ack/'.length);
    const [payload, mac] = feishu.split('.') as [string, string];
    const tampered = `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const forged = `${Buffer.from(`zzzzzz\n${incidentId}\nmallory`).toString('base64url')}.${mac}`;
    const cases: [string, number, string][] = [
      [expired, 410, 'The link has expired'],
      [tampered, 403, 'altered or signed by another Noctua'],
      [forged, 403, 'altered or signed by another Noctua'],
      ['not-a-token', 400, 'This is not an acknowledge link'],
    ];
    for (const [token, status, text] of cases) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await app.inject({ method, url: `/ack/${token}` });
        expect(r.statusCode, `${method} ${token.slice(0, 20)}`).toBe(status);
        expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(r.body).toContain(text);
      }
    }
    expect(await stateNow()).toBe('open');
  });

  it('acknowledges when a person presses the button in a real browser (same-origin POST from the page)', async () => {
    expect(await stateNow()).toBe('open');
    const server = await startApiServer({ settings: apiSettings({ host: '127.0.0.1', port: 0 }), services, log: pino({ level: 'silent' }), now: () => clock.now() });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}${links.get('channel:feishu')!}?lang=zh-CN`);
      expect(await page.textContent('h1')).toBe('确认此故障？');
      expect(await stateNow()).toBe('open');
      await page.click('button');
      await expect.poll(() => page.textContent('h1'), { timeout: 5000 }).toBe('已确认故障');
      expect(await stateNow()).toBe('acknowledged');
      expect(engine.getIncident(incidentId)!.incident.acknowledgedBy).toBe('channel:feishu');
    } finally {
      await browser.close();
      await server.close();
    }
  }, 30_000);
});
