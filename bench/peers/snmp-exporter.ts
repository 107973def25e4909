import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freeTcpPort, waitFor } from '../../src/lab/ports.js';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';

/**
 * Debian's prometheus-snmp-exporter 0.21 ships no usable snmp.yml and no IF-MIB for its generator,
 * so the `if_mib` module is written here by hand in the 0.21 format (auth inside the module),
 * one module per community because 0.21 cannot take the community per target.
 */
const IF_TABLE = '1.3.6.1.2.1.2.2.1';
const IFX_TABLE = '1.3.6.1.2.1.31.1.1.1';

const COLUMNS: [string, string, 'counter' | 'gauge'][] = [
  ['ifInOctets', `${IF_TABLE}.10`, 'counter'], ['ifOutOctets', `${IF_TABLE}.16`, 'counter'],
  ['ifInUcastPkts', `${IF_TABLE}.11`, 'counter'], ['ifOutUcastPkts', `${IF_TABLE}.17`, 'counter'],
  ['ifInDiscards', `${IF_TABLE}.13`, 'counter'], ['ifOutDiscards', `${IF_TABLE}.19`, 'counter'],
  ['ifInErrors', `${IF_TABLE}.14`, 'counter'], ['ifOutErrors', `${IF_TABLE}.20`, 'counter'],
  ['ifAdminStatus', `${IF_TABLE}.7`, 'gauge'], ['ifOperStatus', `${IF_TABLE}.8`, 'gauge'], ['ifSpeed', `${IF_TABLE}.5`, 'gauge'],
  ['ifHCInOctets', `${IFX_TABLE}.6`, 'counter'], ['ifHCOutOctets', `${IFX_TABLE}.10`, 'counter'],
  ['ifHCInUcastPkts', `${IFX_TABLE}.7`, 'counter'], ['ifHCOutUcastPkts', `${IFX_TABLE}.11`, 'counter'],
  ['ifHCInMulticastPkts', `${IFX_TABLE}.8`, 'counter'], ['ifHCOutMulticastPkts', `${IFX_TABLE}.12`, 'counter'],
  ['ifHCInBroadcastPkts', `${IFX_TABLE}.9`, 'counter'], ['ifHCOutBroadcastPkts', `${IFX_TABLE}.13`, 'counter'],
  ['ifHighSpeed', `${IFX_TABLE}.15`, 'gauge'],
];

/** The if_mib module for one community, in snmp_exporter 0.21's snmp.yml format. */
export function ifMibModule(community: string, maxRepetitions: number) {
  const lookups = [
    { labels: ['ifIndex'], labelname: 'ifName', oid: `${IFX_TABLE}.1`, type: 'DisplayString' },
    { labels: ['ifIndex'], labelname: 'ifDescr', oid: `${IF_TABLE}.2`, type: 'DisplayString' },
    { labels: ['ifIndex'], labelname: 'ifAlias', oid: `${IFX_TABLE}.18`, type: 'DisplayString' },
  ];
  return {
    walk: ['1.3.6.1.2.1.2', '1.3.6.1.2.1.31.1.1'],
    get: ['1.3.6.1.2.1.1.3.0'],
    metrics: [
      { name: 'sysUpTime', oid: '1.3.6.1.2.1.1.3', type: 'gauge', help: 'sysUpTime' },
      ...COLUMNS.map(([name, oid, type]) => ({ name, oid, type, help: name, indexes: [{ labelname: 'ifIndex', type: 'gauge' }], lookups })),
    ],
    version: 2,
    max_repetitions: maxRepetitions,
    retries: 1,
    timeout: '5s',
    auth: { community },
  };
}

/** A running exporter with a module per community (`if_mib_<community>`). */
export interface SnmpExporter {
  url: string;
  pid: number;
  process: SupervisedProcess;
  scrape(target: string, community: string): Promise<string>;
  stop(): Promise<void>;
}

/** Writes snmp.yml and starts prometheus-snmp-exporter on a free loopback port. */
export async function startSnmpExporter(dir: string, communities: string[], maxRepetitions = 25): Promise<SnmpExporter> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'snmp.yml');
  writeFileSync(file, stringify(Object.fromEntries(communities.map((c) => [moduleName(c), ifMibModule(c, maxRepetitions)]))));
  const port = await freeTcpPort();
  const proc = superviseProcess('snmp_exporter', 'prometheus-snmp-exporter', [`--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { logFile: join(dir, 'snmp_exporter.log') });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`snmp_exporter on ${url}`, async () => (await fetch(url).catch(() => undefined))?.ok === true, 15_000);
  return {
    url, pid: proc.pid, process: proc,
    async scrape(target, community) {
      const r = await fetch(`${url}/snmp?target=${encodeURIComponent(target)}&module=${moduleName(community)}`);
      const text = await r.text();
      if (!r.ok) throw new Error(`snmp_exporter ${r.status}: ${text.slice(0, 200)}`);
      return text;
    },
    stop: () => proc.stop(),
  };
}

function moduleName(community: string): string {
  return `if_mib_${community.replace(/[^A-Za-z0-9_]/g, '_')}`;
}
