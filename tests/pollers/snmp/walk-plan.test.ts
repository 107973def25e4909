import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import type { SnmpSettings } from '../../../src/config/inventory-schema.js';
import { NetSnmpSession, compareOids } from '../../../src/pollers/snmp/session.js';
import { COLUMNS_PER_REQUEST, planWalk, repsFor } from '../../../src/pollers/snmp/walk-plan.js';

const C = snmp.ObjectType;
type Row = { oid: string; type: number; value: unknown };

/** A GETBULK agent over a sorted table that, like pysnmp's (snmpsimd), answers at most `cap` varbinds. */
class CappedAgent {
  bulkCalls: { oids: string[]; reps: number }[] = [];
  constructor(public table: Row[], private cap = Infinity) { this.sort(); }
  sort() { this.table.sort((a, b) => compareOids(a.oid, b.oid)); }
  private next(oid: string): Row {
    return this.table.find((r) => compareOids(r.oid, oid) > 0) ?? { oid, type: C.EndOfMibView, value: null };
  }
  on() { return this; }
  close() {}
  getBulk(oids: string[], _non: number, reps: number, cb: (e: unknown, v?: unknown[][]) => void) {
    this.bulkCalls.push({ oids, reps });
    const m = Math.min(reps, Math.floor(this.cap / oids.length));
    setImmediate(() => cb(null, oids.map((o) => {
      const rows: Row[] = [];
      let at = o;
      for (let i = 0; i < m; i++) { const n = this.next(at); rows.push(n); if (n.type === C.EndOfMibView) break; at = n.oid; }
      return rows;
    })));
  }
}

const IF = '1.3.6.1.2.1.2.2.1';
function rows(cols: number[], n: number): Row[] {
  const t: Row[] = [];
  for (const c of cols) for (let i = 1; i <= n; i++) t.push({ oid: `${IF}.${c}.${i}`, type: C.Counter32, value: c * 1000 + i });
  t.push({ oid: '1.3.6.1.2.1.4.1.0', type: C.Integer, value: 1 });
  return t;
}
const settings: SnmpSettings = { version: '2c', community: 'c', port: 161, timeoutMs: 1000, retries: 1, maxRepetitions: 25 };
const sessionOn = (agent: CappedAgent) => new NetSnmpSession('192.0.2.1', settings, agent as unknown as snmp.Session);
const asked = (a: CappedAgent) => a.bulkCalls.reduce((s, c) => s + c.oids.length * c.reps, 0);
const snapshot = (cols: Map<string, Map<string, unknown>>) => [...cols].map(([c, m]) => [c, [...m]]);

describe('walk plan', () => {
  it('repsFor covers the rows plus the end in even rounds of at most the cap', () => {
    expect(repsFor(0, 10, 25, 100)).toBe(1);
    expect(repsFor(2, 20, 25, 100)).toBe(3);
    expect(repsFor(57, 1, 25, 100)).toBe(20); // 58 in 3 rounds of 20
    for (const [rows, cols, cap, budget] of [[0, 1, 25, 100], [31, 27, 25, 64], [74, 19, 25, 100], [500, 3, 10, 50]] as const) {
      const r = repsFor(rows, cols, cap, budget);
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(Math.min(cap, budget));
    }
  });

  it('puts every column in exactly one group, within the budget; unknown columns in groups of 10', () => {
    const seen = new Map<string, number>();
    const cols = Array.from({ length: 60 }, (_, i) => `${IF}.${i + 1}`);
    cols.forEach((c, i) => { if (i < 40) seen.set(c, [0, 2, 31, 74][i % 4]!); });
    const groups = planWalk(cols, seen, 25, 100);
    expect(groups.flatMap((g) => g.columns).sort()).toEqual([...cols].sort());
    for (const g of groups) {
      if (g.reps === undefined) expect(g.columns.length).toBeLessThanOrEqual(COLUMNS_PER_REQUEST);
      else expect(g.columns.length * g.reps).toBeLessThanOrEqual(100);
    }
    expect(groups.filter((g) => g.reps === undefined).flatMap((g) => g.columns)).toEqual(cols.slice(40));
  });
});

describe('walks planned from the last walk', () => {
  it('asks a small table and absent columns for just enough varbinds, with the same answer', async () => {
    const agent = new CappedAgent(rows([2, 5, 7, 8, 10, 16], 2));
    const s = sessionOn(agent);
    const want = [2, 5, 7, 8, 10, 16, 11, 17, 13, 19, 14, 20].map((c) => `${IF}.${c}`); // six columns absent
    const first = await s.walk(want);
    const firstAsked = asked(agent);
    agent.bulkCalls = [];
    const second = await s.walk(want);
    expect(snapshot(second)).toEqual(snapshot(first));
    expect(first.get(`${IF}.10`)!.size).toBe(2);
    expect(first.get(`${IF}.11`)!.size).toBe(0);
    // All 12 columns in one request of 3 repetitions (2 rows and the end), against 10 x 10 + 2 x 25 the first time.
    expect(agent.bulkCalls).toHaveLength(1);
    expect(asked(agent)).toBe(36);
    expect(firstAsked).toBe(150);
  });

  it('a table that grew since the last walk is still read to its end', async () => {
    const agent = new CappedAgent(rows([10, 16], 3));
    const s = sessionOn(agent);
    const want = [`${IF}.10`, `${IF}.16`, `${IF}.11`];
    await s.walk(want);
    agent.table = rows([10, 11, 16], 240);
    agent.sort();
    const cols = await s.walk(want);
    for (const c of want) expect(cols.get(c)!.size).toBe(240);
    expect(cols.get(`${IF}.11`)!.get('240')).toBe(11240);
    expect(agent.bulkCalls.length).toBeLessThan(60);
  });

  it('learns an agent that answers fewer varbinds than asked, and stays within its cap', async () => {
    const agent = new CappedAgent(rows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 40), 64);
    const s = sessionOn(agent);
    const want = Array.from({ length: 12 }, (_, i) => `${IF}.${i + 1}`);
    const first = await s.walk(want);
    for (const c of want) expect(first.get(c)!.size).toBe(40);
    agent.bulkCalls = [];
    const second = await s.walk(want);
    expect(snapshot(second)).toEqual(snapshot(first));
    for (const call of agent.bulkCalls) expect(call.oids.length * call.reps).toBeLessThanOrEqual(64);
    // 12 x 41 varbinds need 8 answers of 64 at least.
    expect(agent.bulkCalls.length).toBeLessThanOrEqual(12);
  });
});
