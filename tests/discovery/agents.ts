import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../../src/lab/paths.js';
import { snmpGetString, startSnmpsim, type SnmpsimInstance } from '../../src/lab/snmpsim.js';
import { tempDir } from '../helpers/tmp.js';

/** One simulated agent: a shared recording answered only on `address`, only to `community`. */
export interface AgentSpec { address: string; recording: string; community: string; untouched?: boolean }

/** snmpsimd's transport domain for its i-th `--agent-udpv4-endpoint` (1.3.6.1.6.1.1 is UDP/IPv4). */
export const transportId = (i: number) => `1.3.6.1.6.1.1.${i}`;

/**
 * One snmpsimd serving each agent on its own loopback address: the recording is staged as
 * `<community>/<transport id>.snmprec`, which snmpsimd selects only for requests that arrive on that
 * endpoint with that community, so every address is its own box and a wrong community gets nothing.
 */
export async function startAgents(agents: readonly AgentSpec[]): Promise<SnmpsimInstance & { logFile: string; cleanup(): Promise<void> }> {
  const tmp = tempDir('noctua-discover-sim-');
  chmodSync(tmp.dir, 0o755);
  const data = join(tmp.dir, 'data');
  agents.forEach((a, i) => {
    const dir = join(data, a.community);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(join(dir, `${transportId(i)}.snmprec`), readFileSync(join(fixturesDir(), 'snmprec', `${a.recording}.snmprec`)), { mode: 0o644 });
  });
  const logFile = join(tmp.dir, 'snmpsim.log');
  const inst = await startSnmpsim({
    dataDir: data, workDir: tmp.dir, logFile, addresses: agents.map((a) => a.address), perEndpoint: true,
    probeCommunity: agents[0]!.community,
  }).catch((err: unknown) => { tmp.cleanup(); throw err; });
  const stop = async () => { await inst.stop(); tmp.cleanup(); };
  // snmpsimd opens a recording at its first request (seconds for a large one): open each agent's now, except those
  // the caller wants untouched, so that the first discovery probe is not the one that waits.
  try {
    for (const a of agents) if (!a.untouched) await snmpGetString(a.address, inst.port, a.community, '1.3.6.1.2.1.1.5.0', 20_000);
  } catch (err) { await stop(); throw err; }
  return Object.assign(inst, { logFile, cleanup: stop });
}

/** A /28 of loopback nobody else uses in this run: 127.7x.y.0/28 from the process id. */
export function loopbackBlock(): string {
  return `127.${71 + (process.pid % 8)}.${process.pid % 250}`;
}
