import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import type { SnmpSettings } from '../../../src/config/inventory-schema.js';
import { NetSnmpSession, SnmpError, classifyError, compareOids, inSubtree, varbindValue } from '../../../src/pollers/snmp/session.js';

/** A scripted net-snmp session: answers GET/GETNEXT/GETBULK from a sorted table, can refuse big answers. */
class ScriptedAgent {
  bulkCalls: { oids: string[]; reps: number }[] = [];
  constructor(private table: { oid: string; type: number; value: unknown }[], private maxVarbinds = Infinity, private v1 = false) {
    this.table.sort((a, b) => compareOids(a.oid, b.oid));
  }
  private next(oid: string) {
    return this.table.find((r) => compareOids(r.oid, oid) > 0) ?? { oid, type: snmp.ObjectType.EndOfMibView, value: null };
  }
  on() { return this; }
  close() {}
  get(oids: string[], cb: (e: unknown, v?: unknown[]) => void) {
    setImmediate(() => cb(null, oids.map((o) => this.table.find((r) => r.oid === o) ?? { oid: o, type: snmp.ObjectType.NoSuchInstance, value: null })));
  }
  getNext(oids: string[], cb: (e: unknown, v?: unknown[]) => void) {
    setImmediate(() => {
      const out = oids.map((o) => this.next(o));
      if (this.v1 && out.some((v) => v.type === snmp.ObjectType.EndOfMibView)) return cb({ name: 'RequestFailedError', status: snmp.ErrorStatus.NoSuchName, message: 'NoSuchName' });
      cb(null, out);
    });
  }
  getBulk(oids: string[], _non: number, reps: number, cb: (e: unknown, v?: unknown[][]) => void) {
    this.bulkCalls.push({ oids, reps });
    setImmediate(() => {
      if (oids.length * reps > this.maxVarbinds) return cb({ name: 'RequestFailedError', status: snmp.ErrorStatus.TooBig, message: 'TooBig' });
      cb(null, oids.map((o) => {
        const rows = [];
        let at = o;
        for (let i = 0; i < reps; i++) { const n = this.next(at); rows.push(n); if (n.type === snmp.ObjectType.EndOfMibView) break; at = n.oid; }
        return rows;
      }));
    });
  }
}

const settings: SnmpSettings = { version: '2c', community: 'c', port: 161, timeoutMs: 1000, retries: 1, maxRepetitions: 40 };
const C = snmp.ObjectType;
function table(cols: number[], rows: number) {
  const t: { oid: string; type: number; value: unknown }[] = [];
  for (const c of cols) for (let i = 1; i <= rows; i++) t.push({ oid: `1.3.6.1.2.1.2.2.1.${c}.${i}`, type: C.Counter32, value: c * 1000 + i });
  // Something right after the table, which a walk must not swallow.
  t.push({ oid: '1.3.6.1.2.1.2.2.2.1.0', type: C.Integer, value: 99 }, { oid: '1.3.6.1.2.1.4.1.0', type: C.Integer, value: 1 });
  return t;
}
const sessionOn = (agent: ScriptedAgent, s: Partial<SnmpSettings> = {}) => new NetSnmpSession('192.0.2.1', { ...settings, ...s }, agent as unknown as snmp.Session);

describe('net-snmp session walking', () => {
  it('walks several columns side by side and stops at each column prefix', async () => {
    const agent = new ScriptedAgent(table([10, 16], 57));
    const s = sessionOn(agent);
    const cols = await s.walk(['1.3.6.1.2.1.2.2.1.10', '1.3.6.1.2.1.2.2.1.16']);
    expect([...cols.get('1.3.6.1.2.1.2.2.1.10')!.keys()]).toHaveLength(57);
    expect(cols.get('1.3.6.1.2.1.2.2.1.16')!.get('57')).toBe(16057);
    expect(cols.get('1.3.6.1.2.1.2.2.1.16')!.has('1.0')).toBe(false);
    expect(agent.bulkCalls[0]).toEqual({ oids: ['1.3.6.1.2.1.2.2.1.10', '1.3.6.1.2.1.2.2.1.16'], reps: 40 });
    expect(s.varbinds).toBeGreaterThanOrEqual(114);
  });

  it('on tooBig retries with fewer repetitions and keeps the smaller size for later polls', async () => {
    const agent = new ScriptedAgent(table([10, 16], 100), 30);
    const s = sessionOn(agent);
    const cols = await s.walk(['1.3.6.1.2.1.2.2.1.10', '1.3.6.1.2.1.2.2.1.16']);
    expect(cols.get('1.3.6.1.2.1.2.2.1.10')!.size).toBe(100);
    // 2 columns x 40 repetitions = 80 varbinds, within the 4 x maxRepetitions budget; the agent allows 30.
    expect(agent.bulkCalls.map((c) => c.reps).slice(0, 3)).toEqual([40, 20, 10]);
    agent.bulkCalls = [];
    await s.walk(['1.3.6.1.2.1.2.2.1.10']);
    expect(agent.bulkCalls[0]!.reps).toBe(10);
  });

  it('keeps each GETBULK answer small: at most 10 columns and 4 x maxRepetitions varbinds per request', async () => {
    const colsWanted = Array.from({ length: 20 }, (_, i) => i + 1);
    const agent = new ScriptedAgent(table(colsWanted, 30));
    const s = sessionOn(agent, { maxRepetitions: 25 });
    const cols = await s.walk(colsWanted.map((c) => `1.3.6.1.2.1.2.2.1.${c}`));
    expect(cols.get('1.3.6.1.2.1.2.2.1.20')!.size).toBe(30);
    for (const call of agent.bulkCalls) {
      expect(call.oids.length).toBeLessThanOrEqual(10);
      expect(call.oids.length * call.reps).toBeLessThanOrEqual(100);
    }
  });

  it('a column the agent does not have comes back empty, quietly', async () => {
    const s = sessionOn(new ScriptedAgent(table([10], 3)));
    const cols = await s.walk(['1.3.6.1.2.1.31.1.1.1.6']);
    expect(cols.get('1.3.6.1.2.1.31.1.1.1.6')!.size).toBe(0);
  });

  it('v1 walks with GETNEXT and treats noSuchName as the end of the MIB', async () => {
    const t = table([10], 5).filter((r) => !r.oid.startsWith('1.3.6.1.2.1.4'));
    const s = sessionOn(new ScriptedAgent(t, Infinity, true), { version: '1' });
    const cols = await s.walk(['1.3.6.1.2.1.2.2.1.10', '1.3.6.1.2.1.2.2.2.1']);
    expect(cols.get('1.3.6.1.2.1.2.2.1.10')!.size).toBe(5);
    expect(cols.get('1.3.6.1.2.1.2.2.2.1')!.get('0')).toBe(99);
  });

  it('GET turns noSuchObject/noSuchInstance into undefined', async () => {
    const s = sessionOn(new ScriptedAgent(table([10], 2)));
    expect(await s.get(['1.3.6.1.2.1.2.2.1.10.2', '1.3.6.1.2.1.99.0'])).toEqual([10002, undefined]);
  });

  it('firstUnder finds something inside each subtree, or nothing', async () => {
    const s = sessionOn(new ScriptedAgent(table([10], 2)));
    expect(await s.firstUnder(['1.3.6.1.2.1.2.2.1'])).toEqual(['1.3.6.1.2.1.2.2.1.10.1']);
    expect(await s.firstUnder(['1.3.6.1.4.1.2011'])).toEqual([undefined]);
    // Several subtrees in one GETNEXT: each answered in place.
    expect(await s.firstUnder(['1.3.6.1.4.1.2011', '1.3.6.1.2.1.2.2.1', '1.3.6.1.4.1.6574'])).toEqual([undefined, '1.3.6.1.2.1.2.2.1.10.1', undefined]);
    // v1 refuses the whole GETNEXT when one OID runs off the end of the MIB: the others are still answered.
    const v1 = sessionOn(new ScriptedAgent(table([10], 2), Infinity, true), { version: '1' });
    expect(await v1.firstUnder(['1.3.6.1.2.1.2.2.1', '1.3.6.1.9'])).toEqual(['1.3.6.1.2.1.2.2.1.10.1', undefined]);
  });
});

describe('values and errors', () => {
  it('Counter64 buffers become exact bigints', () => {
    expect(varbindValue({ oid: '1', type: C.Counter64, value: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) } as snmp.Varbind)).toBe(2n ** 64n - 1n);
    expect(varbindValue({ oid: '1', type: C.Counter64, value: Buffer.from([0x01, 0x00]) } as snmp.Varbind)).toBe(256n);
    expect(varbindValue({ oid: '1', type: C.NoSuchObject, value: null } as snmp.Varbind)).toBeUndefined();
    expect(varbindValue({ oid: '1', type: C.OID, value: '1.3.6.1.4.1.9' } as snmp.Varbind)).toBe('1.3.6.1.4.1.9');
  });

  it('inSubtree respects whole sub-identifiers', () => {
    expect(inSubtree('1.3.6.1.2.1.2.2.1.10.5', '1.3.6.1.2.1.2.2.1.10')).toBe(true);
    expect(inSubtree('1.3.6.1.2.1.2.2.1.100.5', '1.3.6.1.2.1.2.2.1.10')).toBe(false);
    expect(inSubtree('1.3.6.1.2.1.2.2.1.10', '1.3.6.1.2.1.2.2.1.10')).toBe(false);
  });

  it.each([
    [{ name: 'RequestTimedOutError', message: 'Request timed out' }, 'timeout', /no answer to GET x within 1000 ms x 2 tries/],
    [{ name: 'ResponseInvalidError', code: snmp.ResponseInvalidCode.EAuthFailure, message: 'Wrong Digest (incorrect password, community or key)' }, 'auth', /authentication failure/],
    [{ name: 'ResponseInvalidError', code: snmp.ResponseInvalidCode.ECommunityNoMatch, message: "Community 'c' in request does not match community 'x' in response" }, 'community', /^wrong community: the agent answered GET x with a community other than the configured one$/],
    [{ name: 'RequestFailedError', status: snmp.ErrorStatus.TooBig, message: 'TooBig' }, 'tooBig', /too big/],
    [{ name: 'ProcessingError', message: 'Failed to parse message' }, 'garbage', /could not decode/],
    [{ name: 'ResponseInvalidError', code: snmp.ResponseInvalidCode.EOutOfOrder, message: 'OID out of order' }, 'garbage', /invalid answer/],
  ])('%o is classified as %s', (err, kind, msg) => {
    const e = classifyError(err, 'GET x', settings);
    expect(e).toBeInstanceOf(SnmpError);
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(msg);
  });
});
