import { appendFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from '../../src/storage/influx/spool.js';
import { tempDir } from '../helpers/tmp.js';
import { capturedLogger } from './log-capture.js';

const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

function dir(): string {
  const t = tempDir('noctua-spool-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function drain(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const rec = await spool.head();
    if (!rec) break;
    out.push(rec.payload);
    await spool.ack(rec);
  }
  return out;
}

describe('disk spool', () => {
  it('gives batches back oldest first, across segments, with their point count and precision', async () => {
    const { log } = capturedLogger();
    const spool = await Spool.open({ dir: dir(), maxBytes: 1 << 20, segmentBytes: 100, log });
    for (let i = 0; i < 10; i++) void spool.append(`m v=${i} ${i}`, 1, i % 2 ? 'ms' : 's');
    expect(spool.isEmpty()).toBe(false);
    const first = await spool.head();
    expect(first).toMatchObject({ payload: 'm v=0 0', points: 1, precision: 's' });
    expect(spool.stats().segments).toBeGreaterThan(1);
    expect(await drain(spool)).toEqual(Array.from({ length: 10 }, (_, i) => `m v=${i} ${i}`));
    expect(spool.isEmpty()).toBe(true);
    await spool.close();
  });

  it('deletes a segment once every record in it is acknowledged', async () => {
    const { log } = capturedLogger();
    const d = dir();
    const spool = await Spool.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 64, log });
    for (let i = 0; i < 6; i++) await spool.append(`m v=${i} ${i}`.padEnd(40, ' '), 1, 's');
    const before = readdirSync(d).filter((f) => f.endsWith('.seg')).length;
    await drain(spool);
    expect(before).toBeGreaterThan(2);
    expect(readdirSync(d).filter((f) => f.endsWith('.seg'))).toEqual([]);
    await spool.close();
  });

  it('a reopened spool replays only what was not acknowledged, in order', async () => {
    const { log } = capturedLogger();
    const d = dir();
    const a = await Spool.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 80, log });
    for (let i = 0; i < 8; i++) await a.append(`m v=${i} ${i}`, 2, 's');
    for (let i = 0; i < 3; i++) await a.ack((await a.head())!);
    await a.close();
    const b = await Spool.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 80, log });
    expect(b.stats()).toMatchObject({ records: 5, points: 10 });
    await b.append('m v=8 8', 2, 's');
    expect(await drain(b)).toEqual([3, 4, 5, 6, 7, 8].map((i) => `m v=${i} ${i}`));
    await b.close();
  });

  it('cuts a torn record left by a crash and keeps every whole one', async () => {
    const { log, records } = capturedLogger();
    const d = dir();
    const a = await Spool.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 1 << 16, log });
    await a.append('m v=1 1', 1, 's');
    await a.append('m v=2 2', 1, 's');
    await a.close();
    const seg = join(d, readdirSync(d).find((f) => f.endsWith('.seg'))!);
    const whole = statSync(seg).size;
    appendFileSync(seg, Buffer.from('NSP1\0\0\0\0\0\0\0\x01\0\0\0\x40'));
    const b = await Spool.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 1 << 16, log });
    expect(statSync(seg).size).toBe(whole);
    expect(records.some((r) => r.level === 40 && r.msg.includes('torn'))).toBe(true);
    expect(await drain(b)).toEqual(['m v=1 1', 'm v=2 2']);
    await b.close();
  });

  it('at the size cap drops the oldest segment, counts its points and says so loudly', async () => {
    const { log, records } = capturedLogger();
    const d = dir();
    const payload = 'x'.repeat(100);
    // Segments of one 120-byte record each; a cap of 500 bytes keeps the newest four.
    const spool = await Spool.open({ dir: d, maxBytes: 500, segmentBytes: 130, log });
    for (let i = 0; i < 10; i++) await spool.append(`${payload}${i}`, 7, 's');
    const s = spool.stats();
    expect(s.bytes).toBeLessThanOrEqual(500);
    expect(s.droppedSegments).toBe(6);
    expect(s.droppedPoints).toBe(42);
    expect(s.points).toBe(28);
    expect(records.filter((r) => r.level === 50 && r.msg.includes('SIZE CAP'))).toHaveLength(6);
    expect(await drain(spool)).toEqual([6, 7, 8, 9].map((i) => `${payload}${i}`));
    await spool.close();
  });

  it('an acknowledgement for a record whose segment the cap dropped changes nothing', async () => {
    const { log } = capturedLogger();
    const spool = await Spool.open({ dir: dir(), maxBytes: 300, segmentBytes: 130, log });
    await spool.append('a'.repeat(100), 1, 's');
    const head = (await spool.head())!;
    for (let i = 0; i < 4; i++) await spool.append('b'.repeat(100), 1, 's');
    await spool.ack(head);
    expect(spool.stats().records).toBe(2);
    expect((await spool.head())!.payload).toBe('b'.repeat(100));
    await spool.close();
  });
});
