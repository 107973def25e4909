import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { SampleBus } from '../../src/core/bus.js';
import { systemClock } from '../../src/core/clock.js';
import { openStateDb } from '../../src/core/database.js';
import { createLogger } from '../../src/core/log.js';
import type { Sample } from '../../src/core/sample.js';
import { fixturesDir, repoRoot } from '../../src/lab/paths.js';
import { createInventoryPoller, type SnmpPoller } from '../../src/pollers/snmp/index.js';
import { buildConsumers, type SampleConsumers } from '../../src/runtime/index.js';
import { recordingVariation, snmpsimWith } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Topology events in alert rules, the way trap and syslog events are: the runtime's own consumers (buildConsumers with
 * the process bus as the topology's `publish`) and the shipped rules of config/alerts.example.yaml (topology-mac-moved
 * switched on). A MAC moves port on a real agent (snmpsimd serving huawei-s5720, then a variation with one
 * dot1dTpFdbPort changed, read by the real inventory poller); a link goes lost and comes back.
 */

const MAC = '00:0b:86:a9:56:c0';
const PORT_OID = '1.3.6.1.2.1.17.4.3.1.2.0.11.134.169.86.192';
const tmp = tempDir('noctua-topo-rules-');
const db = openStateDb('', ':memory:');
const bus = new SampleBus((sink, err) => { throw new Error(`sink ${sink} failed`, { cause: err }); });
const seen: Sample[] = [];
let sim: Awaited<ReturnType<typeof snmpsimWith>>;
let poller: SnmpPoller;
let consumers: SampleConsumers;
let inventory: Device[];

/** The shipped topology rules, all enabled, plus two that pick MACs by the `entity` tag. */
function alertsYaml(): string {
  const example = parse(readFileSync(join(repoRoot, 'config', 'alerts.example.yaml'), 'utf8')) as { rules: { name: string; enabled?: boolean }[] };
  const rules: object[] = example.rules.filter((r) => r.name.startsWith('topology-')).map((r) => ({ ...r, enabled: true }));
  const byMac = (name: string, mac: string) => ({
    name, severity: 'P2', select: { measurement: 'event', match: { type: 'mac-moved', entity: [mac] } },
    condition: { event: { resolveAfter: '1h' } }, summary: '{{device}} {{instance}}: {{value}}',
  });
  rules.push(byMac('server-mac-moved', MAC), byMac('other-mac-moved', '00:00:5e:00:53:01'));
  return stringify({ rules });
}

const t0 = Date.now();
const neighbor = (device: string, ifName: string, chassis: string, port: string, min: number): Sample => ({
  measurement: 'neighbor', tags: { device, protocol: 'lldp', ifName, neighbor: '1.1' }, time: new Date(t0 + min * 60_000),
  fields: { remote_chassis_id: chassis, remote_port_id: port, remote_port_desc: '', remote_sysname: '', remote_mgmt_address: '', local_port_id: '', local_port_desc: '' },
});
const system = (device: string, chassis: string): Sample => ({ measurement: 'system', tags: { device }, time: new Date(t0), fields: { sysName: device, lldp_chassis_id: chassis } });
const done = (device: string, min: number): Sample => ({ measurement: 'snmp_poll', tags: { device, kind: 'inventory' }, time: new Date(t0 + min * 60_000), fields: { ok: true } });
const alertsOf = (rule: string) => consumers.alerts.listAlerts({ limit: 100 }).items.filter((a) => a.rule === rule);

beforeAll(async () => {
  const base = readFileSync(join(fixturesDir(), 'snmprec', 'huawei-s5720.snmprec'), 'utf8');
  sim = await snmpsimWith({ before: base, after: recordingVariation('huawei-s5720', { [PORT_OID]: '2|3' }) });
  poller = createInventoryPoller();
  writeFileSync(join(tmp.dir, 'noctua.yaml'), stringify({ stateDir: join(tmp.dir, 'state'), api: { enabled: false }, topology: { root: 'core', lostAfter: 2 } }));
  writeFileSync(join(tmp.dir, 'devices.yaml'), stringify({
    devices: [
      { name: 'acc-sw', address: '127.0.0.1', class: 'switch', snmp: { community: 'before', port: sim.port } },
      { name: 'core', address: '10.0.0.1', class: 'router', snmp: false },
      { name: 'acc', address: '10.0.0.3', class: 'switch', snmp: false },
    ],
  }));
  writeFileSync(join(tmp.dir, 'alerts.yaml'), alertsYaml());
  const cfg = loadFullConfig(tmp.dir);
  inventory = cfg.devices;
  consumers = await buildConsumers(cfg, createLogger({ level: 'silent' }), db, systemClock, { noStorage: true, publish: (x) => bus.publish(x) });
  for (const s of consumers.sinks) bus.add(s);
  bus.add({ name: 'seen', write: async (b) => { seen.push(...b); }, close: async () => {} });
}, 60_000);

afterAll(async () => {
  await poller?.close();
  await sim?.cleanup();
  await consumers?.alerts.stop();
  db.close();
  tmp.cleanup();
});

describe('topology events in alert rules', () => {
  it('a MAC that moved on a real agent opens the shipped rule on its new port, and a rule picking that MAC by entity', async () => {
    const dev = (community: string): Device => {
      const d = inventory.find((x) => x.name === 'acc-sw')!;
      if (!d.snmp) throw new Error('acc-sw has SNMP in devices.yaml');
      return { ...d, snmp: { ...d.snmp, community, timeoutMs: 4000, retries: 1 } };
    };
    const first = await poller.poll(dev('before'), AbortSignal.timeout(60_000));
    expect(first.samples.find((s) => s.measurement === 'snmp_poll')!.fields.ok).toBe(true);
    await bus.publish(first.samples);
    await consumers.alerts.settled();
    expect(seen.filter((s) => s.measurement === 'event')).toEqual([]);

    await bus.publish((await poller.poll(dev('after'), AbortSignal.timeout(60_000))).samples);
    await consumers.alerts.settled();
    // The event went round the bus: every sink saw it, not only the engine.
    expect(seen.filter((s) => s.measurement === 'event').map((s) => [s.tags.type, s.tags.entity, s.tags.ifName])).toEqual([['mac-moved', MAC, 'GigabitEthernet0/0/3']]);
    expect(alertsOf('topology-mac-moved').map((a) => [a.device, a.instance, a.state])).toEqual([['acc-sw', 'GigabitEthernet0/0/3', 'firing']]);
    expect(alertsOf('server-mac-moved').map((a) => [a.device, a.state])).toEqual([['acc-sw', 'firing']]);
    expect(alertsOf('other-mac-moved')).toEqual([]);
    const incident = consumers.alerts.listIncidents({ state: 'open' }).items.find((i) => i.device === 'acc-sw');
    expect(incident?.title).toContain(`MAC ${MAC} moved on acc-sw from XGigabitEthernet0/0/1 to GigabitEthernet0/0/3`);
  }, 60_000);

  it('a lost link fires topology-link-lost on its first end, and link-restored resolves it', async () => {
    await bus.publish([system('core', '00:01'), system('acc', '00:03'), neighbor('acc', 'up0', '00:01', 'ge1', 0), done('acc', 0), done('core', 0)]);
    // Two inventory cycles of acc without the link (topology.lostAfter: 2).
    await bus.publish([done('acc', 60)]);
    await bus.publish([done('acc', 120)]);
    await consumers.alerts.settled();
    expect(seen.filter((s) => s.tags.source === 'topology' && s.tags.type !== 'mac-moved').map((s) => [s.tags.type, s.tags.device, s.tags.ifName, s.tags.entity]))
      .toEqual([['link-lost', 'acc', 'up0', 'core ge1']]);
    expect(alertsOf('topology-link-lost').map((a) => [a.device, a.instance, a.state])).toEqual([['acc', 'up0', 'firing']]);

    await bus.publish([neighbor('acc', 'up0', '00:01', 'ge1', 180), done('acc', 180)]);
    await consumers.alerts.settled();
    const restored = seen.filter((s) => s.tags.type === 'link-restored');
    expect(restored.map((s) => [s.tags.device, s.tags.ifName, s.fields.clears])).toEqual([['acc', 'up0', 'link-lost']]);
    expect(alertsOf('topology-link-lost').map((a) => [a.instance, a.state])).toEqual([['up0', 'resolved']]);
  });
});
