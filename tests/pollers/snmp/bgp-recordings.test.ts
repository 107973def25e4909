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
 * BGP peers through a real snmpsimd and the SNMP (metrics) poll. No shared recording has BGP4-MIB's bgpPeerTable
 * (grep 1.3.6.1.2.1.15.3 in ../shared/fixtures/snmprec finds none), so these are synthetic recordings written
 * from the MIBs (tests/fixtures/snmp/synthetic-bgp-*.snmprec); the expected rows below are read off their lines.
 */

const OWN = join(import.meta.dirname, '../../fixtures/snmp');
const NAMES = ['synthetic-bgp-cisco', 'synthetic-bgp-cisco-later', 'synthetic-bgp-juniper', 'synthetic-bgp-huawei'];
const recordings: Record<string, string> = Object.fromEntries(NAMES.map((n) => [n, readFileSync(join(OWN, `${n}.snmprec`), 'utf8')]));
// A real device without BGP: no bgp_peer samples, and the table is not asked for on every poll.
recordings['cisco-c3560'] = readFileSync(join(fixturesDir(), 'snmprec', 'cisco-c3560.snmprec'), 'utf8');

let sim: Awaited<ReturnType<typeof snmpsimWith>>;
let poller: SnmpPoller;

function deviceFor(name: string, community: string): Device {
  return {
    name, address: '127.0.0.1', class: 'router', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community, port: sim.port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

async function poll(name: string, community = name): Promise<Sample[]> {
  const r = await poller.poll(deviceFor(name, community), AbortSignal.timeout(30_000));
  expect(r.samples.find((s) => s.measurement === 'snmp_poll')!.fields).toMatchObject({ ok: true });
  return r.samples;
}

const peers = (samples: Sample[]) => Object.fromEntries(samples.filter((s) => s.measurement === 'bgp_peer').map((s) => [s.tags.peer!, s.fields]));

beforeAll(async () => {
  sim = await snmpsimWith(recordings);
  poller = createSnmpPoller();
}, 60_000);

afterAll(async () => {
  await poller?.close();
  await sim?.cleanup();
});

describe('BGP peers of synthetic recordings, read by the SNMP poll', () => {
  it('Cisco: bgpPeerTable rows with cbgpPeerAddrFamilyPrefixTable counts summed over address families', async () => {
    const samples = await poll('synthetic-bgp-cisco');
    expect(samples.find((s) => s.measurement === 'bgp_peer')!.tags).toMatchObject({ device: 'synthetic-bgp-cisco', vendor: 'cisco' });
    expect(peers(samples)).toEqual({
      '192.0.2.1': {
        state: 'established', established: true, admin_up: true, remote_as: 64501n, peer_id: '192.0.2.1', local_addr: '192.0.2.2',
        in_updates: 1200n, out_updates: 800n, established_transitions: 3n, established_s: 86400,
        // 950 + 50 (IPv4 unicast, VPNv4), 12 + 4.
        accepted_prefixes: 1000n, advertised_prefixes: 16n,
      },
      '198.51.100.7': {
        state: 'active', established: false, admin_up: true, remote_as: 23456n, peer_id: '0.0.0.0', local_addr: '0.0.0.0',
        in_updates: 0n, out_updates: 0n, established_transitions: 0n, established_s: 3600,
      },
      '203.0.113.9': {
        state: 'idle', established: false, admin_up: false, remote_as: 65010n, peer_id: '0.0.0.0', local_addr: '0.0.0.0',
        in_updates: 0n, out_updates: 0n, established_transitions: 2n, established_s: 7200,
      },
    });
  });

  it('Juniper: prefix counters joined to the peer through jnxBgpM2PeerIndex; no transitions column, none reported', async () => {
    const got = peers(await poll('synthetic-bgp-juniper'));
    expect(got).toEqual({
      '10.0.0.1': {
        state: 'established', established: true, admin_up: true, remote_as: 65001n, peer_id: '10.0.0.1', local_addr: '10.0.0.2',
        in_updates: 500n, out_updates: 400n, established_s: 1000, accepted_prefixes: 3500n, advertised_prefixes: 30n,
      },
      '10.0.0.5': {
        state: 'connect', established: false, admin_up: true, remote_as: 65002n, peer_id: '0.0.0.0', local_addr: '10.0.0.6',
        in_updates: 0n, out_updates: 0n, established_s: 50,
      },
    });
  });

  it('Huawei: hwBgpPeerRouteTable of the public instance only (a VPN instance row for the same address is left out)', async () => {
    const got = peers(await poll('synthetic-bgp-huawei'));
    expect(got['172.16.0.1']).toMatchObject({ state: 'established', remote_as: 4809n, accepted_prefixes: 801500n, advertised_prefixes: 28n, established_s: 500000 });
    expect(got['172.16.0.9']).toEqual({
      state: 'opensent', established: false, admin_up: true, remote_as: 4134n, peer_id: '0.0.0.0', local_addr: '172.16.0.10',
      in_updates: 0n, out_updates: 0n, established_transitions: 0n, established_s: 0,
    });
  });

  it('a device without bgpPeerTable gives no bgp_peer samples', async () => {
    const samples = await poll('cisco-c3560');
    expect(samples.some((s) => s.measurement === 'interface')).toBe(true);
    expect(samples.filter((s) => s.measurement === 'bgp_peer')).toEqual([]);
  });
});

describe('flaps and the bgp rules on real samples', () => {
  it('a session that re-established between polls counts one flap; a peer coming up is a recovery; bgp-peer-down fires after three polls and clears', async () => {
    const h = startHarness(readFileSync('config/alerts.example.yaml', 'utf8'), [alertDevice('edge', { class: 'router' })]);
    const feed = async (samples: Sample[]) => {
      await h.engine.write(samples.map((s) => ({ ...s, time: h.clock.now() })));
      await h.engine.settled();
      await h.advance(60_000);
    };
    // Firing and resolved only: a condition met on fewer polls than `consecutive` shows as pending first.
    const changes = () => h.transitions().filter((t) => !t.startsWith('pending'));
    const first = await poll('edge', 'synthetic-bgp-cisco');
    // First sight: no baseline, so no flap count yet.
    expect(Object.values(peers(first)).map((f) => f.flaps)).toEqual([undefined, undefined, undefined]);
    await feed(first);
    const second = await poll('edge', 'synthetic-bgp-cisco');
    expect(Object.values(peers(second)).map((f) => f.flaps)).toEqual([0n, 0n, 0n]);
    await feed(second);
    expect(changes()).toEqual([]);
    await feed(await poll('edge', 'synthetic-bgp-cisco'));
    // 198.51.100.7 is started but Active on three polls; 203.0.113.9 is shut down (admin stop) and never fires.
    expect(changes()).toEqual(['firing bgp-peer-down edge/198.51.100.7']);

    const later = await poll('edge', 'synthetic-bgp-cisco-later');
    const got = peers(later);
    // 192.0.2.1: transitions 3 -> 4 while Established on both polls; 198.51.100.7: 0 -> 1 but it was down (recovery).
    expect(got['192.0.2.1']!.flaps).toBe(1n);
    expect(got['198.51.100.7']!.flaps).toBe(0n);
    expect(got['203.0.113.9']!.flaps).toBe(0n);
    await feed(later);
    // One batch: the two changes it causes come in no particular order.
    expect(changes().slice(1).sort()).toEqual(['firing bgp-peer-flap edge/192.0.2.1', 'resolved bgp-peer-down edge/198.51.100.7']);
    expect(changes()).toHaveLength(3);
  });
});
