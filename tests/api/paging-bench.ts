/**
 * The paging test bench shared by the API tests that act on a live incident: a real alert engine and escalation
 * service on a SQLite state database in a temp dir, notices delivered over HTTP to a local receiver, and one device
 * whose pings fail for two cycles so a P1 incident is open and paged when `openIncident` returns.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createEscalationService, type EscalationService } from '../../src/alerting/escalation/index.js';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import { LatestSamples } from '../../src/api/latest-samples.js';
import { runtimeServices } from '../../src/api/runtime-services.js';
import { BUILTIN_DEFAULTS, type Device } from '../../src/config/inventory-schema.js';
import type { FakeClock } from '../../src/core/clock.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { notifyConfig } from '../alerting/escalation/notify-fixture.js';
import { startWebhookReceiver, type Responder, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/** A device polled by ICMP only, as the paging tests page about. */
export function icmpDevice(name: string, site = 'hq', cls: Device['class'] = 'router'): Device {
  return { name, address: '127.0.1.1', class: cls, site, tags: [], snmp: false, icmp: { ...BUILTIN_DEFAULTS.icmp }, intervals: { ...BUILTIN_DEFAULTS.intervals }, enabled: true };
}

export interface PagingBenchOptions {
  dir: string;
  clock: FakeClock;
  device: Device;
  /** alerts.yaml text. */
  rules: string;
  /** notify.yaml text for the receiver at `base`. */
  notify: (base: string) => string;
  reply?: Responder;
  locale: 'en' | 'zh-CN';
  publicUrl?: string;
}

export interface PagingBench {
  receiver: WebhookReceiver;
  db: Db;
  engine: AlertEngine;
  escalation: EscalationService;
  states: DeviceStateRegistry;
  /** Runtime services over the bench (a fresh set on each call, as an API restart makes; all closed by `close`). */
  services: () => ReturnType<typeof runtimeServices>;
  /** Fails the device's pings for two 30 s cycles, waits until every path in `paths` got its notice; the incident id. */
  openIncident: (paths: string[]) => Promise<string>;
  close: () => Promise<void>;
}

/** Starts the receiver, engine and escalation service (not the API: each test builds the app it needs). */
export async function startPagingBench(o: PagingBenchOptions): Promise<PagingBench> {
  const receiver = await startWebhookReceiver(o.reply);
  const db = openStateDb(o.dir);
  const log = pino({ level: 'silent' });
  const engine = createAlertEngine({ db, rules: parseAlertRules(o.rules), devices: [o.device], clock: o.clock, log });
  const escalation = createEscalationService({
    db, config: notifyConfig(o.dir, o.notify(receiver.url)), clock: o.clock, log, actions: engine, locale: o.locale, timezone: 'Asia/Shanghai',
    ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}), random: () => 0.5,
  });
  engine.addListener(escalation);
  await escalation.start();
  engine.start();
  const states = new DeviceStateRegistry(o.clock);
  states.sync([o.device]);
  const made: ReturnType<typeof runtimeServices>[] = [];
  const ok = async () => ({ ok: true as const, devices: 1, sites: 1, disabled: 0 });
  const services = () => {
    const s = runtimeServices({
      inventory: () => [o.device], states, latest: new LatestSamples(), engine, escalation, paging: escalation, db,
      reader: { series: async () => [] }, schedulerRunning: () => true, metrics: new Registry(),
      config: { validate: ok, reload: ok },
      now: () => o.clock.now(),
    });
    made.push(s);
    return s;
  };
  const openIncident = async (paths: string[]) => {
    for (let i = 0; i < 2; i++) {
      const s: Sample = { measurement: 'icmp', tags: { device: o.device.name, site: o.device.site, class: o.device.class }, fields: { up: false, loss_pct: 100, sent: 3n, received: 0n }, time: o.clock.now() };
      await engine.write([s]);
      await o.clock.advance(30_000);
    }
    await engine.settled();
    await escalation.flush();
    await receiver.waitFor((r) => paths.every((p) => r.some((x) => x.path === p)));
    return engine.listIncidents({ state: 'open' }).items[0]!.id;
  };
  const close = async () => {
    for (const s of made) s.close();
    await engine.stop();
    await escalation.stop();
    db.close();
    await receiver.close();
  };
  return { receiver, db, engine, escalation, states, services, openIncident, close };
}
