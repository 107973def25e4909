import { describe, expect, it } from 'vitest';
import { parseNeighbors } from '../../../src/pollers/snmp/neighbors/index.js';
import type { ColumnValues, SnmpValue } from '../../../src/pollers/snmp/session.js';

/** Neighbour rows from hostile or unusual agents: what is kept, bounded or dropped. */

function cols(entries: Record<string, Record<string, SnmpValue>>): ColumnValues {
  return new Map(Object.entries(entries).map(([c, rows]) => [c, new Map(Object.entries(rows))]));
}
const REM = '1.0.8802.1.1.2.1.4.1.1';
const MAN = '1.0.8802.1.1.2.1.4.2.1.3';
const IFNAME = '1.3.6.1.2.1.31.1.1.1.1';

describe('LLDP rows from hostile agents', () => {
  it('bounds a long sysName to 255 bytes and replaces control runs by one space', () => {
    const [row] = parseNeighbors(['lldp'], cols({
      [`${REM}.5`]: { '0.3.1': Buffer.from('x') },
      [`${REM}.9`]: { '0.3.1': Buffer.from(`evil\r\n\u001b[31m${'A'.repeat(5000)}`) },
      [IFNAME]: { 3: Buffer.from('eth3') },
    }));
    expect(String(row!.fields.remote_sysname)).toMatch(/^evil \[31mA+$/);
    expect(Buffer.byteLength(String(row!.fields.remote_sysname))).toBe(255);
    expect(row!.tags).toEqual({ protocol: 'lldp', ifName: 'eth3', ifIndex: '3', neighbor: '3.1' });
  });

  it('reads a management address whose index leaves out the length octet, and prefers IPv4 over IPv6', () => {
    const [row] = parseNeighbors(['lldp'], cols({
      [`${REM}.5`]: { '0.7.2': Buffer.from('x') },
      [MAN]: { '0.7.2.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1': 2, '5.7.2.1.192.0.2.9': 2 },
    }));
    expect(row!.fields.remote_mgmt_address).toBe('192.0.2.9');
    expect(row!.tags.ifName).toBe('lldp port 7');
    expect(row!.tags.ifIndex).toBeUndefined();
  });

  it('drops rows whose index is not timeMark.localPortNum.remIndex and shows a non-MAC chassis id as text', () => {
    const rows = parseNeighbors(['lldp'], cols({
      [`${REM}.4`]: { '0.1.1': 4, '1.2': 4 },
      [`${REM}.5`]: { '0.1.1': Buffer.from('not-six-bytes-long'), '1.2': Buffer.from('aabbcc') },
    }));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fields.remote_chassis_id).toBe('not-six-bytes-long');
    expect(rows[0]!.fields.remote_chassis_id_subtype).toBe('mac');
  });
});

describe('CDP rows from hostile agents', () => {
  it('leaves out an address of an unknown type and ignores an oversized capability mask', () => {
    const C = '1.3.6.1.4.1.9.9.23.1.2.1.1';
    const [row] = parseNeighbors(['cdp'], cols({
      [`${C}.3`]: { '9.1': 7 }, [`${C}.4`]: { '9.1': Buffer.from([1, 2, 3, 4]) },
      [`${C}.6`]: { '9.1': Buffer.from('sw1\u202e') }, [`${C}.9`]: { '9.1': Buffer.from([0, 0, 0, 0, 1]) },
    }));
    expect(row!.fields).toMatchObject({ remote_mgmt_address: '', remote_caps: '', remote_sysname: 'sw1' });
    expect(row!.tags).toEqual({ protocol: 'cdp', ifName: 'ifIndex 9', ifIndex: '9', neighbor: '9.1' });
  });
});
