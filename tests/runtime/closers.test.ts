import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Closers } from '../../src/runtime/closers.js';

function memoryLog() {
  const lines: { msg: string; part?: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as { msg: string }); } });
  return { log, lines };
}

describe('the runtime\'s ordered closers', () => {
  it('close in the reverse order of registration', async () => {
    const { log } = memoryLog();
    const closers = new Closers(log);
    const ran: string[] = [];
    for (const name of ['state database', 'writer', 'alert engine', 'scheduler', 'HTTP API']) closers.add(name, async () => { ran.push(name); });
    expect(closers.order()).toEqual(['HTTP API', 'scheduler', 'alert engine', 'writer', 'state database']);
    const report = await closers.closeAll();
    expect(ran).toEqual(['HTTP API', 'scheduler', 'alert engine', 'writer', 'state database']);
    expect(report).toEqual({ failed: [], timedOut: [] });
  });

  it('a closer that throws (at once or later) is logged and the others still run', async () => {
    const { log, lines } = memoryLog();
    const closers = new Closers(log);
    const ran: string[] = [];
    closers.add('first', () => { ran.push('first'); });
    closers.add('rejects', async () => { ran.push('rejects'); throw new Error('flush failed'); });
    closers.add('throws', () => { ran.push('throws'); throw new Error('already closed'); });
    closers.add('last', () => { ran.push('last'); });
    const report = await closers.closeAll();
    expect(ran).toEqual(['last', 'throws', 'rejects', 'first']);
    expect(report).toEqual({ failed: ['throws', 'rejects'], timedOut: [] });
    expect(lines.filter((l) => l.msg === 'part did not close cleanly').map((l) => l.part)).toEqual(['throws', 'rejects']);
  });

  it('a closer that hangs is passed over after its time bound, and the ones after it run', async () => {
    const { log, lines } = memoryLog();
    const closers = new Closers(log);
    const ran: string[] = [];
    closers.add('state database', () => { ran.push('state database'); });
    closers.add('stuck writer', () => new Promise<void>(() => { ran.push('stuck writer'); }), 200);
    closers.add('scheduler', () => { ran.push('scheduler'); });
    const t0 = Date.now();
    const report = await closers.closeAll();
    const took = Date.now() - t0;
    expect(ran).toEqual(['scheduler', 'stuck writer', 'state database']);
    expect(report).toEqual({ failed: [], timedOut: ['stuck writer'] });
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
    expect(lines.some((l) => l.msg === 'part did not close in time; going on with the others' && l.part === 'stuck writer')).toBe(true);
  });

  it('runs once: a second stop gets the first one\'s outcome, and nothing can be added while stopping', async () => {
    const { log } = memoryLog();
    const closers = new Closers(log);
    let n = 0;
    closers.add('counted', () => { n++; });
    const [a, b] = await Promise.all([closers.closeAll(), closers.closeAll()]);
    expect(a).toBe(b);
    expect(n).toBe(1);
    expect(() => closers.add('late', () => {})).toThrow(/runtime is stopping/);
  });
});
