/**
 * The notices page's retry in Debian's Chromium, over the real alert engine, escalation and outbox: a P1 opens,
 * the engineer's robot (a real local HTTP receiver) refuses the notice with a 400 as a misconfigured robot does,
 * the page lists it as failed with the receiver's answer; a Retry while the robot still refuses fails again (two
 * attempts, the same answer); once the receiver accepts, Retry delivers it and the page follows the outbox.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { FakeClock } from '../../src/core/clock.js';
import { repoRoot } from '../../src/lab/paths.js';
import { apiSettings, TOKENS } from '../api/memory-noc.js';
import { icmpDevice, startPagingBench, type PagingBench } from '../api/paging-bench.js';
import { launchChromium, settled } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';

const RULES = `
rules:
  - name: device-down
    severity: P1
    consecutive: 2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: "{{device}} down"
`;
const ROBOT_ANSWER = { errcode: 310000, errmsg: 'keywords not in content <b>x</b>' };
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

function notifyYaml(base: string): string {
  return `ackLinks: { secret: console-notices-ack-secret, ttl: 1h }
channels:
  eng: { type: webhook, url: "${base}/eng" }
people:
  wang: { displayName: Wang Lei, channels: [eng] }
tiers:
  engineer: { notify: [{ person: wang }] }
  lead: { notify: [{ person: wang }] }
  manager: { notify: [{ person: wang }] }
policies:
  P1: { respond: 10m, resolve: 1h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }] }
outbox: { initialBackoff: 1s, maxBackoff: 2s, giveUpAfter: 1h }
`;
}

const tmp = tempDir('noctua-console-notices-');
const shots = join(repoRoot, 'docs', 'console');
const clock = new FakeClock(T0);
/** The robot refuses every notice until its keyword setting is "fixed". */
let robotBroken = true;
let bench: PagingBench;
let server: ApiServer;
let browser: Browser;
let incidentId = '';
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function operatorPage(): Promise<Page> {
  const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKENS.operator}` }, viewport: { width: 1366, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}/console/?lang=en#/notices`);
  return page;
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  bench = await startPagingBench({
    dir: tmp.dir, clock, device: icmpDevice('core-rt-01'), rules: RULES, notify: notifyYaml, locale: 'en', publicUrl: 'https://noc.example.com',
    reply: (req) => (req.path === '/eng' && robotBroken ? { status: 400, body: ROBOT_ANSWER } : { status: 200, body: { ok: true } }),
  });
  server = await startApiServer({ settings: apiSettings({ host: '127.0.0.1', port: 0 }), services: bench.services(), log: pino({ level: 'silent' }), now: () => clock.now() });
  // The router stops answering ping for two cycles: the P1 opens and the engineer's robot refuses the notice.
  incidentId = await bench.openIncident(['/eng']);
  await bench.escalation.flush();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  await bench?.close();
  tmp.cleanup();
});

describe('console notices page', () => {
  it('lists the refused notice with the receiver\'s answer; Retry fails again while the robot refuses and delivers once it accepts', async () => {
    const page = await operatorPage();
    const row = 'table.failed-notices tr[data-notice]';
    await page.waitForSelector(row);
    const id = (await page.getAttribute(row, 'data-notice'))!;
    expect(await page.$$eval(row, (rs) => rs.length)).toBe(1);
    expect(await page.textContent(`${row} td:nth-child(2)`)).toBe('eng');
    expect(await page.textContent(`${row} td:nth-child(4)`)).toBe(incidentId);
    // The robot's answer as text: its markup is not rendered.
    await settled(() => page.textContent(`${row} td.answer b`)).toBe('HTTP 400 ');
    expect(await page.textContent(`${row} td.answer pre`)).toBe(JSON.stringify(ROBOT_ANSWER));
    expect(await page.$$(`${row} td.answer pre b`)).toHaveLength(0);
    await settled(() => page.textContent('.outbox .failed')).toBe('1 failed');
    await shot(page, 'notices-failed');

    expect(await page.textContent(`${row} td:nth-child(5)`)).toBe('1');

    // Still refused: the notice is back in the failed list after a second attempt, with the robot's answer.
    await page.click(`${row} button.action-retry`);
    await settled(() => page.textContent(`${row} td:nth-child(5)`), 10_000).toBe('2');
    expect(await page.textContent(`${row} td.answer pre`)).toBe(JSON.stringify(ROBOT_ANSWER));
    expect(await page.getAttribute(row, 'data-notice')).toBe(id);

    robotBroken = false;
    await page.click(`${row} button.action-retry`);
    await settled(() => page.textContent('p.ok[role=status]')).toBe(`Notice ${id} is queued again.`);
    await settled(() => page.textContent('p.empty'), 10_000).toBe('No failed notices.');
    await settled(() => page.textContent('.outbox .sent')).toBe('1 sent');
    expect(await page.textContent('.outbox .failed')).toBe('0 failed');
    const delivered = bench.receiver.requests.filter((r) => r.path === '/eng' && r.status === 200);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.headers['idempotency-key']).toBe(id);
    expect((delivered[0]!.json as { incident: { id: string } }).incident.id).toBe(incidentId);

    await page.reload();
    await settled(() => page.textContent('p.empty')).toBe('No failed notices.');
    expect(pageErrors).toEqual([]);
  });
});

function shot(page: Page, name: string) {
  return page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
