import { describe, expect, it } from 'vitest';
import { isolateRejected } from '../../src/storage/influx/rejects.js';
import type { WriteOutcome } from '../../src/storage/influx/transport.js';

const lines = ['m v=1 1', 'm v=BAD1 2', 'm v=3 3', 'm v=4 4', 'm v=BAD2 5', 'm v=6 6'];

/** An InfluxDB stand-in that refuses lines containing BAD with a type-conflict partial write (which names no line). */
function conflicting(): { send: (body: string) => Promise<WriteOutcome>; stored: string[]; requests: number } {
  const state = { stored: [] as string[], requests: 0, send: async (body: string): Promise<WriteOutcome> => {
    state.requests++;
    const ls = body.split('\n');
    const good = ls.filter((l) => !l.includes('BAD'));
    state.stored.push(...good);
    if (good.length === ls.length) return { kind: 'ok' };
    return { kind: 'rejected', status: 400, message: `partial write: field type conflict: input field "v" on measurement "m" is type string, already exists as type float dropped=${ls.length - good.length}` };
  } };
  return state;
}

describe('isolating refused points', () => {
  it('takes the unparsable lines InfluxDB names in a partial write without another request', async () => {
    const fake = conflicting();
    const message = "partial write: unable to parse 'm v=BAD1 2': invalid number\nunable to parse 'm v=BAD2 5': invalid number dropped=0";
    const r = await isolateRejected(lines, { message }, fake.send);
    expect(r).toEqual({ kind: 'done', rejected: [{ line: 'm v=BAD1 2', reason: 'invalid number' }, { line: 'm v=BAD2 5', reason: 'invalid number' }] });
    expect(fake.requests).toBe(0);
  });

  it('bisects when the answer names no line, storing every good point and refusing only the bad ones', async () => {
    const fake = conflicting();
    const r = await isolateRejected(lines, { message: 'partial write: field type conflict dropped=2' }, fake.send);
    expect(r.kind).toBe('done');
    expect(r.kind === 'done' && r.rejected.map((x) => x.line)).toEqual(['m v=BAD1 2', 'm v=BAD2 5']);
    expect(r.kind === 'done' && r.rejected[0]!.reason).toContain('field type conflict');
    expect(new Set(fake.stored)).toEqual(new Set(lines.filter((l) => !l.includes('BAD'))));
    expect(fake.requests).toBeLessThanOrEqual(2 * lines.length);
  });

  it('refuses a single-line batch outright', async () => {
    const fake = conflicting();
    const r = await isolateRejected(['m v=BAD 1'], { message: 'bad' }, fake.send);
    expect(r).toEqual({ kind: 'done', rejected: [{ line: 'm v=BAD 1', reason: 'bad' }] });
    expect(fake.requests).toBe(0);
  });

  it('stops and asks for a retry when InfluxDB goes away during the search', async () => {
    let n = 0;
    const send = async (): Promise<WriteOutcome> => (++n === 1 ? { kind: 'rejected', status: 400, message: 'x' } : { kind: 'retry', message: 'InfluxDB unreachable: ECONNREFUSED' });
    const r = await isolateRejected(lines, { message: 'partial write: field type conflict dropped=2' }, send);
    expect(r).toEqual({ kind: 'retry', message: 'InfluxDB unreachable: ECONNREFUSED' });
  });

  it('sends the lines InfluxDB did not name when it stored nothing (no partial write)', async () => {
    const fake = conflicting();
    const message = "unable to parse 'm v=BAD1 2': invalid number";
    const r = await isolateRejected(['m v=BAD1 2', 'm v=7 7'], { message }, fake.send);
    expect(r.kind === 'done' && r.rejected.map((x) => x.line)).toEqual(['m v=BAD1 2']);
    expect(fake.stored).toEqual(['m v=7 7']);
  });
});
