import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { openStateDb, type Db } from '../../../src/core/database.js';
import { tempDir } from '../../helpers/tmp.js';
import { device, harness, T0 } from './harness.js';

const MIN = 60_000;
const RULES = `
evaluationInterval: 5s
rules:
  - name: errors
    severity: P3
    select: { measurement: interface }
    condition: { rate: { field: in_errors, window: 10m, per: m, op: ">", value: 60, counter: true } }
    summary: "{{instance}} errors rising"
  - name: util
    severity: P3
    select: { measurement: interface }
    condition: { threshold: { field: in_util_pct, op: ">", value: 90 } }
    clear: { threshold: { field: in_util_pct, op: "<", value: 80 } }
    summary: "{{instance}} busy"
`;

/** Rows inserted, updated or deleted on this connection so far. */
function writes(db: Db): number {
  return (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
}

const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

describe('what the engine writes', () => {
  it('a batch that changes no alert state writes nothing; one that does writes it at once', async () => {
    const t = tempDir('noctua-engine-writes-');
    cleanups.push(t.cleanup);
    const db = openStateDb(t.dir);
    cleanups.push(() => db.close());
    const h = harness(RULES, [device('sw1')], { db });
    h.engine.start();
    cleanups.push(() => { void h.engine.stop(); });
    const port = (errors: bigint, util: number) => h.feed('interface', 'sw1', { in_errors: errors, in_util_pct: util }, { ifName: 'Gi0/1' });
    await port(0n, 10);
    for (let i = 1; i <= 20; i++) {
      await h.advance(MIN);
      const before = writes(db);
      // Errors rise slowly (rate memory moves on every sample) and the port is quiet: no state changes.
      await port(BigInt(i * 10), 10 + (i % 3));
      expect(writes(db) - before, `poll ${i}`).toBe(0);
    }
    const before = writes(db);
    await port(210n, 95);
    expect(h.transitions()).toEqual(['firing util sw1/Gi0/1']);
    // The tracker, the alert log row, the incident and its event, written in the batch's pass.
    expect(writes(db) - before).toBeGreaterThanOrEqual(4);
    const row = db.prepare("SELECT data FROM alert_trackers WHERE rule = 'util'").get() as { data: string };
    expect(JSON.parse(row.data)).toMatchObject({ state: 'firing', instance: 'Gi0/1' });
  });

  it('condition memory survives a crash once a checkpoint round has saved it', async () => {
    const t = tempDir('noctua-engine-checkpoint-');
    cleanups.push(t.cleanup);
    const clock = new FakeClock(T0);
    const db1 = openStateDb(t.dir);
    const a = harness(RULES, [device('sw1')], { db: db1, clock });
    a.engine.start();
    for (let i = 0; i <= 10; i++) {
      await a.feed('interface', 'sw1', { in_errors: BigInt(i * 10), in_util_pct: 10 }, { ifName: 'Gi0/1' });
      await a.advance(MIN);
    }
    // The process dies at 11 min without stop(): what the 10-minute checkpoint saved is all there is.
    db1.close();
    const db2 = openStateDb(t.dir);
    cleanups.push(() => db2.close());
    const b = harness(RULES, [device('sw1')], { db: db2, clock });
    b.engine.start();
    cleanups.push(() => { void b.engine.stop(); });
    // 2,000 errors in one minute: with the saved rate window the rate is known at once (without it, only after 5 min).
    await b.feed('interface', 'sw1', { in_errors: 2100n, in_util_pct: 10 }, { ifName: 'Gi0/1' });
    expect(b.transitions()).toEqual(['firing errors sw1/Gi0/1']);
  });
});
