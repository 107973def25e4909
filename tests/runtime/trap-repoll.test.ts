import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import type { Sink } from '../../src/core/bus.js';
import type { Sample } from '../../src/core/sample.js';
import { netnsUnavailableReason } from '../../src/lab/netns.js';
import { freeUdpPort } from '../../src/lab/ports.js';
import { startNoctua, type NoctuaRuntime } from '../../src/main.js';
import { startNetnsAgent, type NetnsAgent } from '../events/netns-agent.js';
import { waitFor } from '../events/helpers.js';
import { tempDir } from '../helpers/tmp.js';

// `noctua start` as shipped (the real scheduler, SNMP poller, alert engine with config/alerts.example.yaml and the
// trap receiver) against Debian's snmpd in a network namespace polled every 60 s. A real linkDown trap from the
// device must open the uplink-down incident within 3 s of the trap: only an immediate re-poll can do that.

const whyNot = netnsUnavailableReason();
if (whyNot) console.warn(`skipping the trap re-poll test: ${whyNot}`);

const tmp = tempDir('noctua-trap-repoll-');
const samples: Sample[] = [];
let agent: NetnsAgent;
let rt: NoctuaRuntime;
let trapTarget = '';

const interfaceSamples = (ifName: string, since: number) =>
  samples.filter((s) => s.measurement === 'interface' && s.tags.ifName === ifName && s.time.getTime() >= since);
const openIncident = (rule: string) => rt.alerts!.listIncidents({ state: ['open', 'acknowledged'] }).items
  .find((i) => i.device === 'edge-sw' && i.alerts.some((a) => a.rule === rule && a.state === 'firing'));
const ifVarbinds = (i: number, name: string, oper: number) => [
  `1.3.6.1.2.1.2.2.1.1.${i}`, 'i', String(i), `1.3.6.1.2.1.2.2.1.7.${i}`, 'i', '1', `1.3.6.1.2.1.2.2.1.8.${i}`, 'i', String(oper),
  `1.3.6.1.2.1.31.1.1.1.1.${i}`, 's', name,
];
const trapArgs = (down: boolean, i: number, name: string) =>
  ['-v', '2c', '-c', 'nocpublic', trapTarget, '', `1.3.6.1.6.3.1.1.5.${down ? 3 : 4}`, ...ifVarbinds(i, name, down ? 2 : 1)];
const trap = (down: boolean, i: number, name: string) => agent.snmptrap(trapArgs(down, i, name));

describe.skipIf(whyNot !== undefined)('a linkDown trap re-polls the device at once', () => {
  beforeAll(async () => {
    agent = await startNetnsAgent(join(tmp.dir, 'agent'), `events${process.pid % 10000}`, 100 + (process.pid % 40));
    const trapPort = await freeUdpPort(agent.host.hostAddress4);
    trapTarget = `${agent.host.hostAddress4}:${trapPort}`;
    const dir = join(tmp.dir, 'config');
    mkdirSync(dir, { recursive: true });
    copyFileSync('config/alerts.example.yaml', join(dir, 'alerts.yaml'));
    writeFileSync(join(dir, 'noctua.yaml'), stringify({
      stateDir: join(tmp.dir, 'state'), locale: 'en', scheduler: { selfInterval: '2s', drainTimeout: '2s' },
      api: { enabled: true, host: '127.0.0.1', port: 0, publicWall: true },
      events: {
        traps: { enabled: true, listen: trapTarget, communities: ['nocpublic'] },
        storm: { window: '4s', threshold: 5 },
        rateLimit: { perSecond: 5000, burst: 5000 },
        repoll: { minGap: '5s' },
      },
    }));
    writeFileSync(join(dir, 'devices.yaml'), stringify({
      defaults: { intervals: { icmp: '60s', snmp: '60s', inventory: '6h' } },
      devices: [{
        name: 'edge-sw', address: agent.address, class: 'switch', icmp: false,
        snmp: { version: '2c', community: agent.community, port: agent.port, timeoutMs: 1500, retries: 1 },
      }],
    }));
    const sink: Sink = { name: 'memory', async write(b) { samples.push(...b); }, async close() {} };
    rt = await startNoctua(loadFullConfig(dir), pino({ level: 'silent' }), { sinks: [sink], noStorage: true });
    // The baseline the change rule needs (the port seen up), from the same seam the trap uses.
    expect(rt.scheduler.pollNow('edge-sw')).toBe('started');
    await waitFor('a first poll with evup up', () => interfaceSamples('evup', 0).some((s) => s.fields.oper_up === true), 15_000);
  }, 60_000);

  afterAll(async () => {
    await rt?.stop();
    await agent?.stop();
    tmp.cleanup();
  });

  it('uplink-down opens within 3 s of the trap, from a re-poll that sees the port down, while the 60 s cycle keeps its slot', async () => {
    // The regular slot is a hash of the name: when it falls within the next seconds, let it pass first, so that
    // only the trap's re-poll can be what sees the port down (one run in ~20 landed within 3 s of the trap).
    await waitFor('the regular SNMP slot more than 5 s away', () => rt.scheduler.nextDue('edge-sw', 'snmp')! - Date.now() > 5000, 10_000);
    const nextCycle = rt.scheduler.nextDue('edge-sw', 'snmp')!;
    await agent.setLinkDown(true);
    const t0 = Date.now();
    expect(await trap(true, agent.ifIndex, agent.ifName)).toBe(0);
    const incident = await waitFor('the uplink-down incident', () => openIncident('uplink-down'), 3000);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(3000);
    console.info(`uplink-down opened ${elapsed} ms after the linkDown trap was sent`);
    // The re-poll is what saw it: an interface sample after the trap with the port down (and admin up).
    const confirmed = interfaceSamples('evup', t0 - 1000).find((s) => s.fields.oper_up === false);
    expect(confirmed?.fields.admin_up).toBe(true);
    expect(confirmed?.tags.ifAlias).toBe('uplink to core');
    // The regular cycle did not run: its slot is where it was, a minute away.
    expect(rt.scheduler.nextDue('edge-sw', 'snmp')).toBe(nextCycle);
    expect(nextCycle - t0).toBeGreaterThan(3000);
    // The trap itself is in the same incident (grouped by device).
    expect(incident.alerts.map((a) => a.rule).sort()).toEqual(['link-down-event', 'uplink-down']);
  });

  it('the wall data lists the trap-driven incident', async () => {
    const res = await rt.api!.app.inject({ method: 'GET', url: '/api/v1/wall' });
    expect(res.statusCode).toBe(200);
    const wall = res.json() as { incidents: { device: string; alerts?: { rule: string }[]; title?: string }[] };
    const inc = wall.incidents.find((i) => i.device === 'edge-sw');
    expect(inc, JSON.stringify(wall.incidents)).toBeDefined();
    expect(JSON.stringify(inc)).toContain('uplink');
  });

  it('the linkUp trap re-polls again and uplink-down resolves without waiting for the cycle', async () => {
    await agent.setLinkDown(false);
    // The debounce gap of the first re-poll has passed by now (the agent took seconds to report the port up).
    const t0 = Date.now();
    expect(await trap(false, agent.ifIndex, agent.ifName)).toBe(0);
    await waitFor('uplink-down to resolve', () => openIncident('uplink-down') === undefined, 8000);
    expect(interfaceSamples('evup', t0 - 1000).some((s) => s.fields.oper_up === true)).toBe(true);
  });

  it('a 1,000-trap flap storm on one port is one alert, its count in the event view and self metrics, and a few re-polls', async () => {
    const statsBefore = latestSelf();
    const port = 4242;
    const name = 'GE0/0/42';
    const t0 = Date.now();
    // 1,000 real snmptrap runs from the device, alternating down and up; the last one is a linkUp.
    const runs = Array.from({ length: 1000 }, (_x, i) => trapArgs(i % 2 === 0, port, name));
    expect(await agent.snmptrapLoop(runs, 90_000)).toBe(1000);
    const sentMs = Date.now() - t0;
    // The storm summary arrives when the storm window ends; the published counts then add up to 1,000.
    const count = () => samples.filter((s) => s.measurement === 'event' && s.tags.ifName === name).reduce((n, s) => n + Number(s.fields.count), 0);
    await waitFor('every event of the storm counted', () => count() === 1000, 20_000);
    const summaries = samples.filter((s) => s.measurement === 'event' && s.tags.ifName === name && s.fields.storm === true);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(String(summaries[0]!.fields.message)).toMatch(/^event storm on GE0\/0\/42: \d+ events held back \(\d+ link-(down|up), \d+ link-(down|up)\)/);
    const alerts = rt.alerts!.listAlerts({}).items.filter((a) => a.rule === 'link-down-event' && a.instance === name);
    expect(alerts).toHaveLength(1);
    // Self metrics: the held-back count, and re-polls folded into about one per 5 s gap instead of 1,000.
    const passed = samples.filter((s) => s.measurement === 'event' && s.tags.ifName === name && s.fields.storm === false).length;
    await waitFor('self samples counting the storm', () => (latestSelf()?.held_back ?? 0) - (statsBefore?.held_back ?? 0) === 1000 - passed, 10_000);
    // Storm control lets a few events and the summaries through; each asks for a re-poll, the gap folds them.
    const published = samples.filter((s) => s.measurement === 'event' && s.tags.ifName === name).length;
    await waitFor('every published storm event counted as a re-poll request',
      () => (latestSelf()?.repolls_requested ?? 0) - (statsBefore?.repolls_requested ?? 0) === published, 10_000);
    const started = (latestSelf()?.repolls_started ?? 0) - (statsBefore?.repolls_started ?? 0);
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 5000) + 1);
    console.info(`flap storm: 1,000 traps sent in ${sentMs} ms, ${passed} events and ${summaries.length} storm summaries published, ${started} re-polls`);
  }, 120_000);
});

function latestSelf(): Record<string, number> | undefined {
  const s = samples.filter((x) => x.measurement === 'noctua_self' && x.tags.component === 'events').at(-1);
  return s && Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, Number(v)]));
}
