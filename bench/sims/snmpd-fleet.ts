import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort, GiveUpWaiting, waitFor } from '../../src/lab/ports.js';
import { snmpGetString } from '../../src/lab/snmpsim.js';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';

/** One simulated device answered by a fleet snmpd: its own loopback address and community. */
export interface FleetAgent { address: string; port: number; community: string }

/** Debian snmpd processes, each answering many loopback addresses, one community per address. */
export interface SnmpdFleet {
  agents: FleetAgent[];
  processes: SupervisedProcess[];
  stop(): Promise<void>;
}

/** The address of agent `j` of snmpd process `k`: 127.60+k/250.(k%250).(j+1), clear of the lab's and the ICMP sweep's. */
export function fleetAddress(k: number, j: number): string {
  return `127.${60 + Math.floor(k / 250)}.${k % 250}.${j + 1}`;
}

/**
 * Starts `processes` snmpd, each listening on `perProcess` (at most 250) addresses of its own /24 at one port,
 * accepting a distinct community per device (`fleet-<k>-<j>`). snmpd cannot tie a community to the address it
 * was asked on, so every community works on every address of that process; the poller only ever uses its own.
 */
export async function startSnmpdFleet(dir: string, processes: number, perProcess: number): Promise<SnmpdFleet> {
  if (perProcess > 250) throw new Error('startSnmpdFleet: at most 250 addresses per process');
  const agents: FleetAgent[] = [];
  const procs: SupervisedProcess[] = [];
  const ready: (() => Promise<void>)[] = [];
  try {
    for (let k = 0; k < processes; k++) {
      const d = join(dir, `snmpd-${k}`);
      mkdirSync(join(d, 'persist'), { recursive: true });
      const port = await freeUdpPort();
      const mine: FleetAgent[] = Array.from({ length: perProcess }, (_, j) => ({ address: fleetAddress(k, j), port, community: `fleet-${k}-${j}` }));
      writeFileSync(join(d, 'snmpd.conf'), [
        `[snmp] persistentDir ${join(d, 'persist')}`,
        ...mine.map((a) => `rocommunity ${a.community} 127.0.0.0/8`),
        `sysName bench-snmpd-${k}`, 'sysLocation Noctua bench', 'sysContact noc@example.invalid', 'master no', '',
      ].join('\n'));
      const endpoints = mine.map((a) => `udp:${a.address}:${port}`).join(',');
      const p = superviseProcess(`snmpd-${k}`, 'snmpd', ['-f', '-Lo', '-C', '-c', join(d, 'snmpd.conf'), '-M', '/usr/share/snmp/mibs', '-m', '', endpoints], {
        logFile: join(d, 'snmpd.log'), env: { ...process.env, SNMP_PERSISTENT_DIR: join(d, 'persist'), MIBS: '' },
      });
      procs.push(p);
      const last = mine.at(-1)!;
      ready.push(() => waitFor(`fleet snmpd ${k} on ${last.address}:${port}`, async () => {
        if (!p.alive()) throw new GiveUpWaiting(`snmpd ${k} exited:\n${p.tail()}`);
        return (await snmpGetString(last.address, port, last.community, '1.3.6.1.2.1.1.5.0', 300).catch(() => '')) === `bench-snmpd-${k}`;
      }, 20_000, 100));
      agents.push(...mine);
    }
    // A hundred processes waited for one after another would take a minute of the section: 16 at a time.
    for (let i = 0; i < ready.length; i += 16) await Promise.all(ready.slice(i, i + 16).map((r) => r()));
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop()));
    throw err;
  }
  return { agents, processes: procs, stop: async () => { await Promise.all(procs.map((p) => p.stop())); } };
}
