import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetnsHost, type NetnsHost } from '../../src/lab/netns.js';
import { snmpGetString } from '../../src/lab/snmpsim.js';
import { GiveUpWaiting, waitFor } from '../../src/lab/ports.js';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';

/**
 * A switch that exists only on this machine: Debian's snmpd in a network namespace, with a port (`evup`, one end of
 * a veth pair inside the namespace) whose link the test takes down by downing its peer, so the agent reports it
 * oper down while admin up, as a switch reports a cable pulled at the far end. The port's ifAlias says "uplink"
 * (snmpd's `override`), so the shipped uplink-down rule selects it. Traps are sent from inside the namespace, so
 * they come from the device's own address.
 */
export interface NetnsAgent {
  host: NetnsHost;
  /** The device address (inside the namespace) and the agent's port and community. */
  address: string;
  port: number;
  community: string;
  /** ifIndex and ifName of the uplink port. */
  ifIndex: number;
  ifName: string;
  /** Takes the far end down (true) or up (false), then waits until the agent itself reports the new state. */
  setLinkDown(down: boolean): Promise<void>;
  /** Runs Net-SNMP's snmptrap inside the namespace; resolves with its exit code. */
  snmptrap(args: string[]): Promise<number>;
  /**
   * Runs snmptrap once per argument list, one after the other, from one shell inside the namespace (no `ip netns exec`
   * per trap); bounded by `timeoutMs`. Resolves with how many runs exited 0.
   */
  snmptrapLoop(runs: readonly string[][], timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

const IF_OPER_STATUS = '1.3.6.1.2.1.2.2.1.8';

function nsExec(ns: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the namespace and its agent; `tag` names them (events helper prefix), `subnet` keeps test files apart. */
export async function startNetnsAgent(dir: string, tag: string, subnet: number): Promise<NetnsAgent> {
  const host = createNetnsHost(tag, subnet);
  let proc: SupervisedProcess | undefined;
  try {
    const ns = host.name;
    nsExec(ns, ['ip', 'link', 'add', 'evup', 'type', 'veth', 'peer', 'name', 'evpeer']);
    nsExec(ns, ['ip', 'link', 'set', 'evup', 'up']);
    nsExec(ns, ['ip', 'link', 'set', 'evpeer', 'up']);
    const ifIndex = Number(/^(\d+):/.exec(nsExec(ns, ['ip', '-o', 'link', 'show', 'evup']))?.[1]);
    if (!Number.isInteger(ifIndex)) throw new Error('could not read the ifIndex of evup');
    const community = 'noctua-events';
    const port = 1161;
    mkdirSync(join(dir, 'persist'), { recursive: true });
    const conf = join(dir, 'snmpd.conf');
    writeFileSync(conf, [
      `[snmp] persistentDir ${join(dir, 'persist')}`,
      `rocommunity ${community} ${host.hostAddress4}`,
      `rocommunity ${community} ${host.address4}`,
      'sysName edge-sw',
      'master no',
      `override 1.3.6.1.2.1.31.1.1.1.18.${ifIndex} octet_str "uplink to core"`,
      '',
    ].join('\n'));
    proc = superviseProcess('snmpd', 'ip', ['netns', 'exec', ns, 'snmpd', '-f', '-Lo', '-C', '-c', conf, '-M', '/usr/share/snmp/mibs', '-m', '', `udp:${host.address4}:${port}`], {
      logFile: join(dir, 'snmpd.log'), env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' },
    });
    const p = proc;
    await waitFor('snmpd in the namespace', async () => {
      if (!p.alive()) throw new GiveUpWaiting('snmpd exited');
      return (await snmpGetString(host.address4, port, community, '1.3.6.1.2.1.1.5.0', 300)) === 'edge-sw';
    }, 20_000, 100);
    const operStatus = async () => {
      try { return nsExec(ns, ['snmpget', '-Oqv', '-v2c', '-c', community, `${host.address4}:${port}`, `${IF_OPER_STATUS}.${ifIndex}`]).trim(); } catch { return ''; }
    };
    // snmptrap rewrites its persistent file at exit: its own directory, not the /var/lib/snmp other tests share.
    const trapEnv = { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist-trap') };
    return {
      host, address: host.address4, port, community, ifIndex, ifName: 'evup',
      async setLinkDown(down) {
        nsExec(ns, ['ip', 'link', 'set', 'evpeer', down ? 'down' : 'up']);
        // snmpd caches the interface table for a few seconds; a real switch knows at once. Wait for the agent.
        await waitFor(`the agent to report evup ${down ? 'down' : 'up'}`, async () => (await operStatus()) === (down ? '2' : '1'), 15_000, 200);
      },
      snmptrap(args) {
        return new Promise((resolve) => {
          execFile('ip', ['netns', 'exec', ns, 'snmptrap', '-m', '', '-M', '/dev/null', ...args], { timeout: 20_000, env: trapEnv }, (err) => resolve(err ? 1 : 0));
        });
      },
      snmptrapLoop(runs, timeoutMs) {
        const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
        const script = join(dir, `traps-${Date.now()}.sh`);
        writeFileSync(script, ['ok=0', ...runs.map((args) => `snmptrap -m '' -M /dev/null ${args.map(quote).join(' ')} && ok=$((ok+1))`), 'echo $ok', ''].join('\n'));
        return new Promise((resolve, reject) => {
          execFile('ip', ['netns', 'exec', ns, 'sh', script], { timeout: timeoutMs, env: trapEnv }, (err, stdout) => (err ? reject(err) : resolve(Number(stdout.trim()))));
        });
      },
      async stop() {
        await p.stop();
        host.remove();
      },
    };
  } catch (err) {
    await proc?.stop();
    host.remove();
    throw err;
  }
}
