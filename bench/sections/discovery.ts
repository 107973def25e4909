import { join } from 'node:path';
import { discoverySectionSchema, numberToIpv4 } from '../../src/config/sections/discovery.js';
import { expandTargets, parseRanges } from '../../src/discovery/ranges.js';
import { discoveryProfiles, runDiscovery } from '../../src/discovery/index.js';
import { icmpSweep, sweepArgs, type SweepOptions } from '../../src/discovery/sweep.js';
import { repoRoot } from '../../src/lab/paths.js';
import { startSnmpsimAgents, type AgentSpec } from '../../src/lab/snmpsim-agents.js';
import type { BenchContext } from '../context.js';
import { wrapperWallS } from './icmp.js';
import { measureCommand, measureInProcess, repeatInterleaved, type RunFigures } from '../measure.js';

/** Small recordings (snmpsimd indexes one file per agent at start), cycled over the agents. */
const RECORDINGS = ['huawei-gse200m', 'aruba-7010', 'clavister-amaranten', 'eaton-93e-80'];

/**
 * Section: discovery of a /22 of loopback (1,022 addresses; the kernel answers every ping on 127/8) holding N
 * snmpsimd agents, each on its own address. Noctua's whole run (one paced fping, then SNMP probes of every host that
 * answered, 128 at a time, the shipped 1 s timeout and 1 retry) against `fping -g` alone over the same /22 with the same pacing
 * (the peer, for the sweep part), plus Noctua's sweep alone so the sweep's ratio to fping reads apart from the probes.
 */
export async function discoverySection(ctx: BenchContext): Promise<void> {
  const prefix = ctx.quick ? 24 : 22;
  const agentsN = ctx.quick ? 8 : 48;
  // 127.90.(4k).0/22: clear of the icmp section's 127.50+, the lab's 127.0.1.x and the tests' 127.71-78.
  const base = `127.90.${ctx.quick ? 40 : 4 * (process.pid % 60)}`;
  const cidr = `${base}.0/${prefix}`;
  const [range] = parseRanges([cidr], 'range');
  // One agent every 7 addresses from the first host up, so they spread over the whole range.
  const agents: AgentSpec[] = Array.from({ length: agentsN }, (_, i) => ({
    address: numberToIpv4(range!.first + 1 + i * 7), recording: RECORDINGS[i % RECORDINGS.length]!, community: 'bench',
  }));
  const targets = expandTargets([range!], []);
  ctx.say(`discovery: starting ${agentsN} snmpsimd agents in ${cidr}`);
  const sim = await startSnmpsimAgents(agents);
  ctx.onCleanup(() => sim.cleanup());
  const settings = discoverySectionSchema.parse({
    ranges: [cidr], credentials: [{ name: 'bench', version: '2c', community: 'bench' }], ports: [sim.port],
    concurrency: 128, rate: 5000, timeoutMs: 1000, retries: 1,
  });
  const sweep: SweepOptions = { rate: settings.rate, timeoutMs: settings.timeoutMs, retries: settings.retries };
  const profiles = discoveryProfiles(join(repoRoot, 'config'));
  const n = targets.length;
  const label = `/${prefix} (${n.toLocaleString('en-US')} addresses, ${agentsN} SNMP agents)`;
  const peer = 'fping -g (same pacing)';
  const contenders = [
    {
      name: 'noctua discover (sweep + SNMP probe)',
      run: async (): Promise<RunFigures> => {
        let found = 0, packets = 0, sweepS = 0, probeS = 0, alive = 0;
        const f = await measureInProcess(async () => {
          const r = await runDiscovery({ settings, profiles, inventory: [] }, AbortSignal.timeout(300_000));
          found = r.proposed.length; packets = r.snmpPackets; sweepS = r.sweepMs / 1000; probeS = r.probeMs / 1000; alive = r.alive;
        });
        // An agent missed (snmpsimd too slow for the timeout on a loaded box) shows in the figures, not as a failure.
        if (found === 0) throw new Error(`discovery found none of the ${agentsN} agents`);
        return { ...f, extra: { found, alive, snmpPackets: packets, sweepS, probeS, cpuMsPerAddress: (f.cpuS * 1000) / n } };
      },
    },
    {
      name: 'noctua sweep only',
      run: async (): Promise<RunFigures> => {
        let alive = 0, echoes = 0;
        const f = await measureInProcess(async () => {
          const r = await icmpSweep(targets, sweep, AbortSignal.timeout(120_000));
          alive = r.alive.length; echoes = r.echoesSent;
        });
        return { ...f, extra: { alive, echoes, sweepS: f.wallS, cpuMsPerAddress: (f.cpuS * 1000) / n } };
      },
    },
    {
      name: peer,
      run: async (): Promise<RunFigures> => {
        const r = await measureCommand('fping', [...sweepArgs(sweep), '-g', cidr], { timeoutMs: 120_000 });
        if (r.code !== null && r.code > 1) throw new Error(`fping -g failed (exit ${r.code}): ${r.stderr.slice(-300)}`);
        const alive = r.stdout.split('\n').filter(Boolean).length;
        return { wallS: r.wallS, cpuS: r.cpuS, peakRssMiB: r.peakRssMiB, extra: { alive, sweepS: Math.max(0, r.wallS - wrapperS), cpuMsPerAddress: (r.cpuS * 1000) / n } };
      },
    },
  ];
  // measureCommand's wait4 wrapper adds its own start-up to the peer's wall: taken off the peer's `sweep s`.
  const wrapperS = await wrapperWallS();
  ctx.facts[`discovery ${label}: measureCommand wrapper start-up s`] = Number(wrapperS.toFixed(3));
  ctx.say(`discovery: ${label}, ${ctx.repeats} runs each`);
  const res = await repeatInterleaved(ctx.repeats, contenders);
  const show = [
    { key: 'sweepS', label: 'sweep s (fping: wall less the wrapper)', digits: 3 },
    { key: 'probeS', label: 'SNMP probe s', digits: 2 },
    { key: 'cpuMsPerAddress', label: 'CPU ms/address', digits: 3 },
    { key: 'alive', label: 'answered ping', digits: 0 },
    { key: 'found', label: 'agents found', digits: 0 },
    { key: 'snmpPackets', label: 'SNMP packets', digits: 0 },
  ];
  for (const [name, summary] of res) {
    ctx.rows.push({ section: 'discovery', case: label, contender: name, ...(name === peer ? {} : { peer }), summary, show });
  }
  const whole = res.get('noctua discover (sweep + SNMP probe)')!.median;
  const sweepOnly = res.get('noctua sweep only')!.median;
  const probeCpuMs = Math.max(0, whole.cpuS - sweepOnly.cpuS) * 1000;
  ctx.facts[`discovery ${label}: SNMP probe CPU ms per probed address`] = Number((probeCpuMs / (whole.extra?.alive ?? n)).toFixed(3));
  ctx.facts[`discovery ${label}: SNMP probe wall ms per probed address`] = Number((((whole.extra?.probeS ?? 0) * 1000) / (whole.extra?.alive ?? n)).toFixed(2));
  ctx.facts[`discovery ${label}: settings`] = 'one credential, concurrency 128, rate 5,000 packets/s, timeout 1,000 ms, 1 retry (the shipped timeout and retries)';
}
