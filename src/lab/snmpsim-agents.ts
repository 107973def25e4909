import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir } from './paths.js';
import { snmpGetString, startSnmpsim, type SnmpsimInstance } from './snmpsim.js';

/** One simulated agent: a shared recording answered only on `address`, only to `community`. */
export interface AgentSpec {
  address: string;
  recording: string;
  community: string;
  /** Not opened at start: no request ever reaches it unless someone sends one (to prove nobody did). */
  untouched?: boolean;
}

/** snmpsimd's transport domain for its i-th `--agent-udpv4-endpoint` (1.3.6.1.6.1.1 is UDP/IPv4). */
export const transportId = (i: number) => `1.3.6.1.6.1.1.${i}`;

/**
 * One snmpsimd serving each agent on its own loopback address: the recording is staged as
 * `<community>/<transport id>.snmprec`, which snmpsimd (--v2c-arch) selects only for requests that arrive on that
 * endpoint with that community, so every address is its own box and a wrong community gets nothing. Every request
 * is logged with its endpoint's transport ID in `logFile`.
 */
export async function startSnmpsimAgents(agents: readonly AgentSpec[]): Promise<SnmpsimInstance & { logFile: string; cleanup(): Promise<void> }> {
  // snmpsimd's readiness probe asks the first address: it must be an agent that may be asked.
  if (agents.length === 0 || agents[0]!.untouched) throw new Error('the first agent must exist and not be untouched (the readiness probe asks it)');
  const dir = mkdtempSync(join(tmpdir(), 'noctua-agents-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  agents.forEach((a, i) => {
    const sub = join(data, a.community);
    mkdirSync(sub, { recursive: true, mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(join(sub, `${transportId(i)}.snmprec`), readFileSync(join(fixturesDir(), 'snmprec', `${a.recording}.snmprec`)), { mode: 0o644 });
  });
  const logFile = join(dir, 'snmpsim.log');
  const inst = await startSnmpsim({
    dataDir: data, workDir: dir, logFile, addresses: agents.map((a) => a.address), perEndpoint: true,
    probeCommunity: agents[0]!.community,
  }).catch((err: unknown) => { remove(); throw err; });
  const cleanup = async () => { await inst.stop(); remove(); };
  // snmpsimd opens a recording at its first request (seconds for a large one): open each agent's now, except the
  // untouched ones, so that the first real request is not the one that waits.
  try {
    for (const a of agents) if (!a.untouched) await snmpGetString(a.address, inst.port, a.community, '1.3.6.1.2.1.1.5.0', 20_000);
  } catch (err) { await cleanup(); throw err; }
  return Object.assign(inst, { logFile, cleanup });
}
