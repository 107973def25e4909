import { setMaxListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '../../src/config/inventory-schema.js';
import { createFpingPinger } from '../../src/pollers/icmp/fping.js';
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

/** An ICMP-only device as the poller sees it: one echo, like `fping -c1`. */
function icmpDevice(address: string, i: number): Device {
  return {
    name: `t${i}`, address, class: 'other', site: 'bench', tags: [], enabled: true, snmp: false,
    icmp: { count: 1, intervalMs: 10, timeoutMs: 500 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

async function sweepWith(poller: IcmpPoller, devices: Device[]): Promise<RunFigures> {
  return measureInProcess(async () => {
    const signal = AbortSignal.timeout(600_000);
    // The ping backend adds one abort listener per parallel probe to the one signal.
    setMaxListeners(100, signal);
    const r = await poller.pollMany(devices, signal);
    const up = [...r.values()].filter((x) => x.reachable).length;
    return { answered: up };
  });
}

async function fpingSweep(list: string, n: number, gap: '0' | '1'): Promise<RunFigures> {
  const r = await measureCommand('fping', ['-c1', `-i${gap}`, '-q', '-f', list], { timeoutMs: 600_000 });
  // -q -c prints one summary line per target on stderr: "addr : xmt/rcv/%loss = 1/1/0%, ...".
  const answered = (r.stderr.match(/= 1\/1\//g) ?? []).length;
  if (r.code !== null && r.code > 1) throw new Error(`fping -i${gap} failed (exit ${r.code}): ${r.stderr.slice(-300)}`);
  return { wallS: r.wallS, cpuS: r.cpuS, peakRssMiB: r.peakRssMiB, extra: { answered, cpuMsPerTarget: (r.cpuS * 1000) / n } };
}

/** Section 1: an ICMP sweep of N loopback targets through Noctua's poller (fping and ping backends) against fping itself. */
export async function icmpSection(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [200] : [1000, 10_000];
  // The ping package forks one ping per target (about 2.3 ms CPU each): measured at the smaller size only.
  const pingPackageMax = ctx.quick ? 200 : 1000;
  const fpingPoller = createIcmpPoller({ pinger: createFpingPinger() });
  const pingPoller = createIcmpPoller({ pinger: createPingPackagePinger({ parallel: 32 }) });
  for (const n of sizes) {
    const targets = loopbackTargets(n);
    const devices = targets.map(icmpDevice);
    const list = join(ctx.dir('icmp'), `targets-${n}.txt`);
    writeFileSync(list, targets.join('\n') + '\n');
    const label = `${n.toLocaleString('en-US')} targets`;
    ctx.say(`icmp: ${label}`);
    const perTarget = (f: RunFigures): RunFigures => ({ ...f, extra: { ...f.extra, cpuMsPerTarget: (f.cpuS * 1000) / n } });
    const contenders = [
      { name: 'noctua (fping backend)', run: async () => perTarget(await sweepWith(fpingPoller, devices)) },
      { name: 'fping -c1 -i1', run: () => fpingSweep(list, n, '1') },
      { name: 'fping -c1 -i0', run: () => fpingSweep(list, n, '0') },
      ...(n <= pingPackageMax ? [{ name: 'noctua (ping backend, 32 parallel)', run: async () => perTarget(await sweepWith(pingPoller, devices)) }] : []),
    ];
    const res = await repeatInterleaved(ctx.repeats, contenders);
    const show = [{ key: 'cpuMsPerTarget', label: 'CPU ms/target', digits: 3 }, { key: 'answered', label: 'answered', digits: 0 }];
    for (const [name, summary] of res) {
      ctx.rows.push({ section: 'icmp', case: label, contender: name, ...(name.startsWith('noctua') ? { peer: 'fping -c1 -i1' } : {}), summary, show });
    }
    if (n > pingPackageMax) {
      ctx.facts[`icmp ping backend at ${n}`] = `not measured: one forked ping per target; measured at ${pingPackageMax.toLocaleString('en-US')} targets only`;
    }
  }
  await fpingPoller.close();
  await pingPoller.close();
}
