/**
 * The writer's own CPU and GC per point, without influxd: Noctua's writer (`createInfluxSink` on a transport that
 * accepts every body at once) against the raw client's line building (bench/sections/influx.ts; byte for byte the
 * same bodies, checked first), on the same `interface` samples, contenders interleaved. What the `influx` section
 * cannot show on a loaded box, where influxd on the same cores dominates every figure. Run alone:
 *
 *   node --import tsx bench/writer-cpu.ts [--points 60000] [--rounds 5]
 *
 * Prints one line per round and the medians; the ratio (writer ÷ raw) is the figure to compare across changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { influxSectionSchema } from '../src/config/sections/influx.js';
import { createLogger } from '../src/core/log.js';
import type { Sample } from '../src/core/sample.js';
import { createInfluxSink } from '../src/storage/index.js';
import type { InfluxTransport } from '../src/storage/influx/transport.js';
import { median } from './measure.js';
import { checkSameBodies, interfaceSamples, rawBodies } from './sections/influx.js';

const BATCH = 5000;
const SERIES = 10_000;

/** CPU µs and GC pause ms of `work`, per point. */
async function cpuOf(points: number, work: () => Promise<void>): Promise<{ usPerPoint: number; gcMsPer100k: number }> {
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; });
  observer.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  await work();
  const c = process.cpuUsage(c0);
  // 'gc' entries are delivered on a later turn of the loop.
  await new Promise((r) => setTimeout(r, 20));
  observer.disconnect();
  return { usPerPoint: (c.user + c.system) / points, gcMsPer100k: (gcMs * 100_000) / points };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { points: { type: 'string', default: '60000' }, rounds: { type: 'string', default: '5' } } });
  const points = Number(values.points);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(points) || points < BATCH || !Number.isInteger(rounds) || rounds < 3) throw new Error('--points: an integer ≥ 5000; --rounds: an integer ≥ 3');
  const dir = mkdtempSync(join(tmpdir(), 'noctua-writer-cpu-'));
  const log = createLogger({ level: 'warn' });
  let bytes = 0;
  const transport: InfluxTransport = { target: 'null', write: (body) => { bytes += body.length; return Promise.resolve({ kind: 'ok' }); }, ping: () => Promise.resolve(true) };
  const settings = influxSectionSchema.parse({ url: 'http://127.0.0.1:1', database: 'bench', batchSize: BATCH, maxQueue: points * 2, manageDatabase: false });
  let second = 1_700_000_000;
  let made = 0;
  const writer = async (samples: Sample[]) => {
    const w = await createInfluxSink({ settings, stateDir: join(dir, `s${made++}`), log, transport, setUp: () => Promise.resolve() });
    for (let i = 0; i < samples.length; i += 48) await w.write(samples.slice(i, i + 48));
    await w.close();
    if (w.stats().writtenPoints !== samples.length) throw new Error(`writer wrote ${w.stats().writtenPoints} of ${samples.length}`);
  };
  const raw = (samples: Sample[]) => { for (const body of rawBodies(samples, BATCH)) bytes += Buffer.byteLength(body); return Promise.resolve(); };
  const results = { writer: [] as number[], raw: [] as number[], writerGc: [] as number[], rawGc: [] as number[] };
  // The two must build the same bytes, or the comparison says nothing.
  await checkSameBodies(interfaceSamples(points, second, SERIES), settings, join(dir, 'capture'), log);
  // Warm-up: JIT and the writer's caches, as the influx section's warm-up does.
  await writer(interfaceSamples(SERIES, second++, SERIES));
  await raw(interfaceSamples(SERIES, second++, SERIES));
  for (let r = 0; r < rounds; r++) {
    for (const name of ['writer', 'raw'] as const) {
      const samples = interfaceSamples(points, second, SERIES);
      second += Math.ceil(points / SERIES);
      const f = await cpuOf(points, () => (name === 'writer' ? writer(samples) : raw(samples)));
      results[name].push(f.usPerPoint);
      results[name === 'writer' ? 'writerGc' : 'rawGc'].push(f.gcMsPer100k);
      console.log(`round ${r + 1} ${name.padEnd(6)} ${f.usPerPoint.toFixed(2)} µs/point, GC ${f.gcMsPer100k.toFixed(1)} ms/100k`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const w = median(results.writer), rw = median(results.raw);
  console.log(`median: writer ${w.toFixed(2)} µs/point (GC ${median(results.writerGc).toFixed(1)} ms/100k), raw ${rw.toFixed(2)} µs/point (GC ${median(results.rawGc).toFixed(1)} ms/100k); writer ÷ raw ${(w / rw).toFixed(2)}× (${bytes} bytes built)`);
}

await main();
