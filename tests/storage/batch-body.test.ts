import { describe, expect, it } from 'vitest';
import { BatchBody } from '../../src/storage/influx/batch-body.js';
import { splitLines } from '../../src/storage/influx/line-protocol.js';

describe('batch body', () => {
  it('holds the lines joined by newlines as UTF-8, growing as it goes', () => {
    const body = new BatchBody();
    const lines = Array.from({ length: 3000 }, (_, i) => `interface,device=核心-${i},emoji=🛰️ in_octets=${i}i,descr="x\ny" ${i}`);
    for (const l of lines) body.add(l);
    expect(body.points).toBe(3000);
    const bytes = body.finish();
    expect(bytes.toString('utf8')).toBe(lines.join('\n'));
    expect(splitLines(bytes.toString('utf8'))).toEqual(lines);
  });

  it('starts empty after finish, and the finished body is not touched by later lines', () => {
    const body = new BatchBody();
    body.add('a v=1 1');
    body.add('b v=2 2');
    const first = body.finish();
    expect(body.points).toBe(0);
    body.add('c v=3 3');
    const second = body.finish();
    expect(first.toString()).toBe('a v=1 1\nb v=2 2');
    expect(second.toString()).toBe('c v=3 3');
  });

  it('gives a small batch a buffer of its own size after a large one', () => {
    const body = new BatchBody();
    for (let i = 0; i < 1000; i++) body.add('x'.repeat(100));
    body.finish();
    body.add('y v=1 1');
    const small = body.finish();
    expect(small.length).toBe(7);
    expect(small.buffer.byteLength).toBeLessThanOrEqual(8192); // a copy (or a slice of Node's small pool), not the 100 kB buffer
  });
});
