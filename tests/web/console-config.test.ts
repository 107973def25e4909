/**
 * The device page's configuration tab in Chromium, over the real configuration-backup service (a real git
 * store with two versions of a recorded Cisco configuration, the shipped compliance rules): versions listed,
 * the diff drawn line by line with secrets masked for a viewer, compliance per rule, and device text as text.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { configBackupSectionSchema } from '../../src/config/sections/config-backup.js';
import { backupPaths } from '../../src/config-backup/runner.js';
import { startConfigBackup, type ConfigBackupRuntime } from '../../src/config-backup/service.js';
import { ConfigStore } from '../../src/config-backup/store.js';
import { FakeClock } from '../../src/core/clock.js';
import { configBackupApi } from '../../src/runtime/config-backup.js';
import { apiSettings, MemoryNoc, TOKENS } from '../api/memory-noc.js';
import { recording } from '../config-backup/fixture.js';
import { freePort } from '../config-backup/sshd.js';
import { launchChromium, settled } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const HOSTILE = '<img src=x onerror="window.__owned=1">';

describe('console: a device\'s configuration tab', () => {
  const tmp = tempDir('noctua-console-config-');
  const clock = new FakeClock(T0);
  const silent = { info() {}, warn() {}, error() {} };
  const inventory: Device[] = [{ name: 'edge-r1', address: '127.0.0.1', class: 'router', site: 'hq', tags: [], snmp: false, icmp: false, enabled: true, intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 } }];
  let backup: ConfigBackupRuntime;
  let server: ApiServer;
  let browser: Browser;

  beforeAll(async () => {
    const configDir = join(tmp.dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'devices.yaml'), stringify({
      defaults: { ssh: { user: 'netops', password: 'pw-1', port: await freePort() } },
      devices: [{ name: 'edge-r1', address: '127.0.0.1', class: 'router', ssh: { platform: 'cisco-ios' } }],
    }));
    const stateDir = join(tmp.dir, 'state');
    const store = new ConfigStore(backupPaths(stateDir).repo);
    const ios = readFileSync(recording('cisco-ios'), 'utf8').replace(/^.*\{\{\w+\}\}.*\n/gm, '');
    await store.save('edge-r1', ios, { by: 'alice', reason: 'first', kind: 'cli' }, new Date(T0 - 600 * MIN));
    const changed = ios.replace('snmp-server community N0cR3ad RO', `snmp-server community N3wS3cret RO\nlogging host 192.0.2.60\ndescription ${HOSTILE}`);
    await store.save('edge-r1', changed, { by: 'bob', reason: 'night change', kind: 'cli' }, new Date(T0 - 30 * MIN));
    backup = await startConfigBackup({
      configDir, stateDir, settings: configBackupSectionSchema.parse({ schedule: false, connectTimeout: '2s' }), timeZone: 'UTC',
      devices: () => inventory, publish: () => {}, clock, log: silent,
    });
    const services = new MemoryNoc(() => new Date(T0)).services();
    services.configBackups = configBackupApi(backup);
    server = await startApiServer({ settings: apiSettings({ host: '127.0.0.1', port: 0 }), services, log: pino({ level: 'silent' }) });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await backup?.stop();
    tmp.cleanup();
  });

  it('lists the versions, draws the diff with secrets masked for a viewer, shows compliance per rule, and keeps device text as text', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKENS.viewer}` } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/console/?lang=en#/devices/edge-r1/config`);
    await settled(() => page.locator('table.versions tbody tr').count(), 15_000).toBe(2);
    expect(await page.textContent('table.versions tbody tr:first-child')).toContain('+3 −1');
    expect(await page.textContent('table.versions tbody tr:first-child')).toContain('bob · night change');
    await settled(async () => (await page.locator('pre.diff .line.add').allTextContents()).map((l) => l.trim()), 15_000).toContain('+logging host 192.0.2.60');
    const diff = (await page.textContent('pre.diff')) ?? '';
    expect(diff).not.toContain('N3wS3cret');
    expect(diff).not.toContain('N0cR3ad');
    expect(diff).toContain(`+description ${HOSTILE}`);
    expect(await page.isVisible('p.note')).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
    expect(await page.locator('pre.diff img').count()).toBe(0);
    await settled(() => page.locator('table.compliance tbody tr').count(), 15_000).toBeGreaterThan(0);
    expect(await page.locator('table.compliance tr.failed').count()).toBeGreaterThan(0);
    // A viewer is offered no backup; the server would refuse it anyway.
    expect(await page.locator('button.backup').count()).toBe(0);
    await page.screenshot({ path: 'docs/console/device-config.png', fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('offers an operator "back up now", and answers a device that has no backup in words, in Chinese too', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKENS.operator}` } });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/?lang=zh-CN#/devices/edge-r1/config`);
    await settled(() => page.locator('button.backup').textContent(), 15_000).toBe('立即备份');
    await page.goto(`${server.url}/console/?lang=zh-CN#/devices/no-such/config`);
    await settled(() => page.locator('article.device-config p.empty').first().textContent(), 15_000).toBe('尚未备份过该设备的配置。');
    await context.close();
  });
});
