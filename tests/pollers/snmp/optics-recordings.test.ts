import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/config/inventory-schema.js';
import type { Sample } from '../../../src/core/sample.js';
import { fixturesDir } from '../../../src/lab/paths.js';
import { createSnmpPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { device as alertDevice, startHarness } from '../../alerting/engine/harness.js';
import { snmpsimWith } from '../../helpers/real-parts.js';

/**
 * Transceiver DOM through a real snmpsimd and the SNMP poll, as `sensor` samples of kind optical. Of the shared
 * recordings only huawei-s5720 has hwEntityOptical rows, and every value there is the agent's "not available"
 * (no module fitted); the values come from synthetic recordings written from the MIBs' documented units
 * (tests/fixtures/snmp/synthetic-optics-*.snmprec). Expected values are read off their lines by hand.
 */

const OWN = join(import.meta.dirname, '../../fixtures/snmp');
const NAMES = ['synthetic-optics-huawei', 'synthetic-optics-huawei-uw', 'synthetic-optics-h3c', 'synthetic-optics-cisco', 'synthetic-optics-entity'];
const recordings: Record<string, string> = Object.fromEntries(NAMES.map((n) => [n, readFileSync(join(OWN, `${n}.snmprec`), 'utf8')]));
for (const shared of ['huawei-s5720', 'paloalto-pa-5000']) recordings[shared] = readFileSync(join(fixturesDir(), 'snmprec', `${shared}.snmprec`), 'utf8');

let sim: Awaited<ReturnType<typeof snmpsimWith>>;
let poller: SnmpPoller;

function deviceFor(name: string): Device {
  return {
    name, address: '127.0.0.1', class: 'switch', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community: name, port: sim.port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

async function poll(name: string): Promise<Sample[]> {
  const r = await poller.poll(deviceFor(name), AbortSignal.timeout(30_000));
  expect(r.samples.find((s) => s.measurement === 'snmp_poll')!.fields).toMatchObject({ ok: true });
  return r.samples;
}

/** Optical samples as `name -> fields`, checking each carries its interface and quantity tags. */
function optics(samples: Sample[]): Record<string, Sample['fields']> {
  const got = samples.filter((s) => s.measurement === 'sensor' && s.tags.kind === 'optical');
  for (const s of got) expect(s.tags.name).toBe(`${s.tags.ifName} ${s.tags.quantity!.replace('_', ' ')}`);
  return Object.fromEntries(got.map((s) => [s.tags.name!, s.fields]));
}

beforeAll(async () => {
  sim = await snmpsimWith(recordings);
  poller = createSnmpPoller();
}, 60_000);

afterAll(async () => {
  await poller?.close();
  await sim?.cleanup();
});

describe('optics DOM of synthetic recordings, read by the SNMP poll', () => {
  it('Huawei hwEntityOptical in hundredths of dBm: mapped by entAliasMappingTable or by entity name; the empty port gives nothing', async () => {
    expect(optics(await poll('synthetic-optics-huawei'))).toEqual({
      'GigabitEthernet0/0/1 rx power': { value: -5.12, low_alarm: -17, high_alarm: 0.5, low: false, high: false, status: 'ok', ok: true },
      'GigabitEthernet0/0/1 tx power': { value: -2.3, low_alarm: -9, high_alarm: 3, low: false, high: false, status: 'ok', ok: true },
      'GigabitEthernet0/0/1 temperature': { value: 35 },
      'GigabitEthernet0/0/1 voltage': { value: 3.3 },
      'GigabitEthernet0/0/1 bias': { value: 0.0065 },
      'GigabitEthernet0/0/2 rx power': { value: -21.05, low_alarm: -17, high_alarm: 0.5, low: true, high: false, status: 'critical', ok: false },
      'GigabitEthernet0/0/2 tx power': { value: -2.5, low_alarm: -9, high_alarm: 3, low: false, high: false, status: 'ok', ok: true },
      'GigabitEthernet0/0/2 temperature': { value: 33 },
      'GigabitEthernet0/0/2 voltage': { value: 3.28 },
      'GigabitEthernet0/0/2 bias': { value: 0.0071 },
    });
  });

  it('Huawei hwEntityOptical in microwatts (no negative power anywhere): converted to dBm, no light reads as the -40 dBm floor', async () => {
    expect(optics(await poll('synthetic-optics-huawei-uw'))).toEqual({
      'GigabitEthernet0/0/1 rx power': { value: -3.0103, low_alarm: -17, high_alarm: 0.5, low: false, high: false, status: 'ok', ok: true },
      'GigabitEthernet0/0/1 tx power': { value: 0 },
      'GigabitEthernet0/0/1 temperature': { value: 35 },
      'GigabitEthernet0/0/2 rx power': { value: -40 },
      'GigabitEthernet0/0/2 tx power': { value: -5.0031 },
      'GigabitEthernet0/0/2 temperature': { value: 30 },
    });
  });

  it('H3C hh3cTransceiverInfoTable by ifIndex, thresholds from tenths of µW; a copper module (2147483647) gives nothing', async () => {
    expect(optics(await poll('synthetic-optics-h3c'))).toEqual({
      'Ten-GigabitEthernet1/0/49 rx power': {
        value: -12.3, low_alarm: -16.0033, low_warn: -13.0016, high_warn: 0, high_alarm: 0.9999, low: false, high: false, status: 'ok', ok: true,
      },
      'Ten-GigabitEthernet1/0/49 tx power': {
        value: -2.15, low_alarm: -10, low_warn: -7.9997, high_warn: 0.9999, high_alarm: 2, low: false, high: false, status: 'ok', ok: true,
      },
      'Ten-GigabitEthernet1/0/49 temperature': { value: 41 },
    });
  });

  it('Cisco CISCO-ENTITY-SENSOR: scale and precision honoured, thresholds by severity and relation, sensor -> transceiver -> port; chassis sensors are no optics', async () => {
    const samples = await poll('synthetic-optics-cisco');
    expect(optics(samples)).toEqual({
      'Te1/1/1 rx power': { value: -3.5, low_alarm: -14, low_warn: -12, high_warn: 0.5, high_alarm: 1, low: false, high: false, status: 'ok', ok: true },
      'Te1/1/1 tx power': { value: -2.2 },
      'Te1/1/1 temperature': { value: 28.5 },
      'Te1/1/1 bias': { value: 0.0065 },
      'Te1/1/1 voltage': { value: 3.3 },
    });
    const s = samples.find((x) => x.tags.name === 'Te1/1/1 rx power')!;
    expect(s.tags).toMatchObject({ device: 'synthetic-optics-cisco', vendor: 'cisco', kind: 'optical', ifName: 'Te1/1/1', quantity: 'rx_power' });
  });

  it('ENTITY-SENSOR in watts (micro scale) on a transceiver entity: dBm; a sensor outside any port is left out', async () => {
    expect(optics(await poll('synthetic-optics-entity'))).toEqual({
      'Ethernet1 rx power': { value: -2.9999 },
      'Ethernet1 tx power': { value: 0 },
      'Ethernet1 temperature': { value: 30.2 },
    });
  });

  it.each(['huawei-s5720', 'paloalto-pa-5000'])('shared recording %s: no optical samples (no module values, chassis sensors only)', async (name) => {
    const samples = await poll(name);
    expect(samples.some((s) => s.measurement === 'interface')).toBe(true);
    expect(optics(samples)).toEqual({});
  });
});

describe('optic-rx-low on real samples', () => {
  it('fires on the port whose Rx power is below the device low threshold for three polls, not on the healthy one', async () => {
    const h = startHarness(readFileSync('config/alerts.example.yaml', 'utf8'), [alertDevice('synthetic-optics-huawei')]);
    for (let i = 0; i < 3; i++) {
      const samples = await poll('synthetic-optics-huawei');
      await h.engine.write(samples.map((s) => ({ ...s, time: h.clock.now() })));
      await h.engine.settled();
      await h.advance(60_000);
    }
    // Below the module's alarm limit the status is critical, so the generic sensor-critical rule fires at once as well;
    // both are one incident (grouped by device). Nothing fires for the healthy port 0/0/1.
    expect(h.transitions().filter((t) => !t.startsWith('pending')).sort()).toEqual([
      'firing optic-rx-low synthetic-optics-huawei/GigabitEthernet0/0/2 rx power',
      'firing sensor-critical synthetic-optics-huawei/GigabitEthernet0/0/2 rx power',
    ]);
    expect(h.engine.listIncidents({ state: ['open'] }).items).toHaveLength(1);
  });
});
