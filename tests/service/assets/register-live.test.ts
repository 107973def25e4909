import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/config/inventory-schema.js';
import { systemClock } from '../../../src/core/clock.js';
import { openStateDb, type Db } from '../../../src/core/database.js';
import { createInventoryPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { createAssetSink, type AssetSink } from '../../../src/service/assets/sink.js';
import { recordingVariation, snmpsimWith } from '../../helpers/real-parts.js';

/**
 * The asset register fed by the real inventory poller against snmpsimd serving a shared Cisco recording and
 * variations of it: a transceiver swapped at the same entPhysicalIndex, then the chassis software upgraded.
 */

const ENT = '1.3.6.1.2.1.47.1.1.1.1';
const hex = (s: string) => `4x|${Buffer.from(s, 'utf8').toString('hex')}`;
// entPhysicalIndex 1058 is the GigabitEthernet0/49 SFP, serial "AGT1105U10Z" (padded with blanks by the agent).
const SWAP = { [`${ENT}.11.1058`]: hex('FNS99999XYZ') };
const UPGRADE = { [`${ENT}.9.1001`]: hex('12.2(58)SE2'), [`${ENT}.10.1001`]: hex('12.2(58)SE2') };

let sim: Awaited<ReturnType<typeof snmpsimWith>>;
let db: Db;
let sink: AssetSink;
let poller: SnmpPoller;
let inventory: Device[];

beforeAll(async () => {
  sim = await snmpsimWith({
    'asset-base': recordingVariation('cisco-c3560', {}),
    'asset-swapped': recordingVariation('cisco-c3560', SWAP),
    'asset-upgraded': recordingVariation('cisco-c3560', { ...SWAP, ...UPGRADE }),
  });
  db = openStateDb('', ':memory:');
  poller = createInventoryPoller();
}, 90_000);

afterAll(async () => {
  await poller?.close();
  db?.close();
  await sim?.cleanup();
});

function device(community: string, timeoutMs = 5000): Device {
  return {
    name: 'core-sw1', address: '127.0.0.1', class: 'switch', site: 'hq', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community, port: sim.port, timeoutMs, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

/** One real inventory poll of `core-sw1` through the community, fed to the register; returns the new events. */
async function pollAs(community: string, timeoutMs?: number) {
  const before = sink.store.events().total;
  const r = await poller.poll(device(community, timeoutMs), AbortSignal.timeout(60_000));
  await sink.write(r.samples);
  return { result: r, events: sink.store.events({ offset: before }).items };
}

describe('asset register from real inventory polls', () => {
  it('a first poll adds the device with its chassis, PSU and transceivers', async () => {
    inventory = [device('asset-base')];
    sink = createAssetSink(db, () => inventory, systemClock);
    const { result, events } = await pollAs('asset-base');
    expect(result.errors).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['device-added']);
    const [rec] = sink.store.list();
    expect(rec).toMatchObject({ device: 'core-sw1', present: true, serial: 'FOC1408Z61U', model: 'WS-C3560G-48TS-E', firmware: '12.2(55)SE3', vendor: 'cisco' });
    const parts = new Map(rec!.parts.map((p) => [p.entity, p]));
    expect(parts.get('1001')?.part).toBe('chassis');
    expect(parts.get('1003')).toMatchObject({ part: 'psu', serial: 'AZS142215C3' });
    expect(parts.get('1058')).toMatchObject({ part: 'port', serial: 'AGT1105U10Z', name: 'GigabitEthernet0/49' });
    // Sensors without a serial are not assets.
    expect(rec!.parts.some((p) => p.part === 'sensor')).toBe(false);
  });

  it('an unchanged poll records no event', async () => {
    const { events } = await pollAs('asset-base');
    expect(events).toEqual([]);
  });

  it('a changed transceiver serial at the same position is exactly one module-swapped event with both serials', async () => {
    const { events } = await pollAs('asset-swapped');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ device: 'core-sw1', kind: 'module-swapped', entity: '1058', part: 'port', name: 'GigabitEthernet0/49', from: 'AGT1105U10Z', to: 'FNS99999XYZ' });
  });

  it('a chassis software upgrade is exactly one firmware-changed event', async () => {
    const { events } = await pollAs('asset-upgraded');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'firmware-changed', entity: '1001', part: 'chassis', from: '12.2(55)SE3', to: '12.2(58)SE2' });
    expect(sink.store.list()[0]!.firmware).toBe('12.2(58)SE2');
  });

  it('a failed inventory poll does not read as every part removed', async () => {
    const { result, events } = await pollAs('no-such-community', 500);
    expect(result.reachable).toBe(false);
    expect(events).toEqual([]);
    expect(sink.store.list()[0]!.parts.length).toBeGreaterThan(3);
  });

  it('a device taken out of the inventory is one device-removed event, and a late poll does not bring it back', async () => {
    inventory = [];
    const { events } = await pollAs('asset-upgraded');
    expect(events.map((e) => e.kind)).toEqual(['device-removed']);
    expect(sink.store.list()[0]).toMatchObject({ present: false });
    expect(sink.store.events({ device: 'core-sw1' }).items.map((e) => e.kind)).toEqual(['device-added', 'module-swapped', 'firmware-changed', 'device-removed']);
  });
});
