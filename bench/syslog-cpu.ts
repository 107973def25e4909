/**
 * CPU per syslog line, on its own: the events section's UDP run (bench/sections/events.ts `udpRun`: paced lines from
 * 64 loopback sources, kernel drops from /proc/net/udp, the receiver's CPU from /proc) against Noctua's receiver
 * process, a bare Node UDP socket that only counts (the floor any Node receiver pays per datagram) and rsyslogd,
 * rounds interleaved. Then the in-process stages of Noctua's path (parse, classify, sample), without sockets.
 * What the events section cannot show on a loaded box: the figure to compare across changes. Run alone:
 *
 *   node --import tsx bench/syslog-cpu.ts [--rate 20000] [--seconds 5] [--rounds 5] [--only noctua,bare,rsyslogd] [--profile DIR]
 *     [--baseline DIR]
 *
 * Prints one line per run, then medians and noctua ÷ rsyslogd. `--profile DIR` runs Noctua's receiver under --cpu-prof.
 * `--baseline DIR` adds the receiver of another checkout (e.g. `git archive main src bench | tar -x -C DIR`, with
 * node_modules linked) as a contender, interleaved with this one: before and after under the same load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILTIN_CATALOG_DIR, loadCatalogs } from '../src/events/catalog.js';
import { classifySyslog, type SourceInfo } from '../src/events/classify.js';
import { eventToSample } from '../src/events/event.js';
import { parseSyslog } from '../src/events/syslog/parse.js';
import { rsyslogdContender, startNoctua, type Contender } from './events/contenders.js';
import { SOURCES, syslogLines } from './events/load.js';
import { median } from './measure.js';
import { udpRun } from './sections/events.js';

const PAYLOADS = SOURCES * 48;

/** CPU µs per line of `work` over every line, after a warm-up pass. */
function stage(lines: readonly Buffer[], passes: number, work: (b: Buffer, i: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < lines.length; i++) if (work(lines[i]!, i)) sink++;
  const c0 = process.cpuUsage();
  for (let p = 0; p < passes; p++) for (let i = 0; i < lines.length; i++) if (work(lines[i]!, i)) sink++;
  const c = process.cpuUsage(c0);
  if (sink < 0) console.log(sink);
  return (c.user + c.system) / (passes * lines.length);
}

/** parseSyslog, + classifySyslog, + eventToSample: µs per line of the bench's mix, in this process. */
function stages(lines: readonly Buffer[]): string {
  const cat = loadCatalogs([BUILTIN_CATALOG_DIR]);
  const src: SourceInfo[] = Array.from({ length: SOURCES }, (_, i) => ({ device: `dev-${i + 1}`, site: i % 2 ? 'beijing' : 'shenzhen', class: 'switch', timeZone: i % 2 ? 'Asia/Shanghai' : 'Asia/Hong_Kong' }));
  const now = new Date();
  const passes = Math.max(1, Math.round(200_000 / lines.length));
  const parse = stage(lines, passes, (b) => parseSyslog(b));
  const classify = stage(lines, passes, (b, i) => classifySyslog(cat, parseSyslog(b), '127.0.2.1', src[i % SOURCES]!, now));
  const sample = stage(lines, passes, (b, i) => eventToSample(classifySyslog(cat, parseSyslog(b), '127.0.2.1', src[i % SOURCES]!, now)));
  return `stages µs/line (in process, no sockets): parse ${parse.toFixed(2)}, +classify ${classify.toFixed(2)}, +eventToSample ${sample.toFixed(2)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    rate: { type: 'string', default: '20000' }, seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '5' },
    only: { type: 'string', default: 'noctua,bare,rsyslogd' }, profile: { type: 'string' }, baseline: { type: 'string' },
  } });
  const rate = Number(values.rate), seconds = Number(values.seconds), rounds = Number(values.rounds);
  if (!(rate > 0) || !(seconds > 0) || !Number.isInteger(rounds) || rounds < 1) throw new Error('--rate, --seconds: positive numbers; --rounds: an integer ≥ 1');
  const names = values.only.split(',');
  for (const n of names) if (!['noctua', 'bare', 'rsyslogd'].includes(n)) throw new Error(`--only: unknown contender ${JSON.stringify(n)} (expected noctua, bare, rsyslogd)`);
  const lines = syslogLines(PAYLOADS, (i) => `dev-${(i % SOURCES) + 1}`).map((l) => Buffer.from(l));
  const dir = mkdtempSync(join(tmpdir(), 'noctua-syslog-cpu-'));
  const contenders: Contender[] = [];
  try {
    if (values.baseline) contenders.push(await startNoctua({ stateDir: join(dir, 'baseline'), script: join(resolve(values.baseline), 'bench/events/noctua-receiver.ts'), name: 'noctua baseline' }));
    for (const n of names) {
      if (n === 'noctua') contenders.push(await startNoctua({ stateDir: join(dir, 'noctua'), ...(values.profile ? { profileDir: values.profile } : {}) }));
      else if (n === 'bare') contenders.push(await startNoctua({ stateDir: join(dir, 'bare'), script: 'bare-udp-receiver.ts', name: 'bare node:dgram' }));
      else contenders.push(await rsyslogdContender(mkdtempSync(join(dir, 'rsyslogd-'))));
    }
    console.log(`load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${rate}/s for ${seconds} s, ${rounds} rounds`);
    for (const c of contenders) await udpRun(c, 'syslog', lines, rate, 0.5); // warm-up: JIT, buffers
    const us = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const c of contenders) {
        const o = await udpRun(c, 'syslog', lines, rate, seconds);
        const x = o.run.extra!;
        us.get(c.name)!.push(x.cpuUsPerMsg!);
        console.log(`round ${r + 1} ${c.name.padEnd(16)} ${x.cpuUsPerMsg!.toFixed(2)} µs/line, ${x.cores!.toFixed(2)} cores, drops ${x.drops}, not handled ${x.lost}${o.ok ? '' : ` (${o.why})`}`);
      }
    }
    const med = new Map([...us].map(([n, v]) => [n, median(v)]));
    console.log(`median µs/line: ${[...med].map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')}`);
    const nq = med.get('noctua'), rs = med.get('rsyslogd'), base = med.get('noctua baseline');
    if (nq !== undefined && rs !== undefined) console.log(`noctua ÷ rsyslogd ${(nq / rs).toFixed(2)}×${base !== undefined ? `, baseline ÷ rsyslogd ${(base / rs).toFixed(2)}×` : ''}`);
    if (nq !== undefined && base !== undefined) console.log(`noctua ÷ baseline ${(nq / base).toFixed(2)}×`);
    console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(stages(lines));
  } finally {
    for (const c of contenders) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
