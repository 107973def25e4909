import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { Sample } from '../../src/core/sample.js';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import { splitLines } from '../../src/storage/influx/line-protocol.js';
import { createInfluxSink } from '../../src/storage/influx/sink.js';
import type { InfluxTransport, WriteOutcome } from '../../src/storage/influx/transport.js';
import { tempDir } from '../helpers/tmp.js';
import { capturedLogger } from './log-capture.js';

/** An InfluxDB stand-in: up or down, refuses lines containing BAD by name (like a 1.x parse error), can hold answers back. */
class FakeInflux implements InfluxTransport {
  readonly target = 'fake://influx';
  up = true;
  stored: string[] = [];
  requests = 0;
  gate: Promise<void> | undefined;
  async write(body: string | Uint8Array): Promise<WriteOutcome> {
    this.requests++;
    if (this.gate) await this.gate;
    if (!this.up) return { kind: 'retry', message: 'InfluxDB unreachable: ECONNREFUSED' };
    // The writer sends its batches as UTF-8 bytes, the reject bisection as text.
    const lines = splitLines(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    const bad = lines.filter((l) => l.includes('BAD'));
    this.stored.push(...lines.filter((l) => !l.includes('BAD')));
    if (bad.length === 0) return { kind: 'ok' };
    return { kind: 'rejected', status: 400, message: `partial write: ${bad.map((l) => `unable to parse '${l}': invalid field format`).join('\n')} dropped=0` };
  }
  async ping(): Promise<boolean> { return this.up; }
  /** The `seq` field of every stored point, in arrival order. */
  seqs(): number[] { return this.stored.map((l) => Number(/seq=(\d+)i/.exec(l)?.[1])); }
}

const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

function setup(over: Record<string, unknown> = {}) {
  const t = tempDir('noctua-sink-');
  cleanups.push(t.cleanup);
  const settings = influxSectionSchema.parse({ batchSize: 3, flushInterval: '1s', maxQueue: 1000, ...over });
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 8));
  const influx = new FakeInflux();
  const { log, records } = capturedLogger();
  const open = () => createInfluxSink({ settings, stateDir: t.dir, log, clock, transport: influx, setUp: async () => undefined });
  return { settings, clock, influx, log, records, open, stateDir: t.dir };
}

let seq = 0;
function samples(n: number, extra: Partial<Sample> = {}): Sample[] {
  return Array.from({ length: n }, () => {
    const i = seq++;
    return { measurement: 'icmp', tags: { device: `d${i % 5}` }, fields: { seq: BigInt(i), up: true }, time: new Date(Date.UTC(2026, 10, 23, 8) + i * 1000), ...extra };
  });
}

describe('InfluxDB sink (fake InfluxDB, fake time)', () => {
  it('sends full batches at once and the remainder when the batch age is reached', async () => {
    const { influx, clock, open } = setup();
    const sink = await open();
    await sink.write(samples(7));
    await vi.waitFor(() => expect(influx.stored).toHaveLength(6));
    expect(influx.requests).toBe(2);
    expect(sink.stats().queuedPoints).toBe(1);
    await clock.advance(1000);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(7));
    expect(influx.requests).toBe(3);
    expect(sink.stats()).toMatchObject({ writtenPoints: 7, queuedPoints: 0, state: 'writing' });
    await sink.close();
  });

  it('gives the event loop a turn per handover while a batch is on the wire, and none while idle', async () => {
    const { influx, open } = setup();
    const sink = await open();
    let release!: () => void;
    influx.gate = new Promise((r) => { release = r; });
    let turned = false;
    setImmediate(() => { turned = true; });
    // Nothing on the wire: the handover returns within the same turn.
    await sink.write(samples(2));
    expect(turned).toBe(false);
    // The third sample completes the batch; it goes on the wire and waits at the gate.
    await sink.write(samples(1));
    await vi.waitFor(() => expect(influx.requests).toBe(1));
    turned = false;
    setImmediate(() => { turned = true; });
    await sink.write(samples(1));
    expect(turned).toBe(true);
    release();
    influx.gate = undefined;
    await sink.flush();
    expect(influx.seqs()).toHaveLength(4);
    await sink.close();
  });

  it('spools while InfluxDB is down and replays in order, new samples behind the spool', async () => {
    const { influx, clock, open } = setup();
    const first = seq;
    const sink = await open();
    influx.up = false;
    await sink.write(samples(6));
    await vi.waitFor(() => expect(sink.stats().spoolPoints).toBe(6));
    expect(sink.stats().state).toBe('spooling');
    expect(sink.readiness()).toMatchObject({ ready: true, influx: 'unreachable', spooling: true });
    await sink.write(samples(6));
    await vi.waitFor(() => expect(sink.stats().spoolPoints).toBe(12));
    influx.up = true;
    await sink.write(samples(3)); // arrives while the spool still holds the outage: must go behind it
    await clock.advance(10_000);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(15));
    expect(influx.seqs()).toEqual(Array.from({ length: 15 }, (_, i) => first + i));
    expect(sink.stats()).toMatchObject({ spoolPoints: 0, spoolSegments: 0, state: 'writing', droppedPoints: 0 });
    await sink.close();
  });

  it('a restart while InfluxDB is down replays what the spool holds, once', async () => {
    const { influx, clock, open } = setup();
    const first = seq;
    const a = await open();
    influx.up = false;
    await a.write(samples(8));
    await clock.advance(500);
    await a.close(); // the pending remainder goes to disk too
    influx.up = true;
    const b = await open();
    await vi.waitFor(() => expect(influx.stored).toHaveLength(8));
    await b.write(samples(3));
    await b.flush();
    expect(influx.seqs()).toEqual(Array.from({ length: 11 }, (_, i) => first + i));
    await b.close();
  });

  it('dead-letters a refused point, writes the rest and does not block later batches', async () => {
    const { influx, open, stateDir, records } = setup();
    const sink = await open();
    await sink.write([...samples(1), ...samples(1, { tags: { device: 'BAD' } }), ...samples(1)]);
    await sink.write(samples(3));
    await sink.flush();
    expect(influx.stored).toHaveLength(5);
    expect(sink.stats()).toMatchObject({ deadLetteredPoints: 1, writtenPoints: 5 });
    const dead = readFileSync(join(stateDir, 'spool', 'dead-letter.lp'), 'utf8');
    expect(dead).toMatch(/^# \S+ invalid field format\nicmp,device=BAD seq=\d+i,up=true \d+\n$/);
    expect(records.some((r) => r.level === 50 && String(r.line).startsWith('icmp,device=BAD'))).toBe(true);
    await sink.close();
  });

  it('sends batches beyond maxQueue to the spool when InfluxDB is slower than the pollers, keeping order', async () => {
    const { influx, open } = setup({ maxQueue: 1000, batchSize: 400 });
    const first = seq;
    const sink = await open();
    let release!: () => void;
    influx.gate = new Promise((r) => { release = r; });
    await sink.write(samples(400)); // on the wire, held
    await sink.write(samples(400));
    await sink.write(samples(400)); // 1200 > 1000 in memory: everything to disk
    expect(sink.stats().spoolPoints).toBe(1200);
    influx.gate = undefined;
    release();
    await vi.waitFor(() => expect(sink.stats().spoolPoints).toBe(0));
    await sink.flush();
    // The held batch may arrive twice (once from memory, once from disk): InfluxDB keeps one copy of a point.
    expect([...new Set(influx.seqs())]).toEqual(Array.from({ length: 1200 }, (_, i) => first + i));
    await sink.close();
  });

  it('retries database set-up until it succeeds, spooling meanwhile', async () => {
    const t = tempDir('noctua-sink-');
    cleanups.push(t.cleanup);
    const clock = new FakeClock();
    const influx = new FakeInflux();
    let attempts = 0;
    const sink = await createInfluxSink({
      settings: influxSectionSchema.parse({ batchSize: 2 }), stateDir: t.dir, log: capturedLogger().log, clock, transport: influx,
      setUp: async () => { if (++attempts < 3) throw new Error('connect ECONNREFUSED'); },
    });
    await sink.write(samples(2));
    await vi.waitFor(() => expect(sink.stats().spoolPoints).toBe(2));
    expect(sink.stats().lastError?.message).toContain('database set-up: connect ECONNREFUSED');
    await clock.advance(10_000);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(2));
    expect(attempts).toBe(3);
    await sink.close();
  });

  it('skips samples without writable fields and reports NaN fields once', async () => {
    const { influx, open, records } = setup();
    const sink = await open();
    await sink.write([
      ...samples(1, { fields: {} }),
      ...samples(2, { fields: { rtt_avg_ms: Number.NaN, up: false } }),
    ]);
    await sink.flush();
    expect(influx.stored).toEqual([expect.stringMatching(/^icmp,device=d\d up=false \d+$/), expect.stringMatching(/up=false/)]);
    expect(sink.stats()).toMatchObject({ skippedSamples: 1, droppedFields: 2 });
    expect(records.filter((r) => r.msg.includes('NaN'))).toHaveLength(1);
    await sink.close();
  });

  it('reports itself as noctua_self samples for the writer and the spool', async () => {
    const { influx, open, clock } = setup();
    const sink = await open();
    influx.up = false;
    await sink.write(samples(3));
    await vi.waitFor(() => expect(sink.stats().spoolPoints).toBe(3));
    const self = sink.selfSamples(clock.now());
    expect(self.map((s) => s.tags.component)).toEqual(['writer', 'spool']);
    expect(self[1]!.fields).toMatchObject({ spool_points: 3, dropped_points: 0 });
    expect(self[1]!.fields.spool_bytes).toBeGreaterThan(0);
    expect(self[0]!.fields).toMatchObject({ influx_up: false, written_points: 0 });
    expect(await sink.ping()).toBe(false);
    await sink.close();
  });

  it('refuses writes after close', async () => {
    const { open } = setup();
    const sink = await open();
    await sink.close();
    await expect(sink.write(samples(1))).rejects.toThrow('closed');
  });
});
