import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { influxSectionSchema, type InfluxSection } from '../../src/config/sections/influx.js';
import type { Logger } from '../../src/core/log.js';
import type { Sample } from '../../src/core/sample.js';
import { startInfluxd } from '../../src/lab/influxd.js';
import { createInfluxSink, type InfluxSink } from '../../src/storage/index.js';
import type { InfluxTransport } from '../../src/storage/influx/transport.js';
import type { BenchContext } from '../context.js';
import { measureInProcess, repeatInterleaved, treeCpuSeconds, type RunFigures } from '../measure.js';

const BATCH = 5000;

/**
 * `interface` samples as the SNMP poller makes them (docs/SCHEMA.md): 48 ports per switch, counters as bigint, rates
 * as floats. Every `series` samples are one poll round of the same series, one second later than the last round.
 */
export function interfaceSamples(count: number, firstSecond: number, series: number): Sample[] {
  const SERIES = series;
  const out: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const serie = i % SERIES;
    const time = new Date((firstSecond + Math.floor(i / SERIES)) * 1000);
    const port = (serie % 48) + 1, sw = Math.floor(serie / 48);
    const o = BigInt(i) * 1_000_003n;
    out.push({
      measurement: 'interface',
      tags: { device: `sw-${sw}`, site: 'bench', class: 'switch', vendor: 'cisco', ifIndex: String(10100 + port), ifName: `Gi1/0/${port}`, ifDescr: `GigabitEthernet1/0/${port}`, ifAlias: `uplink-${port}` },
      fields: {
        oper_up: true, admin_up: true, speed_bps: 1_000_000_000n,
        in_octets: o, out_octets: o * 2n, in_ucast_pkts: o / 7n, out_ucast_pkts: o / 5n, in_mcast_pkts: 11n, out_mcast_pkts: 12n,
        in_bcast_pkts: 13n, out_bcast_pkts: 14n, in_errors: 0n, out_errors: 0n, in_discards: 1n, out_discards: 2n,
        in_bps: 1234.5 + i, out_bps: 2345.5 + i, in_pps: 12.5, out_pps: 13.5,
      },
      time,
    });
  }
  return out;
}

/**
 * The plainest client: one `interface` line by string concatenation, written for this one measurement and sending
 * exactly what Noctua's writer sends for it (checked byte for byte by {@link checkSameBodies}): the tags sorted by key
 * without `ifAlias`/`ifDescr`, which go after the other fields as string fields (docs/SCHEMA.md, "Labels"); every
 * field in the sample's order, a bigint with `i`; seconds. No escaping: none of these names or values needs any.
 * The fields are joined from an array, not appended one by one: a line of ~70 appended pieces stays a V8 rope of
 * that many objects until it is joined into the body, and 5,000 such lines cost the raw client 2–3× the CPU in
 * young-generation GC (measured 2026-12-02: 10–15 vs 3–5 µs per point); the peer should be the fast plain client.
 */
function rawLine(s: Sample): string {
  const t = s.tags;
  const f: string[] = [];
  for (const k in s.fields) {
    const v = s.fields[k]!;
    f.push(k + '=' + (typeof v === 'bigint' ? v.toString() + 'i' : String(v)));
  }
  return `interface,class=${t['class']!},device=${t['device']!},ifIndex=${t['ifIndex']!},ifName=${t['ifName']!},site=${t['site']!},vendor=${t['vendor']!} ` +
    `${f.join(',')},ifAlias="${t['ifAlias']!}",ifDescr="${t['ifDescr']!}" ${Math.floor(s.time.getTime() / 1000)}`;
}

/** One request body: the lines of `samples` joined, built when it is about to be sent (its lines die young). */
function rawBody(samples: readonly Sample[]): string {
  return samples.map(rawLine).join('\n');
}

const MAX_TRIES = 20;
const RETRY_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The raw client's request bodies: `batch` lines each. */
export function rawBodies(samples: readonly Sample[], batch: number): string[] {
  const bodies: string[] = [];
  for (let at = 0; at < samples.length; at += batch) bodies.push(rawBody(samples.slice(at, at + batch)));
  return bodies;
}

/**
 * Fails unless the raw client sends byte for byte what Noctua's writer sends for `samples` under `settings` (batch
 * size, precision): the writer's bodies are taken off a transport that keeps them, fed as the bus feeds it (48 samples
 * at a time), and compared with {@link rawBodies}. Returns the bytes compared.
 */
export async function checkSameBodies(samples: readonly Sample[], settings: InfluxSection, stateDir: string, log: Logger): Promise<number> {
  const sent: Buffer[] = [];
  const transport: InfluxTransport = {
    target: 'capture',
    write: (body) => { sent.push(typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body)); return Promise.resolve({ kind: 'ok' }); },
    ping: () => Promise.resolve(true),
  };
  const w = await createInfluxSink({ settings, stateDir, log, transport, setUp: () => Promise.resolve() });
  for (let i = 0; i < samples.length; i += 48) await w.write(samples.slice(i, i + 48));
  await w.close();
  const raw = rawBodies(samples, settings.batchSize).map((b) => Buffer.from(b, 'utf8'));
  if (raw.length !== sent.length) throw new Error(`influx: the raw client sends ${raw.length} bodies for ${samples.length} points, Noctua's writer ${sent.length}`);
  let bytes = 0;
  for (let b = 0; b < raw.length; b++) {
    bytes += raw[b]!.length;
    if (raw[b]!.equals(sent[b]!)) continue;
    const r = raw[b]!.toString('utf8').split('\n'), n = sent[b]!.toString('utf8').split('\n');
    const at = r.findIndex((line, i) => line !== n[i]);
    throw new Error(`influx: the raw client's body ${b + 1} differs from Noctua's writer's (${raw[b]!.length} vs ${sent[b]!.length} bytes), ` +
      `first at line ${at + 1}:\n  noctua: ${n[at] ?? '(none)'}\n  raw:    ${r[at] ?? '(none)'}`);
  }
  return bytes;
}

async function rawWrite(url: string, db: string, samples: readonly Sample[], concurrency: number, onRetry: (message: string) => void): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let at = next; at < samples.length; at = next) {
      next += BATCH;
      const body = rawBody(samples.slice(at, at + BATCH));
      for (let attempt = 1; ; attempt++) {
        const r = await fetch(`${url}/write?db=${db}&precision=s`, { method: 'POST', body });
        if (r.status === 204) break;
        const text = await r.text();
        // A starved influxd answers 500 "timeout" (its own write timeout); any real client retries that, as Noctua's does.
        if (r.status >= 500 && attempt < MAX_TRIES) { onRetry(`raw write: HTTP ${r.status} ${text.trim()}, retrying`); await sleep(RETRY_MS); continue; }
        throw new Error(`raw write: HTTP ${r.status} ${text}`);
      }
    }
  }));
}

/**
 * Writes through `writers` Noctua sinks at once (each takes its share) and closes them: close() sends what is still
 * in memory, so when it returns InfluxDB has acknowledged every point (checked against the writer's own count).
 */
async function noctuaWrite(writers: InfluxSink[], samples: readonly Sample[], onRetry: (message: string) => void): Promise<void> {
  const share = Math.ceil(samples.length / writers.length);
  await Promise.all(writers.map(async (w, k) => {
    const mine = samples.slice(k * share, (k + 1) * share);
    // As the bus hands batches over: one poll's worth (a 48-port switch) at a time.
    for (let i = 0; i < mine.length; i += 48) await w.write(mine.slice(i, i + 48));
    // A batch influxd answered with a 500 went to the spool and is replayed after the writer's back-off: wait for it,
    // as the raw client waits for its retries, instead of closing with points on disk.
    for (let tries = 0; w.stats().writtenPoints < mine.length && tries < MAX_TRIES * 10; tries++) {
      await w.flush();
      if (w.stats().writtenPoints < mine.length) { if (tries === 0) onRetry(`noctua writer ${k}: ${w.stats().lastError?.message ?? ''}, replaying`); await sleep(RETRY_MS / 5); }
    }
    await w.close();
    const st = w.stats();
    if (st.writtenPoints !== mine.length) throw new Error(`noctua writer ${k}: ${st.writtenPoints} of ${mine.length} points written (${JSON.stringify(st)})`);
  }));
}

/**
 * Seconds the process spent in GC pauses from now until `stop()` (perf_hooks 'gc' entries): wall time of the main
 * thread's pauses, so on a loaded machine it also holds time the paused thread waited for a core.
 */
function gcPauses(): { stop(): Promise<number> } {
  let ms = 0;
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) ms += e.duration; });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop() {
      // Entries are delivered asynchronously: let the last ones arrive.
      await new Promise((r) => setImmediate(r));
      observer.disconnect();
      return ms / 1000;
    },
  };
}

/** Section 4: points/s and client CPU per 100k points, Noctua's writer against raw line-protocol fetch POSTs, to the same influxd. */
export async function influxSection(ctx: BenchContext): Promise<void> {
  // A multiple of 4 × the batch size, so every writer of the 4-writer case sends full batches (a partial one waits flushInterval).
  const points = ctx.quick ? 20_000 : 60_000;
  // Distinct series (a 48-port switch each 48): created once in the warm-up, so no run measures index growth.
  const SERIES = ctx.quick ? 5000 : 10_000;
  const dir = ctx.dir('influx');
  const onRetry = (message: string) => ctx.say(`influx: ${message}`);
  const influx = await startInfluxd({ dir: join(dir, 'influxdb') });
  ctx.onCleanup(() => influx.stop());
  const db = 'noctua_bench';
  // A write timeout as generous as the raw client's (fetch has none of its own): on a loaded machine a slow influxd must
  // not send the writer into spooling, which this section does not measure.
  const settings = influxSectionSchema.parse({ url: influx.url, database: db, batchSize: BATCH, maxQueue: Math.max(200_000, points), timeout: 300_000 });
  // Fresh writers for every run (set up before the clock starts), each with a spool directory of its own.
  let made = 0;
  const writers = async (n: number) => {
    const out: InfluxSink[] = [];
    for (let k = 0; k < n; k++) out.push(await createInfluxSink({ settings, stateDir: join(dir, `state-${made++}`), log: ctx.log }));
    return out;
  };
  // Each run writes new points (seconds of its own), so no run merely overwrites the last one's.
  let second = Math.floor(Date.now() / 1000) - 86_400;
  const fresh = () => { const s = interfaceSamples(points, second, SERIES); second += Math.ceil(points / SERIES); return s; };
  // Both clients must send the same lines, or influxd does different work for each (docs/SCHEMA.md, "Labels").
  const compared = await checkSameBodies(interfaceSamples(points, second, SERIES), settings, join(dir, 'capture'), ctx.log);
  ctx.say(`influx: the raw client's bodies are byte for byte Noctua's writer's (${(compared / points).toFixed(0)} bytes per point)`);
  // Warm both paths (connections, JIT) and create every series before measuring.
  await noctuaWrite(await writers(4), interfaceSamples(SERIES, second++, SERIES), onRetry);
  await rawWrite(influx.url, db, interfaceSamples(SERIES, second++, SERIES), 4, onRetry);

  const measure = async (prepare: () => Promise<(s: Sample[]) => Promise<void>>): Promise<RunFigures> => {
    const samples = fresh();
    const write = await prepare();
    const gc = gcPauses();
    const s0 = treeCpuSeconds([influx.process.pid]);
    const f = await measureInProcess(() => write(samples), { children: false });
    const server = treeCpuSeconds([influx.process.pid]) - s0;
    const gcS = await gc.stop();
    return {
      ...f,
      extra: {
        pointsPerS: points / f.wallS, clientCpuSPer100k: (f.cpuS * 100_000) / points, influxdCpuSPer100k: (server * 100_000) / points,
        gcPauseSPer100k: (gcS * 100_000) / points,
      },
    };
  };
  const show = [
    { key: 'pointsPerS', label: 'points/s', digits: 0 }, { key: 'clientCpuSPer100k', label: 'client CPU s/100k', digits: 3 },
    { key: 'gcPauseSPer100k', label: 'GC pause s/100k', digits: 3 }, { key: 'influxdCpuSPer100k', label: 'influxd CPU s/100k', digits: 3 },
  ];
  for (const concurrency of [1, 4]) {
    const label = `${points.toLocaleString('en-US')} interface points (${SERIES.toLocaleString('en-US')} series, 22 fields), batch ${BATCH.toLocaleString('en-US')}, ${concurrency} concurrent`;
    ctx.say(`influx: ${label}`);
    const noctua = concurrency === 1 ? 'noctua writer' : `noctua writer ×${concurrency}`;
    const raw = `raw fetch POST ×${concurrency}`;
    const res = await repeatInterleaved(ctx.repeats, [
      { name: noctua, run: () => measure(async () => { const w = await writers(concurrency); return (s) => noctuaWrite(w, s, onRetry); }) },
      { name: raw, run: () => measure(async () => (s) => rawWrite(influx.url, db, s, concurrency, onRetry)) },
    ]);
    for (const [name, summary] of res) ctx.rows.push({ section: 'influx', case: label, contender: name, ...(name === noctua ? { peer: raw } : {}), summary, show });
  }
  ctx.facts['influx'] = 'Both clients send the same bytes (checked before the runs): ifAlias and ifDescr as string fields, tags sorted, seconds. Noctua\'s writer keeps one batch on the wire per instance, so "4 concurrent" is four writer instances, each with a quarter of the points; the raw client runs 4 POSTs at a time. ' +
    'A 5xx answer (a starved influxd times its own writes out) is retried by both: the raw client after 0.5 s, Noctua\'s writer from its spool after its back-off (0.5 s, doubling); retries show in the progress log';
}
