import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../dashboards/build.js';
import { dashboardQueries } from '../../dashboards/common.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import { createSnmpPoller } from '../../src/pollers/snmp/index.js';
import { createInfluxSink } from '../../src/storage/index.js';
import { realInfluxd, snmpsimWith } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { interpolate, regexEscape, runQuery, type TimeRange } from './grafana-queries.js';

// The Device dashboard's BGP and optics panels, run as Grafana would send them against a real influxd holding what the
// SNMP poller read from real snmpsimd: the synthetic BGP and optics recordings (no shared recording has either).
const tmp = tempDir('noctua-dash-bgp-');
const OWN = join(import.meta.dirname, '../fixtures/snmp');
let influx: Awaited<ReturnType<typeof realInfluxd>>;
let range: TimeRange;

function deviceFor(name: string, community: string, port: number): Device {
  return {
    name, address: '127.0.0.1', class: 'router', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community, port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

beforeAll(async () => {
  const names = ['synthetic-bgp-cisco', 'synthetic-bgp-cisco-later', 'synthetic-optics-huawei'];
  const sim = await snmpsimWith(Object.fromEntries(names.map((n) => [n, readFileSync(join(OWN, `${n}.snmprec`), 'utf8')])));
  influx = await realInfluxd();
  const poller = createSnmpPoller();
  const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', precision: 'ms' });
  const sink = await createInfluxSink({ settings, stateDir: join(tmp.dir, 'writer'), log: pino({ level: 'silent' }) });
  const from = Date.now();
  try {
    // The router twice as recorded, then as it is a while later (one peer flapped, one came up); one optics switch.
    for (const community of ['synthetic-bgp-cisco', 'synthetic-bgp-cisco', 'synthetic-bgp-cisco-later']) {
      await sink.write((await poller.poll(deviceFor('edge-rt', community, sim.port), AbortSignal.timeout(30_000))).samples);
    }
    await sink.write((await poller.poll(deviceFor('access-sw', 'synthetic-optics-huawei', sim.port), AbortSignal.timeout(30_000))).samples);
    await sink.flush();
  } finally {
    await sink.close();
    await poller.close();
    await sim.cleanup();
  }
  range = { from: from - 60_000, to: Date.now() + 60_000 };
}, 90_000);

afterAll(async () => {
  await influx?.cleanup();
  tmp.cleanup();
});

const device = DASHBOARDS.find((d) => d.file === 'noctua-device.json')!.build();
const query = (title: string, refId = 'A') => {
  const q = dashboardQueries(device).find((x) => x.where.endsWith(`"${title}" ${refId}`));
  if (!q) throw new Error(`no query ${refId} on a panel "${title}"`);
  return q.query;
};
const run = (q: string, dev: string) => runQuery(influx.url, 'noctua', interpolate(q, new Map([['device', regexEscape(dev)]]), range, '10s'));
const rows = (series: Awaited<ReturnType<typeof run>>) => series.flatMap((s) => s.values.map((r) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, r[i]])) })));

describe('BGP and optics panels of the Device dashboard on polled samples', () => {
  it('BGP peers: the latest state, AS, prefixes and flaps of each peer of the chosen device only', async () => {
    const got = rows(await run(query('BGP peers'), 'edge-rt')).map(({ time: _t, ...r }) => r);
    expect(got).toEqual([
      { peer: '192.0.2.1', state: 'established', admin_up: true, remote_as: 64501, since: 30, accepted: 1000, advertised: 16, flaps: 1 },
      { peer: '198.51.100.7', state: 'established', admin_up: true, remote_as: 23456, since: 20, accepted: 7, advertised: 2, flaps: 0 },
      { peer: '203.0.113.9', state: 'idle', admin_up: false, remote_as: 65010, since: 7200, accepted: null, advertised: null, flaps: 0 },
    ]);
    expect(await run(query('BGP peers'), 'access-sw')).toEqual([]);
  });

  it('BGP session state: one lane per peer, ending in its latest state', async () => {
    const series = await run(query('BGP session state'), 'edge-rt');
    expect(series.map((s) => s.tags?.peer)).toEqual(['192.0.2.1', '198.51.100.7', '203.0.113.9']);
    const states = (peer: string) => series.find((s) => s.tags?.peer === peer)!.values.map((r) => r[1]).filter((v) => v !== null);
    // The three polls fall in one 10 s bucket: the lane shows the last state of the bucket.
    expect(states('198.51.100.7').at(-1)).toBe('established');
    expect(states('192.0.2.1').at(-1)).toBe('established');
    expect(new Set(states('203.0.113.9'))).toEqual(new Set(['idle']));
  });

  it('Optics power: Rx and Tx per port in dBm, and the module\'s low alarm limits as their own series', async () => {
    const last = async (refId: string) => Object.fromEntries((await run(query('Optics: Rx/Tx power', refId), 'access-sw'))
      .map((s) => [s.tags!.ifName!, s.values.map((r) => r[1]).filter((v) => v !== null).at(-1)]));
    expect(await last('A')).toEqual({ 'GigabitEthernet0/0/1': -5.12, 'GigabitEthernet0/0/2': -21.05 });
    expect(await last('B')).toEqual({ 'GigabitEthernet0/0/1': -2.3, 'GigabitEthernet0/0/2': -2.5 });
    expect(await last('C')).toEqual({ 'GigabitEthernet0/0/1': -17, 'GigabitEthernet0/0/2': -17 });
    expect(await last('D')).toEqual({ 'GigabitEthernet0/0/1': -9, 'GigabitEthernet0/0/2': -9 });
    expect(await run(query('Optics: Rx/Tx power'), 'edge-rt')).toEqual([]);
  });

  it('Optics table: every port and quantity with its limits and status; the weak Rx is critical', async () => {
    const got = rows(await run(query('Optics (DOM)'), 'access-sw'));
    expect(got).toHaveLength(10);
    expect(got.find((r) => r.ifName === 'GigabitEthernet0/0/2' && r.quantity === 'rx_power')).toMatchObject({ value: -21.05, low_alarm: -17, high_alarm: 0.5, status: 'critical' });
    expect(got.find((r) => r.ifName === 'GigabitEthernet0/0/1' && r.quantity === 'bias')).toMatchObject({ value: 0.0065, status: null });
  });
});
