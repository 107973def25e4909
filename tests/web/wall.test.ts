import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { repoRoot } from '../../src/lab/paths.js';
import { apiSettings, MemoryNoc, TOKENS } from '../api/memory-noc.js';
import { launchChromium, settled } from '../helpers/browser.js';

const shots = join(repoRoot, 'test-output', 'wall');
const DOWN_RED = 'rgb(211, 47, 47)';

describe('NOC wall in Chromium', () => {
  const noc = new MemoryNoc(() => new Date());
  let server: ApiServer;
  let browser: Browser;
  const pages: Page[] = [];

  /** A fresh browser context per page, so a token remembered by one page does not leak into another. */
  const openWall = async (query: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    pages.push(page);
    await page.goto(`${server.url}/wall${query}`);
    return page;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    server = await startApiServer({
      settings: apiSettings({ host: '127.0.0.1', port: 0, wall: { heartbeat: 250, staleAfter: 60_000 } }),
      services: noc.services(), log: pino({ level: 'silent' }),
    });
    browser = await launchChromium();
    // A poll cycle just ended. staleAfter is a minute: a loaded CI machine must not turn the first tests' banner
    // on; the stale cases below stop the poller or the server instead.
    noc.readiness = { ...noc.readiness, lastCycleAt: new Date() };
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows every device as a tile grouped by site, with counters, on-call and WAN sparklines', async () => {
    const page = await openWall(`?token=${TOKENS.viewer}`);
    await page.waitForSelector('.tile[data-device="branch-ups-01"]', { timeout: 10_000 });
    await settled(() => page.$$eval('.tile', (els) => els.map((e) => `${e.closest('.site')!.getAttribute('data-site')}/${e.getAttribute('data-device')}:${e.getAttribute('data-state')}`)))
      .toEqual(['hq/core-sw-01:up', 'hq/edge-rt-01:up', 'hq/fw-01:up', 'shanghai/branch-rt-01:up', 'shanghai/branch-ups-01:up']);
    await settled(() => page.textContent('#c-up')).toBe('5/5');
    await settled(() => page.textContent('#c-p1')).toBe('0');
    await settled(() => page.textContent('#oncall')).toContain('Wang Lei');
    await settled(() => page.$$eval('.link', (els) => els.map((e) => e.getAttribute('data-link')))).toEqual(['branch-rt-01', 'edge-rt-01']);
    await settled(() => page.$$eval('.link polyline.rtt', (els) => els.map((e) => (e.getAttribute('points') ?? '').split(' ').length))).toEqual([60, 60]);
    // The Smokeping band: min–max shaded behind the median, one edge point per bucket and side.
    await settled(() => page.$$eval('.link polygon.rtt-band', (els) => els.map((e) => (e.getAttribute('points') ?? '').split(' ').length))).toEqual([120, 120]);
    // Read as text, so a failure says which banner showed.
    await settled(() => page.textContent('#banner')).toBe('');
    await settled(() => page.isHidden('#banner')).toBe(true);
    // The token is taken out of the address bar once read.
    await settled(() => page.url()).toBe(`${server.url}/wall`);
  });

  it('turns a failing device red and shows its incident live, without reloading', async () => {
    const page = pages[0]!;
    await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
    // What the scheduler's registry and the alert engine do when a WAN router stops answering.
    noc.setDeviceState('branch-rt-01', 'down');
    noc.openIncident({ id: 'inc-42', device: 'branch-rt-01', severity: 'P1', title: 'branch-rt-01 is down (100% loss)' });
    await page.waitForSelector('.tile[data-device="branch-rt-01"][data-state="down"]', { timeout: 5000 });
    await page.waitForSelector('.incident[data-incident="inc-42"]', { timeout: 5000 });
    // The tile is redrawn from the same events that set its state: its colour settles a frame later.
    await settled(() => page.$eval('.tile[data-device="branch-rt-01"]', (e) => getComputedStyle(e).backgroundColor)).toBe(DOWN_RED);
    await settled(() => page.textContent('.incident[data-incident="inc-42"] .sev')).toBe('P1');
    await settled(() => page.textContent('.incident[data-incident="inc-42"] .title')).toBe('branch-rt-01 is down (100% loss)');
    await settled(() => page.textContent('.incident[data-incident="inc-42"] .ack')).toBe('not acknowledged');
    await settled(() => page.textContent('.incident[data-incident="inc-42"] .age')).toMatch(/^0m 0\ds$/);
    await settled(() => page.textContent('#c-up')).toBe('4/5');
    // The WAN figures follow the device: no latency while it does not answer, and all probes lost.
    await settled(() => page.textContent('.link[data-link="branch-rt-01"] .now')).toBe('rtt –loss 100%');
    await settled(() => page.textContent('#c-p1')).toBe('1');
    await settled(() => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await page.screenshot({ path: join(shots, 'wall-device-down.png') });

    // An operator acknowledges through the API; the wall says who.
    const ack = await fetch(`${server.url}/api/v1/incidents/inc-42/acknowledge`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.operator}` } });
    expect(ack.status).toBe(200);
    await page.waitForSelector('.incident[data-incident="inc-42"][data-state="acknowledged"]', { timeout: 5000 });
    await settled(() => page.textContent('.incident[data-incident="inc-42"] .ack')).toBe('acknowledged by alice');

    // Recovery: the tile turns green again and the resolved incident leaves the wall.
    noc.setDeviceState('branch-rt-01', 'up');
    await noc.services().incidents.resolve('inc-42', 'alert-engine');
    await page.waitForSelector('.tile[data-device="branch-rt-01"][data-state="up"]', { timeout: 5000 });
    await page.waitForSelector('.incident[data-incident="inc-42"]', { state: 'detached', timeout: 5000 });
    await settled(() => page.textContent('#c-p1')).toBe('0');
  });

  it('speaks zh-CN when asked', async () => {
    const page = await openWall(`?token=${TOKENS.viewer}&lang=zh-CN`);
    await page.waitForSelector('.tile[data-device="fw-01"]', { timeout: 10_000 });
    await settled(() => page.textContent('[data-i18n="incidents"]')).toBe('未关闭事件');
    await settled(() => page.textContent('[data-i18n="devicesUp"]')).toBe('设备在线');
    await settled(() => page.textContent('.tile[data-device="fw-01"] .meta')).toMatch(/^在线/);
    await page.screenshot({ path: join(shots, 'wall-zh-CN.png') });
    await page.context().close();
  });

  it('says so when the token is wrong or missing', async () => {
    const bad = await openWall('?token=not-a-real-token');
    await bad.waitForSelector('#banner:not([hidden])', { timeout: 10_000 });
    await settled(() => bad.textContent('#banner')).toContain('The API token was rejected');
    await settled(() => bad.getAttribute('#banner', 'data-kind')).toBe('auth');
    await settled(() => bad.$$eval('.tile', (els) => els.length)).toBe(0);
    await bad.screenshot({ path: join(shots, 'wall-bad-token.png') });
    await bad.context().close();
    const none = await openWall('');
    await none.waitForSelector('#banner:not([hidden])', { timeout: 10_000 });
    await settled(() => none.textContent('#banner')).toContain('needs an API token');
    await none.context().close();
  });

  it('shows "data stale" while the poller is stopped, and clears it when polling resumes', async () => {
    const page = pages[0]!;
    noc.readiness = { ...noc.readiness, schedulerRunning: false };
    await page.waitForSelector('#banner:not([hidden])', { timeout: 5000 });
    await settled(() => page.textContent('#banner')).toContain('DATA STALE — the poller has stopped');
    await page.screenshot({ path: join(shots, 'wall-poller-stopped.png') });
    noc.readiness = { ...noc.readiness, schedulerRunning: true, lastCycleAt: new Date() };
    await page.waitForSelector('#banner', { state: 'hidden', timeout: 5000 });
  });

  it('shows "data stale" when the live stream stops', async () => {
    const page = pages[0]!;
    await server.close();
    await page.waitForSelector('#banner:not([hidden])', { timeout: 10_000 });
    await settled(() => page.textContent('#banner')).toContain('DATA STALE');
    await settled(() => page.getAttribute('#banner', 'data-kind')).toBe('stale');
    // The tiles stay, so the room still sees the last known picture under the banner.
    await settled(() => page.$$eval('.tile', (els) => els.length)).toBe(5);
    await page.screenshot({ path: join(shots, 'wall-stream-lost.png') });
  });
});
