import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { apiSettings, MemoryNoc, TOKENS } from '../api/memory-noc.js';
import { launchChromium, settled } from '../helpers/browser.js';

describe('console shell and bundle', () => {
  const noc = new MemoryNoc(() => new Date());
  let server: ApiServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startApiServer({ settings: apiSettings({ host: '127.0.0.1', port: 0 }), services: noc.services(), log: pino({ level: 'silent' }) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the shell uncached and the bundle under its hash, immutable, with a 304 for a known ETag', async () => {
    const shell = await fetch(`${server.url}/console/`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('cache-control')).toBe('no-cache');
    const html = await shell.text();
    const js = /src="(\/console\/assets\/app\.[0-9a-f]{16}\.js)"/.exec(html)?.[1];
    const css = /href="(\/console\/assets\/app\.[0-9a-f]{16}\.css)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    expect(css).toBeDefined();
    const first = await fetch(`${server.url}${js}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/javascript');
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect((await first.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${server.url}${js}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${server.url}${css}`)).headers.get('content-type')).toContain('text/css');
    const stale = await fetch(`${server.url}/console/assets/app.0000000000000000.js`);
    expect(stale.status).toBe(404);
    expect(await stale.text()).toContain('reload the page');
    expect((await fetch(`${server.url}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
  });

  it('renders the typed app for a bearer-token caller, in en and zh-CN', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKENS.operator}` } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/console/?lang=en`);
    await settled(() => page.textContent('.who')).toBe('alice · operator');
    await page.click('button.lang');
    await settled(() => page.textContent('.who')).toBe('alice · 值班员');
    await settled(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the login page to a caller without credentials', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/?lang=en`);
    await settled(() => page.isVisible('form.login input[name=username]')).toBe(true);
    await settled(() => page.isVisible('a.sso')).toBe(false);
    await context.close();
  });
});
