import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LatestSamples } from '../../src/api/latest-samples.js';
import { runtimeServices } from '../../src/api/runtime-services.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { repoRoot } from '../../src/lab/paths.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { tempDir } from '../helpers/tmp.js';
import { DEVICE_DOWN_RULES, icmpRouter } from '../helpers/engine-fixtures.js';
import { apiSettings, TOKENS } from '../api/memory-noc.js';
import { launchChromium, settled } from '../helpers/browser.js';

const RULES = DEVICE_DOWN_RULES;

const device = icmpRouter;

describe('NOC wall over the real alert engine and device registry', () => {
  const tmp = tempDir('noctua-wall-engine-');
  const devices = [device('core-rt-01', 'hq', ['core']), device('wan-rt-01', 'hq', ['wan']), device('branch-sw-01', 'chengdu', [])];
  const states = new DeviceStateRegistry();
  const latest = new LatestSamples();
  let db: Db;
  let engine: AlertEngine;
  let services: ReturnType<typeof runtimeServices>;
  let server: ApiServer;
  let browser: Browser;

  /** One ICMP poll as the scheduler reports it: to the registry, and its sample over the bus to the sinks. */
  const poll = async (name: string, up: boolean) => {
    states.record(name, 'icmp', { ok: up, reachable: up, durationMs: up ? 2 : 3000, ...(up ? {} : { error: '100% loss' }) });
    const sample: Sample = {
      measurement: 'icmp', tags: { device: name, site: devices.find((d) => d.name === name)!.site, class: 'router', vendor: 'cisco' },
      fields: up ? { up, loss_pct: 0, rtt_avg_ms: 4.2 } : { up, loss_pct: 100 }, time: new Date(),
    };
    await latest.write([sample]);
    await engine.write([sample]);
  };

  beforeAll(async () => {
    mkdirSync(join(repoRoot, 'test-output', 'wall'), { recursive: true });
    db = openStateDb(tmp.dir);
    engine = createAlertEngine({ db, rules: parseAlertRules(RULES), devices, log: pino({ level: 'silent' }) });
    states.sync(devices);
    for (const d of devices) await poll(d.name, true);
    services = runtimeServices({
      inventory: () => devices, states, latest, engine,
      reader: { series: async () => [] },
      influx: { readiness: () => ({ ready: true, influx: 'reachable', spooling: false, detail: '' }) },
      schedulerRunning: () => true, metrics: new Registry(),
      config: { validate: async () => ({ ok: true, devices: 3, sites: 2, disabled: 0 }), reload: async () => ({ ok: true, devices: 3, sites: 2, disabled: 0 }) },
    });
    server = await startApiServer({ settings: apiSettings({ port: 0, wall: { heartbeat: 500 } }), services, log: pino({ level: 'silent' }) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    services?.close();
    await engine?.stop();
    db?.close();
    tmp.cleanup();
  });

  it('turns the tile red and shows the engine\'s P1 incident when a router stops answering ping', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(`${server.url}/wall?token=${TOKENS.viewer}`);
    await page.waitForSelector('.tile[data-device="branch-sw-01"]', { timeout: 10_000 });
    // The wall re-reads its snapshot once the stream is open, so poll until the tiles have settled.
    await settled(() => page.$$eval('.tile', (els) => els.map((e) => `${e.getAttribute('data-device')}:${e.getAttribute('data-state')}`)))
      .toEqual(['branch-sw-01:up', 'core-rt-01:up', 'wan-rt-01:up']);

    await poll('wan-rt-01', false);
    await poll('wan-rt-01', false);
    await engine.settled();

    await page.waitForSelector('.tile[data-device="wan-rt-01"][data-state="unreachable"]', { timeout: 5000 });
    // Read through the page, not an element handle: the list is redrawn and a handle may point at a removed node.
    await settled(() => page.textContent('.incident.sev-P1')).toContain('wan-rt-01');
    await settled(() => page.$eval('.tile[data-device="wan-rt-01"]', (e) => getComputedStyle(e).backgroundColor)).toBe('rgb(161, 27, 27)');
    await settled(() => page.textContent('#c-p1')).toBe('1');
    await settled(() => page.textContent('#c-up')).toBe('2/3');
    await page.screenshot({ path: join(repoRoot, 'test-output', 'wall', 'wall-engine-fault.png') });

    await poll('wan-rt-01', true);
    await page.waitForSelector('.tile[data-device="wan-rt-01"][data-state="up"]', { timeout: 5000 });
  });
});
