/**
 * A small LAN of real Debian snmpd agents behind network namespaces, routed from the host, for discovery tests:
 * `disc-lan-<pid>` holds the addresses of the swept /28 (and a chain of LLDP neighbours outside it), `disc-out-<pid>`
 * holds addresses no packet may reach (an excluded one inside the /28, one outside every range). Every agent logs
 * each request it gets; the namespaces' kernel counters (/proc/<pid>/net/snmp of a process inside) count every echo
 * request and UDP datagram that arrived.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snmpGetString } from '../../src/lab/snmpsim.js';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';
import { GiveUpWaiting, waitFor } from '../../src/lab/ports.js';

/** One agent: its host number in the /24, community, identity and the LLDP neighbours it announces. */
export interface LanAgent {
  host: number;
  community: string;
  sysName: string;
  sysObjectID?: string;
  sysDescr?: string;
  /** Host numbers of neighbours whose management address its LLDP tables announce. */
  announces?: number[];
  /** Lives in the namespace no packet may reach. */
  unreachable?: boolean;
}

/** The running LAN. */
export interface Lan {
  net: string;
  at(host: number): string;
  /** Requests the agent at `host` logged since the LAN was ready (readiness checks left out). */
  requests(host: number): number;
  /** Echo requests and UDP datagrams the namespace's kernel received since the LAN was ready. */
  arrived(where: 'lan' | 'out'): number;
  stop(): Promise<void>;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** snmpd.conf lines that make LLDP-MIB rows announcing `address` (lldpRemTable and lldpRemManAddrTable). */
function lldpOverrides(index: number, sysName: string, address: string): string[] {
  const row = `0.${index}.1`;
  return [
    `override 1.0.8802.1.1.2.1.4.1.1.5.${row} octet_str "${sysName}-chassis"`,
    `override 1.0.8802.1.1.2.1.4.1.1.9.${row} octet_str "${sysName}"`,
    `override 1.0.8802.1.1.2.1.4.2.1.3.${row}.1.4.${address} integer 2`,
  ];
}

/** Counters of ICMP echo requests and UDP datagrams received, from a /proc/<pid>/net/snmp text. */
export function arrivedPackets(text: string): number {
  const lines = text.split('\n');
  const value = (proto: string, field: string) => {
    const [head, row] = lines.filter((l) => l.startsWith(`${proto}:`));
    const i = head?.split(/\s+/).indexOf(field) ?? -1;
    return i < 0 ? 0 : Number(row!.split(/\s+/)[i]);
  };
  return value('Icmp', 'InEchos') + value('Udp', 'InDatagrams') + value('Udp', 'NoPorts') + value('Udp', 'InErrors');
}

/**
 * Builds the two namespaces and the agents. `extraLan` are addresses the LAN holds without an agent (a host that
 * answers ping only). The /24 is 10.203.<n>.0 with n from the process id.
 */
export async function startLan(dir: string, agents: readonly LanAgent[], extraLan: readonly number[]): Promise<Lan> {
  const n = 20 + (process.pid % 200);
  const net = `10.203.${n}`;
  const at = (h: number) => `${net}.${h}`;
  const lan = `disc-lan-${process.pid}`, out = `disc-out-${process.pid}`;
  const hostIf = { lan: `dl${process.pid}`.slice(0, 15), out: `do${process.pid}`.slice(0, 15) };
  const procs = new Map<number, SupervisedProcess>();
  const offsets = new Map<number, number>();
  const remove = () => {
    for (const ns of [lan, out]) { try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* gone */ } }
    for (const i of Object.values(hostIf)) { try { execFileSync('ip', ['link', 'del', i], { stdio: 'ignore' }); } catch { /* gone */ } }
  };
  remove();
  const stop = async () => { await Promise.all([...procs.values()].map((p) => p.stop())); remove(); };
  try {
    for (const [ns, side] of [[lan, 'lan'], [out, 'out']] as const) {
      ip('netns', 'add', ns);
      ip('link', 'add', hostIf[side], 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      for (const [where, dev] of [['', hostIf[side]], [ns, 'eth0']] as const) {
        const pre = where ? ['netns', 'exec', where] : [];
        // No IPv6 on these links: no router or neighbour solicitations in the counters.
        if (where) ip(...pre, 'sysctl', '-q', '-w', `net.ipv6.conf.${dev}.disable_ipv6=1`);
        else execFileSync('sysctl', ['-q', '-w', `net.ipv6.conf.${dev}.disable_ipv6=1`], { stdio: 'pipe' });
        ip(...pre, ...(where ? ['ip'] : []), 'link', 'set', dev, 'up');
      }
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    ip('addr', 'add', `${at(1)}/24`, 'dev', hostIf.lan);
    ip('netns', 'exec', lan, 'ip', 'addr', 'add', `${at(2)}/24`, 'dev', 'eth0');
    for (const h of [...agents.filter((a) => !a.unreachable).map((a) => a.host), ...extraLan]) ip('netns', 'exec', lan, 'ip', 'addr', 'add', `${at(h)}/32`, 'dev', 'eth0');
    ip('netns', 'exec', out, 'ip', 'route', 'add', 'default', 'dev', 'eth0');
    for (const a of agents.filter((x) => x.unreachable)) {
      ip('netns', 'exec', out, 'ip', 'addr', 'add', `${at(a.host)}/32`, 'dev', 'eth0');
      ip('route', 'add', `${at(a.host)}/32`, 'dev', hostIf.out, 'src', at(1));
    }
    for (const a of agents) {
      const d = join(dir, `agent-${a.host}`);
      mkdirSync(join(d, 'persist'), { recursive: true });
      const conf = join(d, 'snmpd.conf');
      writeFileSync(conf, [
        `[snmp] persistentDir ${join(d, 'persist')}`,
        `rocommunity ${a.community} default`,
        `sysName ${a.sysName}`,
        ...(a.sysObjectID ? [`sysObjectID ${a.sysObjectID}`] : []),
        ...(a.sysDescr ? [`sysDescr ${a.sysDescr}`] : []),
        'master no',
        ...(a.announces ?? []).flatMap((h, i) => lldpOverrides(i + 1, `neighbour-${h}`, at(h))),
        '',
      ].join('\n'));
      const ns = a.unreachable ? out : lan;
      procs.set(a.host, superviseProcess(`snmpd-${a.host}`, 'ip', ['netns', 'exec', ns, 'snmpd', '-f', '-Lo', '-C', '-c', conf, '-M', '/usr/share/snmp/mibs', '-m', '', `udp:${at(a.host)}:161`], {
        logFile: join(d, 'snmpd.log'), env: { ...process.env, SNMP_PERSISTENT_DIR: join(d, 'persist'), MIBS: '' },
      }));
    }
    for (const a of agents) {
      const p = procs.get(a.host)!;
      await waitFor(`snmpd at ${at(a.host)}`, async () => {
        if (!p.alive()) throw new GiveUpWaiting(`snmpd at ${at(a.host)} exited: ${readFileSync(p.logFile, 'utf8').slice(-400)}`);
        return (await snmpGetString(at(a.host), 161, a.community, '1.3.6.1.2.1.1.5.0', 300).catch(() => '')) === a.sysName;
      }, 20_000, 100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const count = (h: number) => (readFileSync(procs.get(h)!.logFile, 'utf8').match(/^Connection from UDP:/gm) ?? []).length;
  for (const a of agents) offsets.set(a.host, count(a.host));
  const inside = { lan: agents.find((a) => !a.unreachable)!.host, out: agents.find((a) => a.unreachable)!.host };
  const counters = (where: 'lan' | 'out') => arrivedPackets(readFileSync(`/proc/${procs.get(inside[where])!.pid}/net/snmp`, 'utf8'));
  // The readiness checks' requests are not the tests' business.
  const base = { lan: counters('lan'), out: counters('out') };
  return {
    net, at,
    requests: (h) => count(h) - offsets.get(h)!,
    arrived: (where) => counters(where) - base[where],
    stop,
  };
}
