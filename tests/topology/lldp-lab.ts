import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';

/**
 * A three-level LLDP lab: namespaces core, dist, acc1, acc2 joined by veth pairs (all names prefixed `topo`),
 * each running Debian's snmpd (AgentX master) and lldpd with its AgentX sub-agent, so LLDP frames really flow
 * and LLDP-MIB is read over SNMP. The host reaches every device through the tree (host -> core -> dist -> acc),
 * as a poller in a NOC does, so cutting dist's uplink cuts the devices behind it too.
 */

/** One lab device: its namespace, management address and the processes in it. */
export interface LabNode { name: string; ns: string; address: string; procs: SupervisedProcess[] }

/** The running lab. */
export interface LldpLab {
  nodes: Map<string, LabNode>;
  /** Takes an interface in a node's namespace down or up. */
  link(node: string, ifName: string, up: boolean): void;
  stop(): Promise<void>;
}

function ip(...args: string[]): void {
  try { execFileSync('ip', args, { stdio: 'pipe' }); } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`ip ${args.join(' ')}: ${e.stderr?.toString().trim() || e.message}`, { cause: err });
  }
}

/** Topology: [a, a's interface, b, b's interface, /30 subnet index]; the host end is "host". */
const WIRES: [string, string, string, string, number][] = [
  ['host', 'topoh0', 'core', 'topoc0', 0],
  ['core', 'topoc1', 'dist', 'topod0', 1],
  ['dist', 'topod1', 'acc1', 'topoa0', 2],
  ['dist', 'topod2', 'acc2', 'topob0', 3],
];
/** Routes inside each namespace (the host routes the whole /16 to core). */
const ROUTES: Record<string, string[][]> = {
  core: [['default', 'via', '.0.1'], ['.2.0/23', 'via', '.1.2']],
  dist: [['default', 'via', '.1.1']],
  acc1: [['default', 'via', '.2.1']],
  acc2: [['default', 'via', '.3.1']],
};

/** Starts the lab in `dir` on 10.<octet>.0.0/16; `octet` keeps concurrent runs apart. */
export async function startLldpLab(dir: string, octet: number): Promise<LldpLab> {
  const net = `10.${octet}`;
  const nodes = new Map<string, LabNode>();
  const nsOf = (n: string) => `topo-${n}`;
  const cleanup = () => {
    for (const n of Object.keys(ROUTES)) try { execFileSync('ip', ['netns', 'del', nsOf(n)], { stdio: 'ignore' }); } catch { /* none */ }
    try { execFileSync('ip', ['link', 'del', 'topoh0'], { stdio: 'ignore' }); } catch { /* none */ }
    try { execFileSync('ip', ['route', 'del', `${net}.0.0/16`], { stdio: 'ignore' }); } catch { /* none */ }
  };
  cleanup();
  // lldpd drops to user _lldpd and runs lldpcli on its control socket here: a 0700 temp dir would lock it out.
  chmodSync(dir, 0o755);
  const lab: LldpLab = {
    nodes,
    link(node, ifName, up) { ip('-n', nsOf(node), 'link', 'set', ifName, up ? 'up' : 'down'); },
    async stop() {
      await Promise.all([...nodes.values()].flatMap((n) => n.procs.map((p) => p.stop(3000))));
      cleanup();
    },
  };
  try {
    for (const n of Object.keys(ROUTES)) {
      ip('netns', 'add', nsOf(n));
      ip('-n', nsOf(n), 'link', 'set', 'lo', 'up');
      execFileSync('ip', ['netns', 'exec', nsOf(n), 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    }
    for (const [a, ai, b, bi, sub] of WIRES) {
      ip('link', 'add', ai, ...(a === 'host' ? [] : ['netns', nsOf(a)]), 'type', 'veth', 'peer', 'name', bi, 'netns', nsOf(b));
      const ns = (x: string) => (x === 'host' ? [] : ['-n', nsOf(x)]);
      ip(...ns(a), 'addr', 'add', `${net}.${sub}.1/30`, 'dev', ai);
      ip(...ns(b), 'addr', 'add', `${net}.${sub}.2/30`, 'dev', bi);
      ip(...ns(a), 'link', 'set', ai, 'up');
      ip(...ns(b), 'link', 'set', bi, 'up');
      // Each device is managed on the address of its uplink (the wire toward core).
      nodes.set(b, { name: b, ns: nsOf(b), address: `${net}.${sub}.2`, procs: [] });
    }
    ip('route', 'add', `${net}.0.0/16`, 'via', `${net}.0.2`);
    for (const [n, routes] of Object.entries(ROUTES)) {
      for (const r of routes) ip('-n', nsOf(n), 'route', 'add', ...r.map((x) => (x.startsWith('.') ? `${net}${x}` : x)));
    }
    for (const node of nodes.values()) await startAgents(dir, node);
  } catch (err) {
    await lab.stop();
    throw err;
  }
  return lab;
}

/** snmpd (AgentX master on a private socket) and lldpd (-x into it), one second between LLDP frames. */
async function startAgents(dir: string, node: LabNode): Promise<void> {
  const agentx = join(dir, `${node.name}-agentx.sock`);
  const conf = join(dir, `${node.name}-snmpd.conf`);
  writeFileSync(conf, [
    `agentAddress udp:${node.address}:161`, 'rocommunity public default', 'master agentx', `agentXSocket unix:${agentx}`,
    `sysName ${node.name}`, `sysDescr lldp lab ${node.name}`, '',
  ].join('\n'));
  node.procs.push(superviseProcess(`snmpd ${node.name}`, 'ip', ['netns', 'exec', node.ns, '/usr/sbin/snmpd', '-f', '-Lf', join(dir, `${node.name}-snmpd.log`), '-C', '-c', conf, '-p', join(dir, `${node.name}-snmpd.pid`)], { logFile: join(dir, `${node.name}-snmpd.out`) }));
  const lldpConf = join(dir, `${node.name}-lldpd.conf`);
  writeFileSync(lldpConf, `configure system hostname ${node.name}\nconfigure lldp tx-interval 1\n`);
  // lldpd retries its AgentX connection, so it may start before snmpd listens.
  node.procs.push(superviseProcess(`lldpd ${node.name}`, 'ip', ['netns', 'exec', node.ns, 'lldpd', '-d', '-x', '-X', agentx, '-u', join(dir, `${node.name}-lldpd.sock`), '-O', lldpConf, '-I', 'topo*', '-m', node.address], { logFile: join(dir, `${node.name}-lldpd.log`) }));
}
