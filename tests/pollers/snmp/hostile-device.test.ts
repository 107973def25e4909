import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_POLLS, LatestSamples } from '../../../src/api/latest-samples.js';
import type { Device } from '../../../src/config/inventory-schema.js';
import { FakeClock } from '../../../src/core/clock.js';
import type { Sample } from '../../../src/core/sample.js';
import { influxQuery } from '../../../src/lab/influxd.js';
import { createSnmpPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { encodeSample } from '../../../src/storage/influx/line-protocol.js';
import { realInfluxd } from '../../helpers/real-parts.js';
import { startRenamingAgent, type RenamingAgent } from './renaming-agent.js';

/**
 * A device controls its strings. One that renames its ports on every poll must not grow Noctua's memory
 * (LatestSamples) or InfluxDB's series index; one that sends huge text must see it cut to 255 bytes.
 * A stand-in agent (net-snmp's agent API on loopback) plays the device; a private influxd stores what is written.
 */

const PORTS = 8;
const RENAMES = 1000;
const DB = 'hostile';
let agent: RenamingAgent;
let influx: Awaited<ReturnType<typeof realInfluxd>>;
let clock: FakeClock;
let poller: SnmpPoller;
const start = Date.UTC(2026, 0, 5);

const device = (name: string): Device => ({
  name, address: '127.0.0.1', class: 'switch', site: 'lab', tags: [], enabled: true, icmp: false,
  snmp: { version: '2c', community: 'any', port: agent.port, timeoutMs: 2000, retries: 1, maxRepetitions: 20 },
  intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
});

/** One poll a minute later, with sysUpTime moving along (so it never reads as a reboot). */
async function pollNext(dev: Device): Promise<Sample[]> {
  await clock.advance(60_000);
  agent.setUptime(Math.floor((clock.ms() - start) / 10));
  const r = await poller.poll(dev, AbortSignal.timeout(10_000));
  expect(r.errors).toEqual([]);
  return r.samples;
}

async function writeToInflux(samples: readonly Sample[]): Promise<void> {
  const body = samples.map((s) => encodeSample(s, 'ms')).filter((l): l is string => l !== undefined).join('\n');
  const res = await fetch(`${influx.url}/write?db=${DB}&precision=ms`, { method: 'POST', body });
  expect(res.status, await res.text()).toBe(204);
}

beforeAll(async () => {
  agent = await startRenamingAgent(PORTS);
  try {
    influx = await realInfluxd();
  } catch (err) {
    agent.close();
    throw err;
  }
  await influxQuery(influx.url, `CREATE DATABASE ${DB}`);
  clock = new FakeClock(start);
  poller = createSnmpPoller({ clock });
}, 60_000);

afterAll(async () => {
  await poller?.close();
  agent?.close();
  await influx?.cleanup();
});

describe('a device that renames its ports', () => {
  it('1,000 renames keep LatestSamples at one entry per port and InfluxDB at one series per port', { timeout: 180_000 }, async () => {
    const dev = device('renaming-switch');
    const latest = new LatestSamples();
    let batch: Sample[] = [];
    let sizeAfterFirst = 0;
    for (let n = 0; n < RENAMES; n++) {
      agent.rename((i) => ({ ifAlias: `uplink ${i} rename ${n}`, ifDescr: `GigabitEthernet0/${i} rev ${n}` }));
      const samples = await pollNext(dev);
      await latest.write(samples);
      if (n === 0) sizeAfterFirst = latest.size();
      else expect(latest.size()).toBe(sizeAfterFirst);
      batch.push(...samples);
      if (batch.length > 2000 || n === RENAMES - 1) { await writeToInflux(batch); batch = []; }
    }
    const ifs = latest.of(dev.name).filter((s) => s.measurement === 'interface');
    expect(ifs.length).toBe(PORTS);
    expect(ifs.map((s) => s.tags.ifAlias).sort()).toEqual(Array.from({ length: PORTS }, (_, k) => `uplink ${k + 1} rename ${RENAMES - 1}`).sort());

    const series = await influxQuery(influx.url, 'SHOW SERIES FROM "interface"', DB);
    expect(series[0]!.series![0]!.values.length).toBe(PORTS);
    // The alias is still there to read, as a field: the last one written per port.
    const last = await influxQuery(influx.url, 'SELECT last("ifAlias") FROM "interface" WHERE "ifIndex" = \'3\'', DB);
    expect(last[0]!.series![0]!.values[0]![1]).toBe(`uplink 3 rename ${RENAMES - 1}`);
  });
});

describe('a device that sends huge text', () => {
  it('sysDescr and ifAlias arrive cut to 255 bytes with control characters replaced, identification stays fast', { timeout: 30_000 }, async () => {
    const dev = device('huge-text');
    agent.setSysDescr(`Ruijie ${'('.repeat(30_000)}\r\nend`);
    agent.rename((i) => ({ ifAlias: `端口${i}\u001b[2J${'x'.repeat(4000)}`, ifDescr: `d${i}\n${'y'.repeat(4000)}` }));
    const t0 = performance.now();
    const samples = await pollNext(dev);
    expect(performance.now() - t0).toBeLessThan(2000);
    const sys = samples.find((s) => s.measurement === 'system')!;
    expect(Buffer.byteLength(String(sys.fields.sysDescr))).toBeLessThanOrEqual(255);
    for (const s of samples.filter((x) => x.measurement === 'interface')) {
      for (const v of [s.tags.ifAlias!, s.tags.ifDescr!]) {
        expect(Buffer.byteLength(v)).toBeLessThanOrEqual(255);
        expect(v).not.toMatch(/[\u0000-\u001f]/);
      }
      expect(s.tags.ifAlias).toMatch(/^端口\d \[2Jxxx/);
    }
    agent.setSysDescr('Noctua stand-in switch');
  });
});

describe('LatestSamples ages out what the device no longer has', () => {
  const at = (min: number) => new Date(start + min * 60_000);
  const ifSample = (ifIndex: string, min: number, alias = ''): Sample => ({
    measurement: 'interface', tags: { device: 'sw', site: 's', class: 'switch', vendor: 'v', ifIndex, ifName: `p${ifIndex}`, ifAlias: alias }, fields: { oper_up: true }, time: at(min),
  });
  const sensor = (name: string, min: number): Sample => ({ measurement: 'sensor', tags: { device: 'sw', site: 's', class: 'switch', vendor: 'v', sensor: name }, fields: { value: 1 }, time: at(min) });

  it(`an instance missing from ${KEEP_POLLS} polls of its measurement is dropped; a failed poll drops nothing`, async () => {
    const latest = new LatestSamples();
    await latest.write([ifSample('1', 0), ifSample('2', 0), sensor('fan-a', 0)]);
    // Port 2 is gone from the next polls; the sensor is renamed (named by what the device says).
    for (let min = 1; min < KEEP_POLLS; min++) await latest.write([ifSample('1', min), sensor('fan-b', min)]);
    expect(latest.of('sw').map((s) => s.tags.ifIndex ?? s.tags.sensor).sort()).toEqual(['1', '2', 'fan-a', 'fan-b']);
    await latest.write([ifSample('1', KEEP_POLLS), sensor('fan-b', KEEP_POLLS)]);
    expect(latest.of('sw').map((s) => s.tags.ifIndex ?? s.tags.sensor).sort()).toEqual(['1', 'fan-b']);
    // Polls that bring no interface samples at all (device unreachable) leave the last known ports in place.
    for (let min = KEEP_POLLS + 1; min < KEEP_POLLS + 10; min++) await latest.write([{ measurement: 'snmp_poll', tags: { device: 'sw' }, fields: { ok: false }, time: at(min) }]);
    expect(latest.of('sw').filter((s) => s.measurement === 'interface').length).toBe(1);
  });

  it('an interface is its ifIndex: a new alias replaces the entry instead of adding one', async () => {
    const latest = new LatestSamples();
    await latest.write([ifSample('7', 0, 'old')]);
    await latest.write([ifSample('7', 1, 'new')]);
    expect(latest.of('sw').map((s) => s.tags.ifAlias)).toEqual(['new']);
  });
});
