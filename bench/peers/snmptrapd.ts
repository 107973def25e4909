import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';
import { outputCounter } from './output-counter.js';

/** A running Net-SNMP snmptrapd: its trap port, and how many traps it has logged so far. */
export interface Snmptrapd { port: number; process: SupervisedProcess; logged(): number; stop(): Promise<void> }

/**
 * Starts `snmptrapd -f -Lo` (Debian `snmptrapd`) on a free loopback port with its own config only (`-C -c`):
 * community `public` may log, no AgentX (`-X`), no DNS look-ups (`-n`, as Noctua does none), no MIB files
 * (Debian ships only a few; OIDs print numerically), the same 4 MiB receive buffer Noctua asks for. Each trap it
 * logs is two lines on stdout, which goes to a file; the header line holds "[UDP: [" once.
 */
export async function startSnmptrapd(dir: string): Promise<Snmptrapd> {
  const port = await freeUdpPort();
  const conf = join(dir, 'snmptrapd.conf');
  writeFileSync(conf, ['authCommunity log public', '[snmp] serverRecvBuf 4194304', ''].join('\n'));
  const out = join(dir, 'snmptrapd.out');
  const proc = superviseProcess('snmptrapd', 'snmptrapd', ['-f', '-Lo', '-n', '-C', '-c', conf, '-X', `udp:127.0.0.1:${port}`], {
    logFile: out, env: { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: dir },
  });
  const count = outputCounter(out, '[UDP: [');
  // Ready when its banner is out (it prints it once the socket is open).
  await waitFor(`snmptrapd on 127.0.0.1:${port} (log ${out})`, async () => {
    if (!proc.alive()) throw new Error(`snmptrapd exited: ${proc.tail()}`);
    return proc.tail(5).includes('NET-SNMP version');
  }, 15_000, 50);
  return { port, process: proc, logged: count, stop: () => proc.stop() };
}
