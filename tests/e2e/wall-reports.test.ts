/**
 * The NOC wall in Debian's Chromium and the reports, against the running lab: the wall follows a real
 * link-down live, and a report generated through the API (and one by the report scheduler, announced
 * through the outbox) reads the InfluxDB the lab's pollers filled.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/lab/paths.js';
import { launchChromium, settled } from '../helpers/browser.js';
import { ICMP_INTERVAL_MS, startBench, type Bench, type FaultySite } from './lab-runtime.js';

const shots = join(repoRoot, 'test-output', 'e2e');

let bench: Bench;
let browser: Browser;
let site: FaultySite | undefined;
const figures: Record<string, string> = {};

/** Today as the lab's time zone (Asia/Shanghai) sees it. */
function labToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

describe('e2e: the wall in Chromium and the reports, on the running lab', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    bench = await startBench({ tag: 'wal', subnet: 60, sites: 1, timings: { leadAfter: '10m', managerAfter: '20m' } });
    site = bench.sites[0];
    browser = await launchChromium();
  });

  afterAll(async () => {
    console.log(`e2e wall/report figures: ${JSON.stringify(figures)}`);
    await browser?.close();
    await bench?.stop();
  });

  const openWall = async (query: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${bench.lab.apiUrl}/wall${query}`);
    return page;
  };

  it('shows every lab device as a tile, then turns the failing router red and lists its incident without a reload', async () => {
    const page = await openWall(`?token=${bench.lab.tokens.viewer}`);
    const inventory = bench.inventory();
    await page.waitForSelector(`.tile[data-device="${inventory[inventory.length - 1]}"]`, { timeout: 15_000 });
    await settled(() => page.$$eval('.tile', (els) => els.map((e) => e.getAttribute('data-device')!).sort())).toEqual(inventory);
    if (!site) {
      console.warn(`wall fault case skipped: ${bench.netnsSkip}`);
      return;
    }
    // The page opened while the lab's first polls ran: the router's first "up" must reach it, however close to the page load it came.
    await page.waitForSelector(`.tile[data-device="${site.router.name}"][data-state="up"]`, { timeout: 15_000 });
    await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
    const downAt = Date.now();
    site.host.linkDown();
    await page.waitForSelector(`.tile[data-device="${site.router.name}"][data-state="unreachable"]`, { timeout: 2 * ICMP_INTERVAL_MS + 5000 });
    figures.linkDownToRedTileS = ((Date.now() - downAt) / 1000).toFixed(1);
    const incident = await bench.waitFor('the router incident in the API', 3 * ICMP_INTERVAL_MS + 3000, async () => {
      const r = await bench.api('GET', `/api/v1/incidents?device=${site!.router.name}&state=open`, bench.lab.tokens.viewer);
      return (r.json.items as { id: string; title: string }[])[0];
    });
    await page.waitForSelector(`.incident[data-incident="${incident.id}"]`, { timeout: 10_000 });
    figures.linkDownToIncidentOnWallS = ((Date.now() - downAt) / 1000).toFixed(1);
    const router = site.router.name;
    await settled(() => page.$eval(`.tile[data-device="${router}"]`, (e) => getComputedStyle(e).backgroundColor)).toBe('rgb(161, 27, 27)');
    await settled(() => page.textContent(`.incident[data-incident="${incident.id}"] .sev`)).toBe('P1');
    // As the API said a moment ago; the engine may since have added a note ("…; 1 device suppressed after it").
    await settled(() => page.textContent(`.incident[data-incident="${incident.id}"] .title`)).toContain(incident.title);
    await settled(() => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await settled(() => page.isHidden('#banner')).toBe(true);
    await page.screenshot({ path: join(shots, 'wall-fault.png') });
    site.host.linkUp();
    await page.waitForSelector(`.tile[data-device="${site.router.name}"][data-state="up"]`, { timeout: 3 * ICMP_INTERVAL_MS + 5000 });
    await page.waitForSelector(`.incident[data-incident="${incident.id}"]`, { state: 'detached', timeout: 10_000 });
    await page.context().close();
  });

  it('shows the error banner, and no tiles, for a bad token', async () => {
    const page = await openWall('?token=not-a-lab-token&lang=zh-CN');
    await page.waitForSelector('#banner:not([hidden])', { timeout: 10_000 });
    await settled(() => page.getAttribute('#banner', 'data-kind')).toBe('auth');
    await settled(() => page.textContent('#banner')).toContain('API 令牌被拒绝');
    await settled(() => page.$$eval('.tile', (els) => els.length)).toBe(0);
    await page.screenshot({ path: join(shots, 'wall-bad-token.png') });
    await page.context().close();
  });

  it('generates a weekly report for today through the API from what the pollers wrote, and serves it back as HTML', async () => {
    await bench.runtime.storage!.flush();
    const today = labToday();
    const r = await bench.api('POST', '/api/v1/reports', bench.lab.tokens.operator, { kind: 'weekly', from: today, to: today, lang: 'en', format: 'html' });
    expect(r.status).toBe(201);
    expect(r.json.devicesInspected).toBe(bench.inventory().length);
    expect(r.json.verdict).not.toBe('no-data');
    const got = await bench.api('GET', r.json.report.url, bench.lab.tokens.viewer);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const f of bench.lab.fixtures) expect(got.text).toContain(f.community);
    expect(got.text).toContain('wan-probe-1');
    const listed = await bench.api('GET', '/api/v1/reports', bench.lab.tokens.viewer);
    expect(listed.json.items).toEqual(expect.arrayContaining([expect.objectContaining({ url: r.json.report.url })]));
  });

  it('announces a scheduled report through the outbox to the reports channel, with a link that downloads it', async () => {
    const a = await bench.runtime.reports!.run('weekly');
    const notice = await bench.waitFor('the report notice', 15_000, () => bench.notices.find((n) => n.kind === 'report'));
    expect(notice.path).toBe('/team');
    const link = notice.body.links.report!;
    expect(link).toBe(`${bench.lab.apiUrl}/api/v1${a.link}`);
    expect(notice.body.text.title).toContain(a.title);
    const pdf = await fetch(`${link}?access_token=${bench.lab.tokens.viewer}`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
