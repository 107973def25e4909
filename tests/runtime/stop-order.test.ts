import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import type { Sink } from '../../src/core/bus.js';
import { FakeClock } from '../../src/core/clock.js';
import { startNoctua } from '../../src/main.js';
import { clockTicker } from '../../src/scheduler/ticker.js';
import { FakeBatchPinger, FakePoller } from '../scheduler/fake-fleet.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-stop-order-');
afterAll(() => tmp.cleanup());

describe('stopping a standalone runtime', () => {
  it('closes parts in the reverse order of start, and a sink that fails to close does not keep the others open', async () => {
    const dir = join(tmp.dir, 'config');
    mkdirSync(dir);
    writeFileSync(join(dir, 'noctua.yaml'), stringify({ stateDir: join(tmp.dir, 'state'), scheduler: { selfInterval: '10s', drainTimeout: '1s' } }));
    writeFileSync(join(dir, 'devices.yaml'), stringify({ devices: [{ name: 'sw-a', address: '127.0.5.1', class: 'switch' }] }));
    const clock = new FakeClock(Date.UTC(2026, 10, 23));
    const order: string[] = [];
    const icmp = new FakeBatchPinger('icmp', clock);
    const snmp = new FakePoller('snmp', clock);
    icmp.close = async () => { order.push('icmp poller'); };
    snmp.close = async () => { order.push('snmp poller'); };
    const broken: Sink = { name: 'broken', async write() {}, async close() { order.push('broken sink'); throw new Error('disk gone'); } };
    const lines: { msg: string; [k: string]: unknown }[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as { msg: string }); } });
    const rt = await startNoctua(loadFullConfig(dir), log, { sinks: [broken], pollers: { icmp, snmp }, clock, ticker: clockTicker(clock), noStorage: true, noApi: true });
    await clock.advance(1000);
    let stopped = false;
    const stopping = rt.stop().then(() => { stopped = true; });
    // The closers run one after the other: keep fake time moving until the scheduler's drain has been asked for.
    for (let i = 0; i < 100 && !stopped; i++) { await clock.advance(200); await new Promise((r) => setTimeout(r, 5)); }
    await stopping;
    // Pollers started after the sink was attached, so they close first; the sink's failure is reported, not thrown.
    expect(order.slice(0, 2).sort()).toEqual(['icmp poller', 'snmp poller']);
    expect(order[2]).toBe('broken sink');
    expect(lines.some((l) => l.msg === 'part did not close cleanly' && l.part === 'sink broken')).toBe(true);
    // The state database, opened first, still closed last.
    expect(rt.db!.open).toBe(false);
    expect(lines.at(-1)).toMatchObject({ msg: 'noctua stopped', failed: ['sink broken'], timedOut: [] });
  });
});
