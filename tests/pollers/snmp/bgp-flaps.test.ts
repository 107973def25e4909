import { describe, expect, it } from 'vitest';
import { FlapMemory } from '../../../src/pollers/snmp/bgp/flaps.js';
import { inetAddressOfIndex } from '../../../src/pollers/snmp/bgp/prefixes.js';
import { peerOfIndex } from '../../../src/pollers/snmp/bgp/peers.js';

const up = (establishedS: number, transitions?: bigint) => ({ established: true, established_s: establishedS, ...(transitions !== undefined ? { established_transitions: transitions } : {}) });
const down = (establishedS: number, transitions?: bigint) => ({ established: false, established_s: establishedS, ...(transitions !== undefined ? { established_transitions: transitions } : {}) });

describe('BGP flap counting between two polls', () => {
  it.each([
    ['transitions rose by two while up on both polls', up(100, 5n), up(160, 7n), 2],
    ['transitions rose by one, down before and up now: a recovery', down(30, 5n), up(20, 6n), 0],
    ['transitions rose by two, down before and up now: one flap besides the recovery', down(30, 5n), up(20, 7n), 1],
    ['transitions unchanged', up(100, 5n), up(160, 5n), 0],
    ['no transitions column: established time restarted', up(1000), up(15), 1],
    ['no transitions column: established time grew as time passed', up(1000), up(1060), 0],
    ['no transitions column: an agent refreshing the time coarsely is no flap', up(1000), up(1050), 0],
    ['transitions went backwards (cleared): the established time decides', up(1000, 9n), up(12, 0n), 1],
    ['down on both polls', down(10, 1n), down(70, 1n), 0],
  ] as const)('%s', (_name, before, after, flaps) => {
    const m = new FlapMemory();
    expect(m.observe('192.0.2.1', before, 0)).toBeUndefined();
    expect(m.observe('192.0.2.1', after, 60_000)).toBe(flaps);
  });

  it('a peer removed from the device is forgotten: when it returns it starts without a baseline', () => {
    const m = new FlapMemory();
    m.observe('192.0.2.1', up(100, 1n), 0);
    m.keepOnly(new Set());
    expect(m.observe('192.0.2.1', up(5, 2n), 60_000)).toBeUndefined();
  });
});

describe('peer addresses in table indexes', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'], ['10.0.0', undefined], ['10.0.0.256', undefined], ['1.2.3.4.5', undefined], ['a.b.c.d', undefined],
  ])('bgpPeerTable index %s', (index, want) => expect(peerOfIndex(index)).toBe(want));

  it.each([
    [[4, 172, 16, 0, 1], '172.16.0.1'],
    [[16, 32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '2001:db8:0:0:0:0:0:1'],
    [[4, 1, 2, 3], undefined], [[5, 1, 2, 3, 4, 5], undefined], [[4, 1, 2, 3, 999], undefined],
  ])('InetAddress index %j', (parts, want) => expect(inetAddressOfIndex(parts)).toBe(want));
});
