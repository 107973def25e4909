import snmp from 'net-snmp';
import { freeUdpPort } from '../../../src/lab/ports.js';

/**
 * A stand-in SNMP agent on 127.0.0.1 built with net-snmp's agent API: the system group and IF-MIB's ifTable and
 * ifXTable, whose port names a test can change between polls (a device renaming its ports, or sending long text).
 */
export interface RenamingAgent {
  port: number;
  /** Sets every port's ifAlias and ifDescr (and optionally ifName) from `label(ifIndex)`. */
  rename(label: (ifIndex: number) => { ifAlias: string; ifDescr: string; ifName?: string }): void;
  /** Sets sysUpTime (hundredths of a second), so a fake poll clock does not read as a reboot. */
  setUptime(ticks: number): void;
  setSysDescr(text: string): void;
  close(): void;
}

const T = snmp.ObjectType;
const RO = snmp.MaxAccess['read-only'];
const NA = snmp.MaxAccess['not-accessible'];

export async function startRenamingAgent(ports: number): Promise<RenamingAgent> {
  const port = await freeUdpPort();
  // disableAuthorization: any community is served (the test is about what the agent says, not who may ask).
  const agent = snmp.createAgent({ port, address: '127.0.0.1', disableAuthorization: true }, () => undefined);
  const mib = agent.getMib();
  const scalar = (name: string, oid: string, scalarType: number) => mib.registerProvider({ name, type: snmp.MibProviderType.Scalar, oid, scalarType, maxAccess: RO });
  scalar('sysDescr', '1.3.6.1.2.1.1.1', T.OctetString);
  scalar('sysObjectID', '1.3.6.1.2.1.1.2', T.OID);
  scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks);
  scalar('sysName', '1.3.6.1.2.1.1.5', T.OctetString);
  mib.setScalarValue('sysDescr', 'Noctua stand-in switch');
  mib.setScalarValue('sysObjectID', '1.3.6.1.4.1.99999.1');
  mib.setScalarValue('sysUpTime', 100);
  mib.setScalarValue('sysName', 'renaming-switch');
  mib.registerProvider({
    name: 'ifEntry', type: snmp.MibProviderType.Table, oid: '1.3.6.1.2.1.2.2.1', maxAccess: NA,
    tableColumns: [
      { number: 1, name: 'ifIndex', type: T.Integer, maxAccess: RO },
      { number: 2, name: 'ifDescr', type: T.OctetString, maxAccess: RO },
      { number: 7, name: 'ifAdminStatus', type: T.Integer, maxAccess: RO },
      { number: 8, name: 'ifOperStatus', type: T.Integer, maxAccess: RO },
      { number: 10, name: 'ifInOctets', type: T.Counter, maxAccess: RO },
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  mib.registerProvider({
    name: 'ifXEntry', type: snmp.MibProviderType.Table, oid: '1.3.6.1.2.1.31.1.1.1', maxAccess: NA,
    tableColumns: [
      { number: 1, name: 'ifName', type: T.OctetString, maxAccess: RO },
      { number: 18, name: 'ifAlias', type: T.OctetString, maxAccess: RO },
    ],
    tableAugments: 'ifEntry',
  });
  for (let i = 1; i <= ports; i++) {
    mib.addTableRow('ifEntry', [i, `port ${i}`, 1, 1, 1000 * i]);
    mib.addTableRow('ifXEntry', [i, `p${i}`, '']);
  }
  return {
    port,
    rename(label) {
      for (let i = 1; i <= ports; i++) {
        const l = label(i);
        mib.setTableSingleCell('ifEntry', 2, [i], l.ifDescr);
        mib.setTableSingleCell('ifXEntry', 18, [i], l.ifAlias);
        if (l.ifName !== undefined) mib.setTableSingleCell('ifXEntry', 1, [i], l.ifName);
      }
    },
    setUptime(ticks) { mib.setScalarValue('sysUpTime', ticks); },
    setSysDescr(text) { mib.setScalarValue('sysDescr', text); },
    close() { agent.close(); },
  };
}
