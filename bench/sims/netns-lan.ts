import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { numberToIpv4 } from '../../src/config/sections/discovery.js';
import { expandTargets, parseRanges } from '../../src/discovery/ranges.js';
import { netnsUnavailableReason } from '../../src/lab/netns.js';
import { GiveUpWaiting, waitFor } from '../../src/lab/ports.js';
import { snmpGetString } from '../../src/lab/snmpsim.js';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';

/**
 * A LAN in network namespaces for the discovery benchmark: one router namespace with a bridge holding the swept
 * CIDR, and `namespaces` agent namespaces plugged into the bridge, each holding `perNamespace` addresses of the CIDR
 * spread over the whole range, with ONE Debian snmpd listening on all of them. The rest of the CIDR has nobody
 * behind it: the router's ARP gets no answer, so an echo or SNMP request to it is lost as on a real LAN.
 * The root namespace reaches the CIDR through a veth pair to the router (a transit /30), so everything a sender
 * in the root namespace lets out toward the CIDR crosses that one interface and its tx counter counts it.
 * Every name starts with `nbench-<tag>` (interfaces in the root namespace: `nbench<tag>`).
 */
export interface NetnsLan {
  cidr: string;
  /** The addresses with an snmpd behind them, in range order. */
  agents: string[];
  /** The root namespace's end of the transit veth. */
  hostIf: string;
  snmpd: SupervisedProcess[];
  /** Packets the root namespace has sent toward the LAN (the transit veth's tx_packets). */
  txPackets(): number;
  /** UDP datagrams that arrived in the agent namespaces (delivered, no port, errors), from each snmpd's /proc/PID/net/snmp. */
  agentUdpIn(): number;
  stop(): Promise<void>;
}

/** Where the LAN lives: the swept CIDR, the transit /30's network address and the router's address on the bridge (outside the CIDR). */
export interface LanPlan { cidr: string; transit: string; gateway: string }

/** What {@link startNetnsLan} builds. */
export interface NetnsLanOptions extends LanPlan {
  dir: string;
  /** Keeps concurrent runs apart: the bench passes its pid. */
  tag: number;
  namespaces: number;
  perNamespace: number;
  community: string;
  /** Registers the LAN's removal before anything is built, so an interrupt during the build removes it too. */
  onCleanup(fn: () => Promise<void>): void;
}

/** Runs `ip -batch` (in namespace `ns` when given): one process for many commands, and an error naming the failing line. */
function ipBatch(ns: string | undefined, lines: readonly string[]): void {
  try {
    execFileSync('ip', [...(ns ? ['-n', ns] : []), '-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`ip ${ns ? `-n ${ns} ` : ''}-batch: ${e.stderr?.toString().trim() || e.message}`, { cause: err });
  }
}

/** Runs a command, ignoring failure (clean-up of what may already be gone). */
function quietly(cmd: string, args: string[]): void {
  try { execFileSync(cmd, args, { stdio: 'ignore' }); } catch { /* already gone */ }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Deletes `nbench-<pid>-*` namespaces and `nbench<pid>` links left by bench runs that died without cleaning up. */
export function removeStaleLans(): void {
  let names: string[] = [];
  try { names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean); } catch { return; }
  for (const n of names) {
    const m = /^nbench-(\d+)-/.exec(n);
    if (m && !alive(Number(m[1]))) quietly('ip', ['netns', 'del', n]);
  }
  let links = '';
  try { links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }); } catch { return; }
  for (const m of links.matchAll(/^\d+: nbench(\d+)[@:]/gm)) if (!alive(Number(m[1]))) quietly('ip', ['link', 'del', `nbench${m[1]}`]);
}

/** `count` addresses spread evenly over the hosts of `cidr`, first host up. */
export function spreadAddresses(cidr: string, count: number): string[] {
  const hosts = expandTargets(parseRanges([cidr], 'range'), []);
  if (count > hosts.length) throw new Error(`${count} agents do not fit in ${cidr} (${hosts.length} hosts)`);
  return Array.from({ length: count }, (_, i) => hosts[Math.floor((i * hosts.length) / count)]!);
}

/** The sum of Udp InDatagrams, NoPorts and InErrors in a /proc/net/snmp text. */
export function udpArrivals(procNetSnmp: string): number {
  const lines = procNetSnmp.split('\n').filter((l) => l.startsWith('Udp: '));
  if (lines.length < 2) throw new Error('no Udp lines in /proc/net/snmp');
  const keys = lines[0]!.split(/\s+/).slice(1);
  const vals = lines[1]!.split(/\s+/).slice(1).map(Number);
  return ['InDatagrams', 'NoPorts', 'InErrors'].reduce((s, k) => s + (vals[keys.indexOf(k)] ?? 0), 0);
}

/** Builds the LAN, starts one snmpd per agent namespace and waits until each answers from the root namespace. */
export async function startNetnsLan(o: NetnsLanOptions): Promise<NetnsLan> {
  const why = netnsUnavailableReason();
  if (why) throw new Error(`the discovery bench needs network namespaces (run it as root): ${why}`);
  removeStaleLans();
  const router = `nbench-${o.tag}-r`;
  const agentNs = Array.from({ length: o.namespaces }, (_, k) => `nbench-${o.tag}-a${k}`);
  const hostIf = `nbench${o.tag}`;
  const [transit] = parseRanges([o.transit], 'transit', false);
  const hostAddr = numberToIpv4(transit!.first + 1), routerAddr = numberToIpv4(transit!.first + 2);
  const agents = spreadAddresses(o.cidr, o.namespaces * o.perNamespace);
  const snmpd: SupervisedProcess[] = [];
  const stop = async () => {
    await Promise.all(snmpd.map((p) => p.stop(3000)));
    for (const ns of [...agentNs, router]) quietly('ip', ['netns', 'del', ns]);
    quietly('ip', ['link', 'del', hostIf]);
  };
  o.onCleanup(stop);
  try {
    for (const ns of [router, ...agentNs]) ipBatch(undefined, [`netns add ${ns}`]);
    ipBatch(undefined, [
      `link add ${hostIf} type veth peer name up0 netns ${router}`,
      `addr add ${hostAddr}/30 dev ${hostIf}`, `link set ${hostIf} up`, `route add ${o.cidr} via ${routerAddr} dev ${hostIf}`,
    ]);
    execFileSync('ip', ['netns', 'exec', router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], { stdio: 'pipe' });
    ipBatch(router, [
      'link set lo up', `addr add ${routerAddr}/30 dev up0`, 'link set up0 up',
      'link add br0 type bridge', `addr add ${o.gateway}/32 dev br0`, 'link set br0 up', `route add ${o.cidr} dev br0 src ${o.gateway}`,
      // One ARP probe per unknown address, not three: 1,022 unresolved neighbours stay well under the kernel's
      // neighbour table limit (gc_thresh3, one table for every namespace on the machine, other sessions' included).
      'ntable change name arp_cache dev br0 mcast_probes 1',
    ]);
    for (const [k, ns] of agentNs.entries()) {
      ipBatch(router, [`link add lan${k} type veth peer name eth0 netns ${ns}`, `link set lan${k} master br0`, `link set lan${k} up`]);
      const mine = agents.filter((_, i) => i % o.namespaces === k);
      const prefix = o.cidr.split('/')[1]!;
      ipBatch(ns, ['link set lo up', ...mine.map((a) => `addr add ${a}/${prefix} dev eth0`), 'link set eth0 up', `route add default via ${o.gateway} dev eth0 onlink`]);
      snmpd.push(startAgent(o, ns, k, mine));
    }
    for (const [k, ns] of agentNs.entries()) {
      const last = agents.filter((_, i) => i % o.namespaces === k).at(-1)!;
      const p = snmpd[k]!;
      await waitFor(`snmpd in ${ns} on ${last}`, async () => {
        if (!p.alive()) throw new GiveUpWaiting(`snmpd in ${ns} exited:\n${p.tail()}`);
        return (await snmpGetString(last, 161, o.community, '1.3.6.1.2.1.1.5.0', 500).catch(() => '')) === `nbench-agent-${k}`;
      }, 30_000, 200);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    cidr: o.cidr, agents, hostIf, snmpd,
    txPackets: () => Number(readFileSync(`/sys/class/net/${hostIf}/statistics/tx_packets`, 'utf8')),
    agentUdpIn: () => snmpd.reduce((s, p) => s + udpArrivals(readFileSync(`/proc/${p.pid}/net/snmp`, 'utf8')), 0),
    stop,
  };
}

/** One snmpd in agent namespace `ns` listening on port 161 of every address it holds (`ip netns exec` execs it: same pid). */
function startAgent(o: NetnsLanOptions, ns: string, k: number, addresses: readonly string[]): SupervisedProcess {
  const d = join(o.dir, `agent-${k}`);
  mkdirSync(join(d, 'persist'), { recursive: true });
  const conf = join(d, 'snmpd.conf');
  writeFileSync(conf, [
    `[snmp] persistentDir ${join(d, 'persist')}`, `rocommunity ${o.community} default`,
    `sysName nbench-agent-${k}`, 'sysLocation Noctua discovery bench', 'sysContact noc@example.invalid', 'master no', '',
  ].join('\n'));
  return superviseProcess(`snmpd ${ns}`, 'ip', [
    'netns', 'exec', ns, 'snmpd', '-f', '-Lf', join(d, 'snmpd.log'), '-C', '-c', conf, '-M', '/usr/share/snmp/mibs', '-m', '',
    addresses.map((a) => `udp:${a}:161`).join(','),
  ], { logFile: join(d, 'snmpd.out'), env: { ...process.env, SNMP_PERSISTENT_DIR: join(d, 'persist'), MIBS: '' } });
}
