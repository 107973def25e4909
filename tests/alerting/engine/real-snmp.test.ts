import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { systemClock } from '../../../src/core/clock.js';
import { openStateDb, type Db } from '../../../src/core/database.js';
import type { IncidentEvent } from '../../../src/core/incident.js';
import type { Sample } from '../../../src/core/sample.js';
import type { Device } from '../../../src/config/inventory-schema.js';
import { freeUdpPort } from '../../../src/lab/ports.js';
import { createFpingPinger, fpingInstalled } from '../../../src/pollers/icmp/fping.js';
import { createIcmpPoller, type IcmpPoller } from '../../../src/pollers/icmp/poller.js';
import { createSnmpPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { createAlertEngine, type AlertEngine } from '../../../src/alerting/engine.js';
import { loadAlertRules } from '../../../src/alerting/rules.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../../src/lab/netns.js';
import { realSnmpsim } from '../../helpers/real-parts.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * The default rules on real samples: a real snmpsimd serving shared recordings, the real SNMP and ICMP
 * pollers, and the engine on a state database in a temp dir. The faults are real too: an agent that
 * does not answer (a device pointed at an unused UDP port) and a parent router that stops answering ping
 * (a network namespace whose link is taken down).
 */

if (!fpingInstalled()) throw new Error('fping is not installed: run npm run setup');

type Sim = Awaited<ReturnType<typeof realSnmpsim>>;
const whyNot = netnsUnavailableReason();
if (whyNot) console.warn(`skipping the alerting test on real polls: ${whyNot}`);

let sim: Sim;
let snmpPoller: SnmpPoller;
let icmpPoller: IcmpPoller;
let host: NetnsHost;
let db: Db;
let engine: AlertEngine;
const tmp = tempDir('noctua-alerting-real-');
const events: IncidentEvent[] = [];
const alertSamples: Sample[] = [];
let devices: Device[] = [];
const RECORDINGS = ['cisco-c3560', 'juniper-mx960-12-3r6-6', 'eaton-93e-80'];
const rules = () => loadAlertRules('config/alerts.example.yaml');

function device(name: string, o: Partial<Device> & { community?: string; port: number }): Device {
  const { community, port, ...rest } = o;
  return {
    name, address: '127.0.0.1', class: 'switch', site: 'lab', tags: [], enabled: true,
    icmp: { count: 2, intervalMs: 50, timeoutMs: 1000 },
    snmp: { version: '2c', community: community ?? name, port, timeoutMs: 800, retries: 0, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
    ...rest,
  };
}

function openEngine(): AlertEngine {
  return createAlertEngine({
    db, rules: rules(), devices, clock: systemClock, log: pino({ level: 'silent' }),
    listeners: [{ onIncidentEvent: (e) => { events.push(e); } }], onAlertEvents: (s) => alertSamples.push(...s),
  });
}

/** One poll cycle of every device, ICMP first as the scheduler's faster cadence would have it, then SNMP. */
async function cycle(): Promise<void> {
  const icmp = await icmpPoller.pollMany(devices.filter((d) => d.icmp !== false), AbortSignal.timeout(20_000));
  await engine.write([...icmp.values()].flatMap((r) => r.samples));
  const snmp = await Promise.all(devices.filter((d) => d.snmp !== false).map((d) => snmpPoller.poll(d, AbortSignal.timeout(20_000))));
  await engine.write(snmp.flatMap((r) => r.samples));
  await engine.settled();
}

const openIncidents = () => Object.fromEntries(engine.listIncidents({ state: ['open', 'acknowledged'] }).items
  .map((i) => [i.device, { severity: i.severity, muted: i.muted, rules: [...new Set(i.alerts.map((a) => a.rule))].sort(), suppressed: i.suppressedDevices }]));
const opened = (dev: string) => events.filter((e) => e.kind === 'opened' && e.incident.device === dev).length;

describe.skipIf(whyNot !== undefined)('default rules on real polls of snmpsimd recordings', () => {
  beforeAll(async () => {
    sim = await realSnmpsim();
    host = createNetnsHost(`al${process.pid % 10000}`, 150 + (process.pid % 50));
    snmpPoller = createSnmpPoller();
    icmpPoller = createIcmpPoller({ pinger: createFpingPinger() });
    const deadPort = await freeUdpPort();
    devices = [
      ...RECORDINGS.map((r) => device(r, { port: sim.port, class: sim.fixtures.find((f) => f.community === r)!.class as Device['class'] })),
      device('dead-agent', { community: 'cisco-c3560', port: deadPort }),
      device('wan-gw', { address: host.address4, class: 'router', tags: ['core'], snmp: false, port: 0 }),
      device('branch-sw', { community: 'cisco-c3560', port: deadPort, parent: 'wan-gw' }),
    ];
    db = openStateDb(tmp.dir);
    engine = openEngine();
  }, 120_000);

  afterAll(async () => {
    await engine?.stop();
    db?.close();
    await snmpPoller?.close();
    await icmpPoller?.close();
    host?.remove();
    await sim?.cleanup();
    tmp.cleanup();
  });

  it('a dead agent is exactly one incident after two cycles; a dead router is one P1 incident holding its child', async () => {
    host.linkDown();
    await cycle();
    expect(engine.listIncidents({ state: 'open' }).items.filter((i) => ['dead-agent', 'wan-gw', 'branch-sw'].includes(i.device ?? ''))).toEqual([]);
    await cycle();
    expect(openIncidents()).toEqual({
      'dead-agent': { severity: 'P3', muted: false, rules: ['snmp-unreachable'], suppressed: [] },
      'wan-gw': { severity: 'P1', muted: false, rules: ['device-down', 'snmp-unreachable'], suppressed: ['branch-sw'] },
      // What the recording itself holds: the C3560's "SW#1, Sensor#1, YELLOW" sensor reports warning.
      'cisco-c3560': { severity: 'P3', muted: false, rules: ['sensor-state'], suppressed: [] },
    });
    await cycle();
    expect(opened('dead-agent')).toBe(1);
    expect(opened('wan-gw')).toBe(1);
    expect(opened('branch-sw')).toBe(0);
    expect(alertSamples.filter((s) => s.tags.rule === 'snmp-unreachable' && s.tags.device === 'dead-agent').map((s) => s.tags.state)).toEqual(['pending', 'firing']);
  }, 60_000);

  it('when the router answers again it resolves, and the child whose agent is still dead pages on its own', async () => {
    host.linkUp();
    // The first echo after link-up can wait for neighbour discovery: wait until the router really answers.
    const gw = devices.filter((d) => d.name === 'wan-gw');
    for (let i = 0; i < 20; i++) {
      const r = await icmpPoller.pollMany(gw, AbortSignal.timeout(10_000));
      if (r.get('wan-gw')?.samples[0]?.fields.up === true) break;
    }
    await cycle();
    const inc = openIncidents();
    expect(inc['wan-gw']).toBeUndefined();
    expect(inc['branch-sw']).toEqual({ severity: 'P3', muted: false, rules: ['snmp-unreachable'], suppressed: [] });
    expect(events.filter((e) => e.incident.device === 'wan-gw').map((e) => e.kind).at(-1)).toBe('resolved');
  }, 60_000);

  it('after a restart the open incidents are still open and nothing is announced again', async () => {
    await engine.stop();
    const before = events.length;
    const openBefore = openIncidents();
    engine = openEngine();
    engine.start();
    await cycle();
    expect(openIncidents()).toEqual(openBefore);
    expect(events.slice(before)).toEqual([]);
  }, 60_000);

  it('the dead agent coming back resolves its incident', async () => {
    devices = devices.map((d) => (d.name === 'dead-agent' ? device('dead-agent', { community: 'cisco-c3560', port: sim.port }) : d));
    await cycle();
    expect(openIncidents()['dead-agent']).toBeUndefined();
    expect(events.filter((e) => e.incident.device === 'dead-agent').map((e) => e.kind)).toEqual(['opened', 'resolved']);
  }, 60_000);
});
