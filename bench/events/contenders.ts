import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procCpuSeconds, procPeakRssMiB } from '../measure.js';
import { startRsyslogd } from '../peers/rsyslogd.js';
import { startSnmptrapd } from '../peers/snmptrapd.js';

/** What kind of message a run sends. */
export type EventKind = 'trap' | 'syslog';

/** A receiving process as the events section measures it: where to send, how much it has handled, what it cost. */
export interface Contender {
  name: string;
  /** Where it listens: the trap port, the syslog UDP and TCP ports (whichever it takes). */
  ports: { trap?: number; syslogUdp?: number; syslogTcp?: number };
  /** Messages handled so far (cumulative): Noctua's samples on the bus, the peers' lines in their output file. */
  processed(): Promise<number>;
  /** CPU seconds (user+sys) of the process so far, from /proc. */
  cpuS(): number;
  peakRssMiB(): number;
  stop(): Promise<void>;
}

interface NoctuaStats { trap: number; syslog: number; published: number; counted: number; written: number; parseErrors: number }

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Forks bench/events/noctua-receiver.ts (Noctua's receivers into a bus with a counting sink, and the InfluxDB
 * writer when `influxUrl` is given) and waits for its bound ports. `profileDir` runs it under --cpu-prof; `script`
 * forks another receiver that speaks the same IPC: bare-udp-receiver.ts of this folder (the floor under Node), or an
 * absolute path (another checkout's noctua-receiver.ts, for a before/after run).
 */
export async function startNoctua(o: { stateDir: string; influxUrl?: string; profileDir?: string; name?: string; script?: string }): Promise<Contender & { stats(): Promise<NoctuaStats> }> {
  const execArgv = ['--import', 'tsx', ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [])];
  const args = [...(o.influxUrl ? ['--influx', o.influxUrl] : []), '--state', o.stateDir];
  // Its own session, as the peers have (superviseProcess starts them detached): with the kernel's autogroup
  // scheduling each session shares the CPU as one group, and the receiver must not share one with the sender.
  // Its stdout goes to our stderr: the bench's stdout is the Markdown table, and a receiver's log lines would land in it.
  const child: ChildProcess = fork(resolve(HERE, o.script ?? 'noctua-receiver.ts'), args, { execArgv, stdio: ['ignore', 2, 'inherit', 'ipc'], detached: true });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  type Addr = { host: string; port: number };
  const ready = await new Promise<{ traps: Addr; syslogUdp: Addr; syslogTcp: Addr }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('noctua receiver: not ready within 60 s')), 60_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`noctua receiver exited (${code}) before it was ready`)); });
    child.on('message', (m: { ready?: { traps: Addr; syslogUdp: Addr; syslogTcp: Addr } }) => { if (m.ready) { clearTimeout(timer); resolve(m.ready); } });
  });
  // One request at a time: each answer is the next message of its kind.
  const ask = <T>(cmd: string, key: string, timeoutMs = 10_000) => new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { child.off('message', on); reject(new Error(`noctua receiver: no answer to ${cmd} within ${timeoutMs} ms`)); }, timeoutMs);
    const on = (m: Record<string, unknown>) => { if (key in m) { clearTimeout(timer); child.off('message', on); resolve(m[key] as T); } };
    child.on('message', on);
    child.send({ cmd });
  });
  const pid = child.pid!;
  let rss = 0;
  const peak = () => { try { rss = procPeakRssMiB(pid); } catch { /* exited: keep the last reading */ } return rss; };
  return {
    name: o.name ?? 'noctua', ports: { trap: ready.traps.port, syslogUdp: ready.syslogUdp.port, syslogTcp: ready.syslogTcp.port },
    stats: () => ask<NoctuaStats>('stats', 'stats'),
    processed: async () => (await ask<NoctuaStats>('stats', 'stats')).counted,
    cpuS: () => procCpuSeconds(pid),
    peakRssMiB: peak,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      peak();
      // A clean stop flushes the writer and lets the child end by itself (which writes its CPU profile); one
      // that does not end within 10 s more gets SIGTERM, and SIGKILL 30 s after the stop began.
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try { await ask('stop', 'stopped', 20_000); } catch { /* ended below */ }
      const term = setTimeout(() => child.kill('SIGTERM'), 10_000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
}

/** snmptrapd as a contender for traps. */
export async function snmptrapdContender(dir: string): Promise<Contender> {
  const p = await startSnmptrapd(dir);
  let rss = 0;
  return {
    name: 'snmptrapd', ports: { trap: p.port }, processed: async () => p.logged(), cpuS: () => procCpuSeconds(p.process.pid),
    peakRssMiB: () => { try { rss = procPeakRssMiB(p.process.pid); } catch { /* exited */ } return rss; }, stop: () => p.stop(),
  };
}

/** rsyslogd as a contender for syslog (UDP and TCP). */
export async function rsyslogdContender(dir: string): Promise<Contender> {
  const p = await startRsyslogd(dir);
  let rss = 0;
  return {
    name: 'rsyslogd', ports: { syslogUdp: p.udpPort, syslogTcp: p.tcpPort }, processed: async () => p.written(), cpuS: () => procCpuSeconds(p.process.pid),
    peakRssMiB: () => { try { rss = procPeakRssMiB(p.process.pid); } catch { /* exited */ } return rss; }, stop: () => p.stop(),
  };
}
