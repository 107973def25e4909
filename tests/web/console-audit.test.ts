/**
 * The audit and users pages in Debian's Chromium, over the real API with console logins (tests/auth/console-app.ts:
 * a state database, local users of each role): an admin signs in through the form, filters the trail by user,
 * action and time, pages through it, and sees who/when/address/path/before-after; user and device strings stay
 * text. On the users page the admin adds a user, changes the role, disables it (that user can no longer sign in)
 * and the trail shows each change. The login page offers single sign-on exactly when the server says OIDC is configured.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/lab/paths.js';
import { freeTcpPort } from '../../src/lab/ports.js';
import { consoleApp, PASSWORD, type ConsoleApp } from '../auth/console-app.js';
import { T0 } from '../api/memory-noc.js';
import { launchChromium, settled } from '../helpers/browser.js';
import { startOidcProvider, type OidcProviderInstance } from '../helpers/oidc-provider.js';

const shots = join(repoRoot, 'docs', 'console');
const HOSTILE = '<img src=x onerror="window.__owned=1">';
const NEW_USER = 'nina<b onmouseover="window.__owned=2">x</b>';
const HOUR = 3_600_000;

let c: ConsoleApp;
let url = '';
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

/** A fresh browser (UTC, so typed times are UTC) signed in through the login form. */
async function signedIn(user: string, hash: string, password = PASSWORD): Promise<Page> {
  const context = await browser.newContext({ timezoneId: 'UTC', viewport: { width: 1500, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${user} ${hash}: ${e.message}`));
  await page.goto(`${url}/console/?lang=en#${hash}`);
  await page.fill('form.login input[name=username]', user);
  await page.fill('form.login input[name=password]', password);
  await page.click('form.login button[type=submit]');
  await settled(() => page.textContent('.who'), 10_000).toMatch(new RegExp(`^${user} · `));
  return page;
}

/** A login as the API sees it from a client, for rows the trail must show. */
async function postLogin(username: string, password: string): Promise<number> {
  return (await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).status;
}

const actions = (page: Page) => page.$$eval('tr.audit-row', (rs) => rs.map((r) => r.getAttribute('data-action')));

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  c = await consoleApp();
  url = await c.app.listen({ host: '127.0.0.1', port: 0 });
  // An hour of history before the test signs in: failed logins (one with markup as its user name) and a success.
  expect(await postLogin(HOSTILE, 'guess-1')).toBe(401);
  expect(await postLogin('olga', 'guess-2')).toBe(401);
  expect(await postLogin('olga', PASSWORD)).toBe(200);
  c.clock.t += HOUR;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const ctx of contexts) await ctx.close().catch(() => undefined);
  await browser?.close();
  await c?.app.close();
  c?.db.close();
});

describe('console audit page', () => {
  it('shows an admin the trail with who, when, address, path and outcome; markup in a user name stays text', async () => {
    const page = await signedIn('ada', '/audit');
    await page.waitForSelector('table.audit');
    // Newest first: the admin's own login, then the history.
    await settled(() => actions(page)).toEqual(['login.success', 'login.success', 'login.failure', 'login.failure']);
    // The oldest row: the failed login whose user name is markup.
    const hostileRow = 'tr.audit-row:nth-child(4)';
    expect(await page.textContent(`${hostileRow} td.target`)).toContain(`user:${HOSTILE}`);
    expect(await page.textContent(`${hostileRow} td.who`)).toBe(HOSTILE);
    expect(await page.textContent(`${hostileRow} td.address`)).toBe('127.0.0.1');
    expect(await page.textContent(`${hostileRow} td.path`)).toBe('POST /api/v1/session');
    expect(await page.textContent(`${hostileRow} td.via`)).toBe('not signed in');
    expect(await page.textContent(`${hostileRow} td.outcome`)).toBe('refused (401)');
    expect(await page.getAttribute(`${hostileRow} time`, 'datetime')).toBe(T0.toISOString());
    const own = 'tr.audit-row:first-child';
    expect(await page.textContent(`${own} td.who`)).toBe('ada · admin');
    expect(await page.textContent(`${own} td.via`)).toBe('console');
    expect(await page.textContent(`${own} td.after`)).toContain('role: admin');
    expect(await page.$$('table.audit img, table.audit b')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
  });

  it('filters by user, action and time, pages through the rows, and keeps the filter in the address', async () => {
    const page = await signedIn('ada', '/audit');
    await page.waitForSelector('form.audit-filters');
    await page.fill('form.audit-filters input[name=who]', 'olga');
    await page.click('form.audit-filters button[type=submit]');
    await settled(() => actions(page)).toEqual(['login.success', 'login.failure']);
    expect(page.url()).toContain('who=olga');
    await page.fill('form.audit-filters input[name=action]', 'login.failure');
    await page.click('form.audit-filters button[type=submit]');
    await settled(() => actions(page)).toEqual(['login.failure']);
    await page.click('form.audit-filters button[type=button]');
    await settled(() => page.inputValue('form.audit-filters input[name=who]')).toBe('');
    // Until half an hour after T0: only the history, not the admin's logins an hour later.
    const until = new Date(T0.getTime() + HOUR / 2).toISOString().slice(0, 16);
    await page.fill('form.audit-filters input[name=until]', until);
    await page.click('form.audit-filters button[type=submit]');
    await settled(() => actions(page)).toEqual(['login.success', 'login.failure', 'login.failure']);
    await page.fill('form.audit-filters input[name=until]', '');
    await page.fill('form.audit-filters input[name=since]', until);
    await page.click('form.audit-filters button[type=submit]');
    await settled(async () => (await actions(page)).every((a) => a === 'login.success')).toBe(true);
    await page.fill('form.audit-filters input[name=since]', new Date(T0.getTime() + 10 * HOUR).toISOString().slice(0, 16));
    await page.click('form.audit-filters button[type=submit]');
    await settled(() => page.textContent('p.empty')).toBe('No audit rows match.');

    // Two rows a page: newer to older and back.
    await page.goto(`${url}/console/?lang=en#/audit?limit=2`);
    await settled(() => page.textContent('.pager .range')).toMatch(/^1–2 of [5-9]$/);
    const firstPage = await page.$$eval('tr.audit-row', (rs) => rs.map((r) => r.getAttribute('data-id')));
    await page.click('.pager button.next');
    await settled(() => page.textContent('.pager .range')).toMatch(/^3–4 of [5-9]$/);
    const secondPage = await page.$$eval('tr.audit-row', (rs) => rs.map((r) => r.getAttribute('data-id')));
    expect(secondPage).toHaveLength(2);
    expect(Math.max(...secondPage.map(Number))).toBeLessThan(Math.min(...firstPage.map(Number)));
    await page.click('.pager button.prev');
    await settled(() => page.$$eval('tr.audit-row', (rs) => rs.map((r) => r.getAttribute('data-id')))).toEqual(firstPage);
    expect(await page.isDisabled('.pager button.prev')).toBe(true);
  });

  it('is not in an operator\'s menu, says why when opened by address, and the API refuses the operator', async () => {
    const page = await signedIn('olga', '/audit');
    await settled(() => page.textContent('main .error')).toBe('Your role (operator) may not open this page.');
    expect(await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')))).not.toContain('#/audit');
    expect(await page.evaluate(async () => (await fetch('/api/v1/audit')).status)).toBe(403);
  });
});

describe('console users page', () => {
  it('adds a user, changes the role, disables it (its login is then refused) and the audit trail shows before and after', async () => {
    const page = await signedIn('ada', '/users');
    await page.waitForSelector('table.users');
    expect(await page.textContent('tr.user[data-user="vera"] td:nth-child(5)')).toBe('in noctua.yaml (change it there)');
    expect(await page.$$('tr.user[data-user="vera"] select, tr.user[data-user="vera"] button')).toHaveLength(0);
    // A site the inventory does not have: the server's answer names the field.
    await page.fill('form.user-create input[name=name]', NEW_USER);
    await page.fill('form.user-create input[name=password]', 'nina-password-1');
    await page.fill('form.user-create input[name=sites]', 'atlantis');
    await page.click('form.user-create button[type=submit]');
    await settled(() => page.textContent('form.user-create .error')).toContain('body.sites[0]');
    await page.fill('form.user-create input[name=sites]', '');
    await page.click('form.user-create button[type=submit]');
    const row = `tr.user[data-user="${NEW_USER.replace(/"/g, '\\"')}"]`;
    await page.waitForSelector(`${row}[data-role="viewer"][data-source="database"]`);
    expect(await page.textContent(`${row} td.name`)).toBe(NEW_USER);
    await shot(page, 'users');
    await page.selectOption(`${row} select[name=role]`, 'operator');
    await page.waitForSelector(`${row}[data-role="operator"]`);
    await page.click(`${row} button.action-disable`);
    await page.waitForSelector(`${row}[data-disabled="true"] button.action-enable`);
    expect(await page.$$('table.users b')).toHaveLength(0);

    expect(await postLogin(NEW_USER, 'nina-password-1')).toBe(403);
    await page.goto(`${url}/console/?lang=en#/audit?action=user.change`);
    await settled(() => page.$$eval('tr.audit-row', (rs) => rs.length)).toBe(2);
    const roleChange = 'tr.audit-row:nth-child(2)';
    expect(await page.textContent(`${roleChange} td.target`)).toContain(`user:${NEW_USER}`);
    expect(await page.textContent(`${roleChange} td.before`)).toContain('role: viewer');
    expect(await page.textContent(`${roleChange} td.after`)).toContain('role: operator');
    expect(await page.textContent('tr.audit-row:nth-child(1) td.after')).toContain('disabled: true');
    expect(await page.textContent('tr.audit-row:nth-child(1) td.who')).toBe('ada · admin');
    await page.goto(`${url}/console/?lang=en#/audit`);
    await settled(() => page.$$eval('tr.audit-row', (rs) => rs.length)).toBeGreaterThan(5);
    await shot(page, 'audit');
    await page.click('button.lang');
    await settled(() => page.textContent('main h1')).toBe('审计');
    await shot(page, 'audit-zh');
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
  });
});

describe('console login page and single sign-on', () => {
  let idp: OidcProviderInstance | undefined;
  let sso: ConsoleApp | undefined;
  afterAll(async () => {
    await sso?.app.close();
    sso?.db.close();
    await idp?.stop();
  });

  it('offers no SSO button when the server has no OIDC, and one leading to the provider when it has', async () => {
    const plain = await browser.newContext();
    contexts.push(plain);
    const page = await plain.newPage();
    await page.goto(`${url}/console/?lang=en`);
    await page.waitForSelector('form.login input[name=username]');
    expect(await page.evaluate(async () => (await (await fetch('/api/v1/console-config')).json() as { sso: boolean }).sso)).toBe(false);
    expect(await page.$$('a.sso')).toHaveLength(0);

    const port = await freeTcpPort();
    idp = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback` });
    sso = await consoleApp({ oidc: {
      issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUrl: `http://127.0.0.1:${port}/auth/oidc/callback`,
      allowInsecureHttp: true, groups: [{ group: 'noc-operators', role: 'operator' }],
    } });
    const ssoUrl = await sso.app.listen({ host: '127.0.0.1', port });
    const withSso = await browser.newContext();
    contexts.push(withSso);
    const p2 = await withSso.newPage();
    await p2.goto(`${ssoUrl}/console/?lang=en`);
    await settled(() => p2.isVisible('form.login a.sso')).toBe(true);
    expect(await p2.textContent('a.sso')).toBe('Sign in with SSO');
    await shot(p2, 'login-sso');
    expect(await p2.evaluate(async () => (await (await fetch('/api/v1/console-config')).json() as { sso: boolean }).sso)).toBe(true);
    await p2.click('a.sso');
    await settled(() => p2.url(), 10_000).toMatch(new RegExp(`^${idp.issuer.replace(/[.]/g, '\\.')}/`));
  }, 60_000);

  it('raised no script error on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});

function shot(page: Page, name: string) {
  return page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
