import { setMaxListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device, IcmpSettings } from '../../src/config/inventory-schema.js';
import { BUILTIN_DEFAULTS } from '../../src/config/inventory-schema.js';
import { createFpingPinger, fpingArgs } from '../../src/pollers/icmp/fping.js';
import { createPingPackagePinger } from '../../src/pollers/icmp/ping-package.js';
import { createIcmpPoller, type IcmpPoller } from '../../src/pollers/icmp/index.js';
import type { BenchContext } from '../context.js';
import { measureCommand, measureInProcess, repeatInterleaved, type RunFigures } from '../measure.js';

/** Distinct loopback targets on 127.0.0.0/8 (every one answers: the kernel owns the whole /8). */
export function loopbackTargets(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    // 250 hosts per /24, skipping .0 and .255, from 127.50.0.0 up: clear of the lab's 127.0.1.x and the fleet's addresses.
    out.push(`127.${50 + Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`);
  }
  return out;
}

/** The job of every contender: the shipped defaults, 3 probes per target 200 ms apart, 1 s timeout, every 30 s. */
const JOB: IcmpSettings = { ...BUILTIN_DEFAULTS.icmp };
const CYCLE_S = BUILTIN_DEFAULTS.intervals.icmp / 1000;

/** An ICMP-only device as the poller sees it, probed with {@link JOB}. */
function icmpDevice(address: string, i: number): Device {
  return {
    name: `t${i}`, address, class: 'other', site: 'bench', tags: [], enabled: true, snmp: false,
    icmp: { ...JOB }, intervals: { ...BUILTIN_DEFAULTS.intervals },
  };
}

async function sweepWith(poller: IcmpPoller, devices: Device[]): Promise<RunFigures> {
  const f = await measureInProcess(async () => {
    const signal = AbortSignal.timeout(600_000);
    // The ping backend adds one abort listener per parallel probe to the one signal.
    setMaxListeners(100, signal);
    const r = await poller.pollMany(devices, signal);
    let answered = 0, replies = 0;
    for (const x of r.values()) {
      if (x.reachable) answered++;
      replies += Number(x.samples[0]?.fields.received ?? 0n);
    }
    return { answered, replies };
  });
  f.extra = { cycleS: f.wallS, ...f.extra };
  return perTarget(f, devices.length);
}

/**
 * Wall seconds measureCommand adds to any command (its python3 wait4 wrapper's start-up), measured on `true`:
 * subtracted from fping's wall for the `cycle s` figure, so the wall ratio is fping's own time, not the wrapper's.
 */
export async function wrapperWallS(): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push((await measureCommand('true', [])).wallS);
  return runs.sort((a, b) => a - b)[1]!;
}

/** `fping` on its own doing the same job: the same arguments as Noctua's fping backend, targets from a file. */
async function fpingSweep(list: string, n: number, gapMs: string, wrapperS: number): Promise<RunFigures> {
  const args = fpingArgs(JOB);
  args[args.indexOf('-i') + 1] = gapMs;
  const r = await measureCommand('fping', [...args, '-f', list], { timeoutMs: 600_000 });
  if (r.code !== null && r.code > 1) throw new Error(`fping -i${gapMs} failed (exit ${r.code}): ${r.stderr.slice(-300)}`);
  // -C prints "addr : 0.05 0.04 -" per target on stderr: count targets with a reply and the replies.
  let answered = 0, replies = 0;
  for (const line of r.stderr.split('\n')) {
    const cols = line.split(' : ')[1]?.trim().split(/\s+/) ?? [];
    const got = cols.filter((c) => c !== '-').length;
    if (got > 0) answered++;
    replies += got;
  }
  return perTarget({ wallS: r.wallS, cpuS: r.cpuS, peakRssMiB: r.peakRssMiB, extra: { cycleS: Math.max(0, r.wallS - wrapperS), answered, replies } }, n);
}

function perTarget(f: RunFigures, n: number): RunFigures {
  return { ...f, extra: { ...f.extra, cpuMsPerTarget: (f.cpuS * 1000) / n } };
}

/**
 * Section 1: one ICMP cycle of N loopback targets × 3 probes through Noctua's poller (fping backend, and the
 * ping-package backend at the small size) against `fping` doing the same job with the same arguments (`-i 0`,
 * the peer), and against `fping -i 1`, the pacing Noctua used before (40 s for 10,000 × 3 probes: over the cycle).
 */
export async function icmpSection(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [200] : [1000, 10_000];
  // The ping package forks one ping per target (about 2.3 ms CPU each): measured at the smaller size only.
  const pingPackageMax = ctx.quick ? 200 : 1000;
  const fpingPoller = createIcmpPoller({ pinger: createFpingPinger() });
  const pingPoller = createIcmpPoller({ pinger: createPingPackagePinger({ parallel: 32 }) });
  const peer = `fping -C${JOB.count} -i0`;
  for (const n of sizes) {
    const targets = loopbackTargets(n);
    const devices = targets.map(icmpDevice);
    const list = join(ctx.dir('icmp'), `targets-${n}.txt`);
    writeFileSync(list, targets.join('\n') + '\n');
    const label = `${n.toLocaleString('en-US')} targets × ${JOB.count} probes`;
    ctx.say(`icmp: ${label}`);
    const wrapperS = await wrapperWallS();
    ctx.facts[`icmp ${n} targets: measureCommand wrapper start-up s`] = Number(wrapperS.toFixed(3));
    const contenders = [
      { name: 'noctua (fping backend)', run: () => sweepWith(fpingPoller, devices) },
      { name: peer, run: () => fpingSweep(list, n, '0', wrapperS) },
      { name: `fping -C${JOB.count} -i1`, run: () => fpingSweep(list, n, '1', wrapperS) },
      ...(n <= pingPackageMax ? [{ name: 'noctua (ping backend, 32 parallel)', run: () => sweepWith(pingPoller, devices) }] : []),
    ];
    const res = await repeatInterleaved(ctx.repeats, contenders);
    const show = [
      { key: 'cycleS', label: 'cycle s (fping: wall less the wrapper)', digits: 3 },
      { key: 'cpuMsPerTarget', label: 'CPU ms/target', digits: 4 },
      { key: 'answered', label: 'answered', digits: 0 },
      { key: 'replies', label: 'replies', digits: 0 },
    ];
    for (const [name, summary] of res) {
      ctx.rows.push({ section: 'icmp', case: label, contender: name, ...(name.startsWith('noctua') ? { peer } : {}), summary, show });
    }
    const own = res.get('noctua (fping backend)')!.median;
    ctx.facts[`icmp ${n} targets within the ${CYCLE_S} s cycle`] = `${own.wallS <= CYCLE_S ? 'yes' : 'NO'}: ${own.wallS.toFixed(2)} s`;
    if (n > pingPackageMax) {
      ctx.facts[`icmp ping backend at ${n}`] = `not measured: one forked ping per target; measured at ${pingPackageMax.toLocaleString('en-US')} targets only`;
    }
  }
  await fpingPoller.close();
  await pingPoller.close();
}
