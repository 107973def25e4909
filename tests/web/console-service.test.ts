/**
 * The service-record pages of the console in Debian's Chromium: problem records, the knowledge base and the
 * asset register, over the real alert engine, problem detector and knowledge collector on a SQLite state
 * database, the real asset register, and real console logins (local users, session cookies, CSRF). Records are
 * made the way production makes them: outages through the engine open problem records, resolution notes become
 * knowledge, inventory snapshots make asset events. Hostile text (HTML, bidi controls, 10 KB) stays text; a
 * Chinese search finds its entry; the exports download with the session and are read back (exceljs, CSV bytes).
 * Each page leaves a screenshot in docs/console/ for docs/CONSOLE.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import { LatestSamples } from '../../src/api/latest-samples.js';
import { runtimeServices } from '../../src/api/runtime-services.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createAuth } from '../../src/auth/runtime.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { authSectionSchema } from '../../src/config/sections/auth.js';
import { serviceSectionSchema } from '../../src/config/sections/service.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { repoRoot } from '../../src/lab/paths.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { assetService } from '../../src/service/assets/service.js';
import { AssetStore } from '../../src/service/assets/store.js';
import type { DeviceSnapshot } from '../../src/service/assets/types.js';
import { createServiceManagement, type ServiceManagement } from '../../src/service/management.js';
import { apiSettings } from '../api/memory-noc.js';
import { launchChromium, settled } from '../helpers/browser.js';
import { DEVICE_DOWN_RULES, icmpRouter } from '../helpers/engine-fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;
const PASSWORD = 'correct horse battery';
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const shots = join(repoRoot, 'docs', 'console');
/** Markup that would run if any page put text into innerHTML, bidi controls that would reorder a line, and bulk. */
const HOSTILE = '<img src=x onerror="window.__owned=1"><script>window.__owned=2</script>';
const BIDI = '\u202Eevil.exe\u202C \u2066isolated\u2069';
const hostile = (size: number) => `${HOSTILE} ${BIDI} ${'长'.repeat(10)} ${'A'.repeat(size)}`.slice(0, size);
/** A part serial a spreadsheet would run as a formula, unless the export guards it. */
const FORMULA = '=HYPERLINK("http://evil.example/","click")';

describe('console: problem records, knowledge base and asset register in Chromium', () => {
  const tmp = tempDir('noctua-console-service-');
  // The seeded month ends now: the engine's clock starts 30 days ago and the pages show real recent times.
  const clock = new FakeClock(Math.floor((Date.now() - 30 * DAY) / 60_000) * 60_000);
  const flaky = icmpRouter('branch-rt-07', 'branch-sh', ['wan']);
  const core = icmpRouter('core-rt-01', 'hq', ['core']);
  const fw: Device = { ...icmpRouter('lab-fw1', 'hq', []), class: 'firewall' };
  const devices = [flaky, core, fw];
  const vendorOf: Record<string, { vendor: string; model: string }> = {
    'branch-rt-07': { vendor: 'huawei', model: 'AR2220' }, 'core-rt-01': { vendor: 'h3c', model: 'MSR3620' }, 'lab-fw1': { vendor: 'fortinet', model: 'FG-100F' },
  };
  const incidents: Record<string, string[]> = {};
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let db: Db;
  let engine: AlertEngine;
  let service: ServiceManagement;
  let server: ApiServer;
  let browser: Browser;
  let hostileEntry = 0;

  const icmp = (device: string, up: boolean): Sample => ({
    measurement: 'icmp', tags: { device, site: devices.find((d) => d.name === device)!.site, class: 'router' },
    fields: { up, loss_pct: up ? 0 : 100 }, time: clock.now(),
  });
  /** A real outage through the engine: two failed polls open the incident; a person resolves it with a note, or the device recovers. */
  async function outage(device: string, note?: { by: string; text: string }): Promise<string> {
    for (let i = 0; i < 2; i++) {
      await engine.write([icmp(device, false)]);
      await clock.advance(30_000);
    }
    await engine.settled();
    const id = engine.listIncidents({ state: 'open', device }).items[0]!.id;
    await clock.advance(10 * 60_000);
    if (note) engine.resolve(id, note.by, note.text);
    await engine.write([icmp(device, true)]);
    await engine.settled();
    (incidents[device] ??= []).push(id);
    await clock.advance(2 * DAY);
    return id;
  }

  /** A browser page signed in through the console's login form (a real session cookie), at `hash`. */
  async function signedIn(user: string, hash: string, viewport = LAPTOP, lang = 'en'): Promise<Page> {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${user} ${hash}: ${e.message}`));
    await page.goto(`${server.url}/console/?lang=${lang}#${hash}`);
    await page.fill('form.login input[name=username]', user);
    await page.fill('form.login input[name=password]', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('.who', { timeout: 15_000 });
    return page;
  }
  const owned = (page: Page) => page.evaluate(() => (window as unknown as { __owned?: number }).__owned);
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    db = openStateDb(tmp.dir);
    const log = pino({ level: 'silent' });
    engine = createAlertEngine({ db, rules: parseAlertRules(DEVICE_DOWN_RULES.replace('evaluationInterval: 5s', 'evaluationInterval: 1h')), devices, clock, log });
    const configDir = join(tmp.dir, 'config');
    mkdirSync(join(configDir, 'runbooks'), { recursive: true });
    writeFileSync(join(configDir, 'runbooks', 'device-down.md'), '# Device down\n\n1. Ping the WAN gateway.\n<script>window.__owned=3</script>\n');
    writeFileSync(join(configDir, 'runbooks', 'device-down.zh-CN.md'), '# 设备宕机\n\n1. 检查广域网网关。\n');
    const settings = serviceSectionSchema.parse({ problems: { threshold: 3, window: '30d' } });
    service = createServiceManagement({
      db, configDir, settings: () => settings, history: (device, since) => engine.listIncidents({ device, since, limit: 1000 }).items,
      facts: (d) => ({ ...vendorOf[d], class: 'router' }), log,
    });
    for (const l of service.listeners) engine.addListener(l);
    engine.start();

    // Three outages each: branch-rt-07 (two with resolution notes, one in Chinese) and core-rt-01 open a problem record each.
    await outage(flaky.name);
    await outage(core.name);
    await outage(flaky.name, { by: 'wang', text: '运营商线路抖动，联系电信后恢复 (carrier line flapping)' });
    await outage(core.name);
    await outage(flaky.name, { by: 'li', text: '电源模块故障，更换电源模块后恢复' });
    await outage(core.name);
    await outage(flaky.name);
    hostileEntry = service.knowledge.add({ title: `${HOSTILE} ${BIDI}`.slice(0, 200), body: `hostile note ${hostile(10_240)}`, vendor: 'fortinet', by: 'mallory', at: clock.now() })!.id;

    // The asset register as inventory polls fill it: a transceiver swapped and firmware upgraded on the branch router;
    // a firewall whose serial is hostile and a part whose serial is a spreadsheet formula.
    const assets = new AssetStore(db);
    const rt: DeviceSnapshot = {
      device: flaky.name, site: flaky.site, class: 'router', vendor: 'huawei', model: 'AR2220', serial: '210235A0BQC0123', firmware: 'V200R009C00', hardware: 'Ver.B', sysDescr: '',
      parts: [
        { entity: '1', part: 'chassis', name: 'AR2220', descr: '', model: 'AR2220', serial: '210235A0BQC0123', firmware: 'V200R009C00', hardware: 'Ver.B', manufacturer: 'Huawei' },
        { entity: '17', part: 'port', name: 'GE0/0/1 SFP', descr: '', model: 'SFP-GE-LX', serial: 'HA1700123', firmware: '', hardware: '', manufacturer: 'Huawei' },
        { entity: '20', part: 'psu', name: 'PSU 1', descr: '', model: 'PAC-150W', serial: 'PSU0001', firmware: '', hardware: '', manufacturer: 'Huawei' },
      ],
    };
    assets.observe(rt, new Date(Date.now() - 20 * DAY));
    const upgraded = rt.parts.map((p) => (p.entity === '17' ? { ...p, serial: 'HA1799999' } : p.entity === '1' ? { ...p, firmware: 'V200R010C10' } : p));
    assets.observe({ ...rt, firmware: 'V200R010C10', parts: upgraded }, new Date(Date.now() - 3 * DAY));
    assets.observe({ device: core.name, site: core.site, class: 'router', vendor: 'h3c', model: 'MSR3620', serial: '219801A0TM9171Q0001', firmware: '7.1.064', hardware: 'VER.A', sysDescr: '', parts: [] }, new Date(Date.now() - 10 * DAY));
    assets.observe({
      device: fw.name, site: fw.site, class: 'firewall', vendor: 'fortinet', model: 'FG-100F', serial: hostile(10_240), firmware: 'v7.2.5', hardware: '', sysDescr: '',
      parts: [{ entity: '2', part: 'module', name: 'NP6 module', descr: '', model: 'NP6', serial: FORMULA, firmware: '', hardware: '', manufacturer: 'Fortinet' }],
    }, new Date(Date.now() - DAY));

    const hash = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
    const auth = createAuth({
      db, settings: authSectionSchema.parse({
        users: [
          { name: 'olga', role: 'operator', passwordHash: hash },
          { name: 'vera', role: 'viewer', passwordHash: hash },
          { name: 'bob', role: 'operator', sites: ['branch-sh'], passwordHash: hash },
        ],
      }),
    });
    const states = new DeviceStateRegistry(clock);
    states.sync(devices);
    const services = runtimeServices({
      inventory: () => devices, states, latest: new LatestSamples(), engine, db, reader: { series: async () => [] }, schedulerRunning: () => true, metrics: new Registry(),
      config: { validate: async () => ({ ok: true, devices: 3, sites: 2, disabled: 0 }), reload: async () => ({ ok: true, devices: 3, sites: 2, disabled: 0 }) },
      problemRecords: service.problems,
      knowledge: { entries: service.knowledge, runbook: (n, l) => service.runbooks.get(n, l), runbookNames: () => service.runbooks.names(), deviceFacts: (d) => ({ ...vendorOf[d] }) },
      assets: assetService(db, () => devices),
    });
    server = await startApiServer({ settings: apiSettings({ host: '127.0.0.1', port: 0 }), services, log, auth, locale: 'en' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await engine?.stop();
    db?.close();
    tmp.cleanup();
  });

  it('problems: the operator sees counts and first/last seen, opens the record, writes a hostile 10 KB root cause that stays text, and closes it', async () => {
    const page = await signedIn('olga', '/problems');
    await settled(() => page.locator('tr.problem').count(), 15_000).toBe(2);
    const row = page.locator(`tr.problem[data-problem="PRB-0001"]`);
    expect(await row.locator('td.count').textContent()).toBe(String(incidents[flaky.name]!.length));
    expect(await row.locator('td').nth(2).textContent()).toBe(flaky.name);
    const times = await row.locator('time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
    const linked = service.problems.get('PRB-0001')!.incidents;
    expect(times).toEqual([linked[0]!.openedAt.toISOString(), linked.at(-1)!.openedAt.toISOString()]);
    await page.selectOption('select[name=state]', 'closed');
    await settled(() => page.textContent('p.empty')).toBe('No problem records match.');
    await page.selectOption('select[name=state]', 'open');
    await page.fill('input[name=site]', 'branch-sh');
    await page.press('input[name=site]', 'Enter');
    await settled(() => page.locator('tr.problem').count()).toBe(1);
    await shot(page, 'problems');

    await page.click('tr.problem a[href="#/problems/PRB-0001"]');
    await page.waitForSelector('.problem-detail[data-problem="PRB-0001"]');
    // Every linked incident is a link to its incident page; the history names each link.
    await settled(() => page.locator('table.problem-incidents a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
      .toEqual(incidents[flaky.name]!.map((id) => `#/incidents/${id}`));
    await settled(() => page.locator('ol.timeline li[data-kind="linked"]').count()).toBe(incidents[flaky.name]!.length);

    const note = hostile(10_000);
    await page.fill('form.problem-edit textarea[name=rootCause]', note);
    await page.fill('form.problem-edit textarea[name=workaround]', '临时改由 4G 备份线路承载');
    await page.selectOption('form.problem-edit select[name=fixStatus]', 'known-error');
    await page.click('form.problem-edit button.action-save');
    await settled(() => page.textContent('dd.fix-status'), 10_000).toBe('known error');
    expect(await page.textContent('dd.root-cause p.note')).toBe(note);
    expect(await page.textContent('dd.workaround p.note')).toBe('临时改由 4G 备份线路承载');
    expect(await page.locator('.problem-detail img, .problem-detail script').count()).toBe(0);
    expect(await owned(page)).toBeUndefined();
    expect(service.problems.get('PRB-0001')).toMatchObject({ rootCause: note, fixStatus: 'known-error', updatedBy: 'olga' });
    // The form shows what was saved (a select's value must follow the record, not its first option).
    expect(await page.inputValue('form.problem-edit select[name=fixStatus]')).toBe('known-error');
    await shot(page, 'problem');

    await page.fill('.actions textarea[name=note]', `replaced the PSU ${HOSTILE}`);
    await page.click('button.action-close');
    await settled(() => page.getAttribute('.problem-detail', 'data-state'), 10_000).toBe('closed');
    expect(await page.textContent('ol.timeline li[data-kind="closed"] p.note')).toBe(`replaced the PSU ${HOSTILE}`);
    expect(await page.locator('button.action-close').count()).toBe(0);
    expect(await owned(page)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });

  it('problems on a phone and in Chinese; a viewer sees no action buttons and the server refuses a forged edit', async () => {
    const phone = await signedIn('vera', '/problems', PHONE, 'zh-CN');
    await settled(() => phone.locator('tr.problem').count(), 15_000).toBe(2);
    expect(await phone.textContent('section.problems h1')).toBe('问题管理');
    await shot(phone, 'problems-phone');
    await phone.goto(`${server.url}/console/?lang=zh-CN#/problems/PRB-0002`);
    await phone.waitForSelector('.problem-detail[data-problem="PRB-0002"]');
    expect(await phone.textContent('dd.fix-status')).toBe('调查中');
    expect(await phone.locator('form.problem-edit, button.action-close, button.action-save').count()).toBe(0);
    // The page's own credentials, as a crafted script would use them: the role decides, not the missing button.
    const forged = await phone.evaluate(async () => {
      const csrf = /noctua_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const r = await fetch('/api/v1/problems/PRB-0002', { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) }, body: JSON.stringify({ fixStatus: 'fixed' }) });
      return r.status;
    });
    expect(forged).toBe(403);
    expect(service.problems.get('PRB-0002')!.fixStatus).toBe('investigating');
    expect(pageErrors).toEqual([]);
  });

  it('knowledge: a Chinese and an English search find their notes with the words marked; hostile entry text stays text; runbooks and similar incidents show', async () => {
    const page = await signedIn('vera', '/knowledge');
    await page.fill('form.search input[name=q]', '电源');
    await page.press('form.search input[name=q]', 'Enter');
    await settled(() => page.locator('li.hit').count(), 10_000).toBe(1);
    expect(await page.textContent('li.hit p.body')).toBe('电源模块故障，更换电源模块后恢复');
    expect(await page.locator('li.hit p.body mark').allTextContents()).toEqual(['电源', '电源']);
    expect(await page.locator('form.knowledge-add').count()).toBe(0);
    await shot(page, 'knowledge');
    await page.fill('form.search input[name=q]', 'carrier');
    await page.press('form.search input[name=q]', 'Enter');
    await settled(() => page.locator('li.hit mark').allTextContents(), 10_000).toEqual(['carrier']);
    await page.click('li.hit a.title');
    await page.waitForSelector('article.knowledge-entry');
    expect(await page.locator('article.knowledge-entry mark').allTextContents()).toEqual(['carrier']);
    expect(await page.getAttribute('article.knowledge-entry a[href^="#/incidents/"]', 'href')).toBe(`#/incidents/${incidents[flaky.name]![1]}`);
    await shot(page, 'knowledge-entry');

    await page.goto(`${server.url}/console/?lang=en#/knowledge?q=hostile`);
    await settled(() => page.locator('li.hit').count(), 10_000).toBe(1);
    await page.click('li.hit a.title');
    await page.waitForSelector(`article.knowledge-entry[data-entry="${hostileEntry}"]`);
    expect(await page.textContent('article.knowledge-entry .title')).toBe(`${HOSTILE} ${BIDI}`);
    expect((await page.textContent('.entry-body'))!.length).toBe(`hostile note ${hostile(10_240)}`.length);
    expect(await page.locator('main img, main script').count()).toBe(0);

    await page.goto(`${server.url}/console/?lang=en#/knowledge`);
    await page.click('ul.runbooks a[href="#/runbooks/device-down"]');
    await settled(() => page.textContent('pre.runbook-text'), 10_000).toContain('Ping the WAN gateway.\n<script>window.__owned=3</script>');
    await page.click('button.lang');
    await settled(() => page.textContent('pre.runbook-text'), 10_000).toContain('检查广域网网关');

    // The incident page's section: the newest outage of the branch router, with the older notes of the same rule and box.
    await page.goto(`${server.url}/console/?lang=en#/incidents/${incidents[flaky.name]!.at(-1)}`);
    await settled(() => page.locator('section.similar li.hit').count(), 15_000).toBe(2);
    expect((await page.locator('section.similar li.hit p.body').allTextContents()).sort()).toEqual(['电源模块故障，更换电源模块后恢复', '运营商线路抖动，联系电信后恢复 (carrier line flapping)'].sort());
    expect(await page.getAttribute('section.similar a.runbook-link', 'href')).toBe('#/runbooks/device-down');
    expect(await owned(page)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });

  it('knowledge: an operator writes an entry in the console and it is found by its Chinese words', async () => {
    const page = await signedIn('olga', '/knowledge');
    await page.fill('form.knowledge-add input[name=title]', `光模块收光过低 ${HOSTILE}`);
    await page.fill('form.knowledge-add input[name=vendor]', 'huawei');
    await page.fill('form.knowledge-add textarea[name=body]', '清洁光纤接头的端面后收光恢复到 -8 dBm。');
    await page.click('form.knowledge-add button.action-add');
    await page.waitForSelector('article.knowledge-entry', { timeout: 10_000 });
    expect(await page.textContent('article.knowledge-entry .title')).toBe(`光模块收光过低 ${HOSTILE}`);
    await page.goto(`${server.url}/console/?lang=zh-CN#/knowledge?q=${encodeURIComponent('光纤 端面')}`);
    await settled(() => page.locator('li.hit p.body mark').allTextContents(), 10_000).toEqual(['光纤', '端面']);
    expect(await owned(page)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });

  it('assets: filters, a serial search over parts, the device page with parts and history, hostile serials as text', async () => {
    const page = await signedIn('vera', '/assets');
    await settled(() => page.locator('tr.asset').count(), 15_000).toBe(3);
    await page.fill('input[name=vendor]', 'huawei');
    await page.press('input[name=vendor]', 'Enter');
    await settled(() => page.locator('tr.asset').count()).toBe(1);
    await page.fill('input[name=vendor]', '');
    await page.press('input[name=vendor]', 'Enter');
    await page.fill('input[name=class]', 'firewall');
    await page.press('input[name=class]', 'Enter');
    await settled(() => page.locator('tr.asset').count()).toBe(1);
    expect(await page.textContent('tr.asset[data-device="lab-fw1"] td.serial bdi')).toBe(hostile(10_240));
    await page.fill('input[name=class]', '');
    await page.press('input[name=class]', 'Enter');
    await page.fill('input[name=serial]', 'ha1799');
    await page.press('input[name=serial]', 'Enter');
    await settled(() => page.locator('tr.asset').count()).toBe(1);
    expect(await page.textContent('tr.asset .part-match')).toBe('GE0/0/1 SFP: HA1799999');
    expect(await page.textContent('tr.asset .part-match mark')).toBe('HA1799');
    await page.fill('input[name=serial]', '');
    await page.press('input[name=serial]', 'Enter');
    await settled(() => page.locator('tr.asset').count()).toBe(3);
    expect(await page.locator('main img, main script').count()).toBe(0);
    await shot(page, 'assets');

    await page.click(`tr.asset a[href="#/assets/${flaky.name}"]`);
    await page.waitForSelector('article.asset-detail');
    // Parts and history come from their own API calls after the page shows: read them until they settle.
    await settled(() => page.locator('table.parts tbody tr').count()).toBe(3);
    // Newest first; the two changes of one poll keep the register's order, reversed.
    await settled(() => page.locator('ol.asset-events li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')))).toEqual(['module-swapped', 'firmware-changed', 'device-added']);
    expect(await page.textContent('li[data-kind="module-swapped"] p.change')).toBe('HA1700123 → HA1799999');
    expect(await page.textContent('li[data-kind="firmware-changed"] p.change')).toBe('V200R009C00 → V200R010C10');
    await shot(page, 'asset');
    await page.goto(`${server.url}/console/?lang=zh-CN#/assets/lab-fw1`);
    await settled(() => page.textContent('dd.serial'), 10_000).toBe(hostile(10_240));
    await settled(() => page.textContent('table.parts td.serial')).toBe(FORMULA);
    expect(await page.textContent('article.asset-detail h2')).toBe('部件');
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await owned(page)).toBeUndefined();
    const phone = await signedIn('vera', '/assets', PHONE, 'zh-CN');
    await settled(() => phone.locator('tr.asset').count(), 15_000).toBe(3);
    await shot(phone, 'assets-phone');
    expect(pageErrors).toEqual([]);
  });

  it('assets: the export buttons download CSV with the formula guard and an xlsx that exceljs opens, with the session and the filters', async () => {
    const page = await signedIn('vera', '/assets', LAPTOP, 'zh-CN');
    await settled(() => page.locator('tr.asset').count(), 15_000).toBe(3);
    const download = async (selector: string) => {
      const [d] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click(selector)]);
      expect(await d.failure()).toBeNull();
      return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
    };
    const csv = await download('a.export-csv');
    expect(csv.name).toMatch(/^assets-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = csv.bytes.toString('utf8');
    expect(text.startsWith('\ufeff设备,站点,类别,项目')).toBe(true);
    // The formula serial is quoted and starts with an apostrophe, so no spreadsheet runs it.
    expect(text).toContain(`"'${FORMULA.replace(/"/g, '""')}"`);
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(text).toContain('HA1799999');

    const xlsx = await download('a.export-xlsx');
    expect(xlsx.name).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('资产');
    expect(ws.getRow(1).getCell(1).value).toBe('设备');
    const cells: ExcelJS.Cell[] = [];
    ws.eachRow((r) => r.eachCell((c) => cells.push(c)));
    const formulaCell = cells.find((c) => c.value === FORMULA)!;
    expect(formulaCell.type).toBe(ExcelJS.ValueType.String);
    expect(cells.some((c) => c.value === hostile(10_240))).toBe(true);
    expect(ws.rowCount).toBe(1 + 3 + 3 + 1);

    // The filters in the address apply to the file too.
    await page.fill('input[name=site]', 'branch-sh');
    await page.press('input[name=site]', 'Enter');
    await settled(() => page.locator('tr.asset').count()).toBe(1);
    const filtered = (await download('a.export-csv')).bytes.toString('utf8');
    expect(filtered.trim().split('\r\n')).toHaveLength(1 + 1 + 3);
    // Without the session the export is refused; a wrong format or filter is named.
    expect((await fetch(`${server.url}/api/v1/assets/export?format=csv`)).status).toBe(401);
    const wrong = await page.evaluate(async () => {
      const a = await fetch('/api/v1/assets/export?format=pdf');
      const b = await fetch('/api/v1/assets?colour=red');
      return [a.status, (await a.json() as { issues: { path: string }[] }).issues[0]!.path, b.status, (await b.json() as { issues: { path: string }[] }).issues[0]!.path];
    });
    expect(wrong).toEqual([400, 'querystring.format', 400, 'querystring.colour']);
    expect(pageErrors).toEqual([]);
  });

  it('a branch login sees and exports only its site: problems, assets and similar incidents of other sites answer as unknown', async () => {
    const page = await signedIn('bob', '/problems');
    await settled(() => page.locator('tr.problem').count(), 15_000).toBe(1);
    expect(await page.getAttribute('tr.problem', 'data-problem')).toBe('PRB-0001');
    await page.goto(`${server.url}/console/?lang=en#/problems/PRB-0002`);
    await settled(() => page.textContent('main p.error'), 10_000).toContain('not found');
    await page.goto(`${server.url}/console/?lang=en#/assets`);
    await settled(() => page.locator('tr.asset').count(), 10_000).toBe(1);
    const status = await page.evaluate(async (id) => {
      const similar = await fetch(`/api/v1/incidents/${id}/similar`);
      const csv = await (await fetch('/api/v1/assets/export?format=csv')).text();
      const events = await (await fetch('/api/v1/assets/events')).json() as { items: { device: string }[] };
      return { similar: similar.status, csvRows: csv.trim().split('\r\n').length, devices: [...new Set(events.items.map((e) => e.device))] };
    }, incidents[core.name]![0]!);
    expect(status).toEqual({ similar: 404, csvRows: 1 + 1 + 3, devices: [flaky.name] });
    expect(pageErrors).toEqual([]);
  });
});
