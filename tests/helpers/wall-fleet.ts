/**
 * A fleet of any size behind the real API, as the wall sees it: the scheduler's device-state registry fed
 * with ICMP/SNMP poll reports, the alert engine opening incidents from the same samples, maintenance
 * windows in the engine, all joined by runtimeServices. For the wall's fleet-scale tests and their screenshots.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createAlertEngine, type AlertEngine } from '../../src/alerting/engine.js';
import { parseAlertRules } from '../../src/alerting/rules.js';
import { LatestSamples } from '../../src/api/latest-samples.js';
import { runtimeServices } from '../../src/api/runtime-services.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { apiSettings } from '../api/memory-noc.js';
import { DEVICE_DOWN_RULES, icmpRouter } from './engine-fixtures.js';
import { tempDir } from './tmp.js';

/** What each device of a generated fleet is doing. */
export type FleetState = 'up' | 'down' | 'unreachable' | 'maintenance' | 'unknown';

/** A running fleet: its server, and what was made of each device. */
export interface WallFleet {
  server: ApiServer;
  devices: readonly Device[];
  stateOf: ReadonlyMap<string, FleetState>;
  /** Polls a device as the scheduler reports it (registry, latest samples, alert engine). */
  poll(name: string, how: 'up' | 'down' | 'unreachable'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds `count` devices over `sites` sites (site-01…; the first site is the largest, as a head office is) and
 * gives each the state `pick` chooses; unreachable devices are polled twice so the engine opens their P1.
 */
export async function startWallFleet(opts: {
  count: number; sites: number; pick: (index: number, name: string, site: string) => FleetState;
  names?: (index: number, site: string) => string; settings?: Record<string, unknown>;
}): Promise<WallFleet> {
  const tmp = tempDir('noctua-wall-fleet-');
  const siteName = (i: number) => `site-${String(i + 1).padStart(2, '0')}`;
  const devices: Device[] = [];
  for (let i = 0; i < opts.count; i++) {
    // A quarter of the fleet at the head office, the rest spread evenly.
    const s = i < Math.floor(opts.count / 4) ? 0 : i % opts.sites;
    const site = siteName(s);
    const name = opts.names?.(i, site) ?? `${site}-dev-${String(i).padStart(4, '0')}`;
    devices.push(icmpRouter(name, site, i % 97 === 5 ? ['wan'] : []));
  }
  const states = new DeviceStateRegistry();
  const latest = new LatestSamples();
  const db: Db = openStateDb(tmp.dir);
  const engine: AlertEngine = createAlertEngine({ db, rules: parseAlertRules(DEVICE_DOWN_RULES), devices, log: pino({ level: 'silent' }) });
  states.sync(devices);
  const poll = async (name: string, how: 'up' | 'down' | 'unreachable') => {
    const d = devices.find((x) => x.name === name)!;
    const up = how !== 'unreachable';
    states.record(name, 'icmp', { ok: up, reachable: up, durationMs: up ? 2 : 3000, ...(up ? {} : { error: '100% loss' }) });
    if (how === 'down') states.record(name, 'snmp', { ok: false, reachable: false, durationMs: 5000, error: 'timeout' });
    if (how === 'up') states.record(name, 'snmp', { ok: true, reachable: true, durationMs: 40 });
    const sample: Sample = {
      measurement: 'icmp', tags: { device: name, site: d.site, class: 'router', vendor: 'cisco' },
      fields: up ? { up, loss_pct: 0, rtt_avg_ms: 1.5 + (name.length % 7) } : { up, loss_pct: 100 }, time: new Date(),
    };
    await latest.write([sample]);
    await engine.write([sample]);
  };
  const stateOf = new Map<string, FleetState>();
  const maintenance: string[] = [];
  for (const [i, d] of devices.entries()) {
    const st = opts.pick(i, d.name, d.site);
    stateOf.set(d.name, st);
    if (st === 'unknown') continue;
    if (st === 'maintenance') { maintenance.push(d.name); await poll(d.name, 'up'); continue; }
    await poll(d.name, st);
    if (st === 'unreachable') await poll(d.name, st);
  }
  if (maintenance.length > 0) {
    const start = new Date(Date.now() - 60_000);
    engine.maintenance.create({
      name: 'fleet-work', reason: 'planned work', owner: 'noc', devices: maintenance,
      start: start.toISOString(), end: new Date(start.getTime() + 2 * 3_600_000).toISOString(),
    }, 'test');
  }
  await engine.settled();
  const services = runtimeServices({
    inventory: () => devices, states, latest, engine,
    reader: { series: async () => [] },
    influx: { readiness: () => ({ ready: true, influx: 'reachable', spooling: false, detail: '' }) },
    schedulerRunning: () => true, metrics: new Registry(),
    config: {
      validate: async () => ({ ok: true, devices: devices.length, sites: opts.sites, disabled: 0 }),
      reload: async () => ({ ok: true, devices: devices.length, sites: opts.sites, disabled: 0 }),
    },
  });
  const server = await startApiServer({
    settings: apiSettings({ host: '127.0.0.1', port: 0, ...(opts.settings ?? {}) }), services, log: pino({ level: 'silent' }),
  });
  return {
    server, devices, stateOf, poll,
    async stop() {
      await server.close();
      services.close();
      await engine.stop();
      db.close();
      tmp.cleanup();
    },
  };
}
