/**
 * What a person gets from the README's lab command: `noctua lab` (what `npm start` runs) started as a process
 * prints the console URL and a login per role; those passwords sign in through the real login form in
 * Debian's Chromium, each with its role, and the generated config holds only their hashes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { verifyPassword } from '../../src/auth/passwords.js';
import { freeTcpPort, GiveUpWaiting, waitFor } from '../../src/lab/ports.js';
import { repoRoot } from '../../src/lab/paths.js';
import { launchChromium, settled } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-lab-users-');
let child: ChildProcess;
let out = '';
let browser: Browser;
let consoleUrl = '';
const logins: Record<string, { name: string; password: string }> = {};

/** The lab as a person starts it, on a free API port so it runs beside other labs. */
async function startLabProcess(dir: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'lab', '--dir', dir, '--api-port', String(await freeTcpPort())], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => { out += String(d); });
  proc.stderr!.on('data', (d) => { out += String(d); });
  return proc;
}

/** Signs in through the login form and returns the name and role the header shows. */
async function signInThroughForm(name: string, password: string): Promise<{ who: string; nav: string[] }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${consoleUrl}?lang=en`);
    await page.waitForSelector('form.login input[name=username]');
    await page.fill('input[name=username]', name);
    await page.fill('input[name=password]', password);
    await page.click('form.login button[type=submit]');
    await settled(() => page.isVisible('.who'), 15_000).toBe(true);
    return { who: (await page.textContent('.who'))!, nav: await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')!)) };
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  child = await startLabProcess(tmp.dir);
  await waitFor('the lab to print its logins', async () => {
    if (child.exitCode !== null) throw new GiveUpWaiting(`noctua lab exited early:\n${out}`);
    return out.includes('Ctrl-C stops everything.');
  }, 120_000);
  consoleUrl = /^ {2}console: +(\S+)$/m.exec(out)![1]!;
  for (const m of out.matchAll(/^ {2}(viewer|operator|admin) login: +(\S+) \/ (\S+)$/gm)) logins[m[1]!] = { name: m[2]!, password: m[3]! };
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  tmp.cleanup();
});

describe('the lab\'s console logins', () => {
  it('prints a login per role with a random password, and writes only its scrypt hash to the generated config', async () => {
    expect(Object.keys(logins).sort()).toEqual(['admin', 'operator', 'viewer']);
    const passwords = Object.values(logins).map((l) => l.password);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(new Set(passwords).size).toBe(3);
    const generated = readFileSync(join(tmp.dir, 'config', 'noctua.yaml'), 'utf8');
    for (const p of passwords) expect(generated).not.toContain(p);
    const users = (parse(generated) as { auth: { users: { name: string; role: string; passwordHash: string }[] } }).auth.users;
    expect(users.map((u) => `${u.name}:${u.role}`)).toEqual(['viewer:viewer', 'operator:operator', 'admin:admin']);
    for (const u of users) expect(await verifyPassword(logins[u.role]!.password, u.passwordHash)).toBe(true);
  });

  it('signs each printed user in through the login form with its role; a wrong password is refused on the form', async () => {
    const operator = await signInThroughForm(logins.operator!.name, logins.operator!.password);
    expect(operator.who).toBe('operator · operator');
    expect(operator.nav).toContain('#/notices');
    const viewer = await signInThroughForm(logins.viewer!.name, logins.viewer!.password);
    expect(viewer.who).toBe('viewer · viewer');
    expect(viewer.nav).not.toContain('#/notices');
    const admin = await signInThroughForm(logins.admin!.name, logins.admin!.password);
    expect(admin.who).toBe('admin · admin');
    expect(admin.nav).toEqual(expect.arrayContaining(['#/audit', '#/users']));

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${consoleUrl}?lang=en`);
    await page.fill('input[name=username]', logins.admin!.name);
    await page.fill('input[name=password]', logins.operator!.password);
    await page.click('form.login button[type=submit]');
    await settled(() => page.textContent('form.login .error'), 15_000).toBe('Sign-in failed: wrong user name or password');
    expect(await page.isVisible('.who')).toBe(false);
    await context.close();
  }, 90_000);
});
