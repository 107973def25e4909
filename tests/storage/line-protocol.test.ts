import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/core/sample.js';
import { LineEncoder, encodeSample, splitLines, type EncodeIssue } from '../../src/storage/influx/line-protocol.js';

const at = new Date('2026-11-23T08:00:00.123Z');
const sample = (over: Partial<Sample>): Sample => ({ measurement: 'icmp', tags: { device: 'sw1' }, fields: { up: true }, time: at, ...over });

describe('line protocol encoding', () => {
  it('writes bigint as integer, number always as float, booleans and strings by type', () => {
    const line = encodeSample(sample({ fields: { sent: 3n, loss_pct: 5, rtt: 1.25, up: false, error: 'none' } }), 's');
    expect(line).toBe('icmp,device=sw1 sent=3i,loss_pct=5,rtt=1.25,up=false,error="none" 1795420800');
  });

  it('uses the configured precision for the timestamp', () => {
    expect(encodeSample(sample({}), 'ms')).toBe('icmp,device=sw1 up=true 1795420800123');
    expect(encodeSample(sample({}), 's')).toBe('icmp,device=sw1 up=true 1795420800');
  });

  it('escapes commas, spaces and equals signs in measurement, tag keys, tag values and field keys', () => {
    const line = encodeSample({ measurement: 'my meas,x', tags: { 'if name': 'GE0/0/1, uplink=core' }, fields: { 'a b=c,d': 1 }, time: at }, 's');
    expect(line).toBe('my\\ meas\\,x,if\\ name=GE0/0/1\\,\\ uplink\\=core a\\ b\\=c\\,d=1 1795420800');
  });

  it('escapes quotes and backslashes in string field values only', () => {
    const line = encodeSample(sample({ fields: { sysDescr: 'say "hi" \\o/ C:\\' } }), 's');
    expect(line).toBe('icmp,device=sw1 sysDescr="say \\"hi\\" \\\\o/ C:\\\\" 1795420800');
  });

  it('keeps a backslash InfluxDB 1.x stores literally and replaces one it cannot store, reporting it', () => {
    const issues: EncodeIssue[] = [];
    const line = encodeSample(sample({ tags: { device: 'sw1', mount: 'C:\\ Label:System', path: 'a\\b', end: 'x\\' } }), 's', (i) => issues.push(i));
    expect(line).toBe('icmp,device=sw1,end=x/,mount=C:/\\ Label:System,path=a\\b up=true 1795420800');
    expect(issues.map((i) => `${i.kind}:${i.key}`).sort()).toEqual(['unrepresentable-backslash:end', 'unrepresentable-backslash:mount']);
  });

  it('leaves out tags with an empty value and sorts tags by key', () => {
    expect(encodeSample(sample({ tags: { site: 'hq', ifAlias: '', device: 'sw1' } }), 's')).toBe('icmp,device=sw1,site=hq up=true 1795420800');
  });

  it('stores an interface\'s ifAlias and ifDescr as string fields, so a renamed port stays one series', () => {
    const s = (alias: string) => encodeSample({ measurement: 'interface', tags: { device: 'sw1', ifIndex: '3', ifName: 'GE0/0/1', ifAlias: alias, ifDescr: 'GigabitEthernet0/0/1' }, fields: { oper_up: true }, time: at }, 's');
    expect(s('uplink "core"')).toBe('interface,device=sw1,ifIndex=3,ifName=GE0/0/1 oper_up=true,ifAlias="uplink \\"core\\"",ifDescr="GigabitEthernet0/0/1" 1795420800');
    // A cleared alias is written as cleared.
    expect(s('')).toBe('interface,device=sw1,ifIndex=3,ifName=GE0/0/1 oper_up=true,ifAlias="",ifDescr="GigabitEthernet0/0/1" 1795420800');
    // Other measurements keep every tag a tag.
    expect(encodeSample(sample({ tags: { device: 'sw1', ifAlias: 'x' } }), 's')).toBe('icmp,device=sw1,ifAlias=x up=true 1795420800');
  });

  it('drops NaN and Infinity fields and reports each', () => {
    const issues: EncodeIssue[] = [];
    const line = encodeSample(sample({ fields: { a: Number.NaN, b: Infinity, c: 2 } }), 's', (i) => issues.push(i));
    expect(line).toBe('icmp,device=sw1 c=2 1795420800');
    expect(issues.map((i) => i.key)).toEqual(['a', 'b']);
  });

  it('drops integers beyond 64 bits (InfluxDB would refuse the whole point)', () => {
    const issues: EncodeIssue[] = [];
    expect(encodeSample(sample({ fields: { big: 2n ** 64n - 1n, ok: 1n } }), 's', (i) => issues.push(i))).toBe('icmp,device=sw1 ok=1i 1795420800');
    expect(issues[0]?.kind).toBe('integer-out-of-range');
  });

  it('skips a sample left without fields', () => {
    const issues: EncodeIssue[] = [];
    expect(encodeSample(sample({ fields: {} }), 's', (i) => issues.push(i))).toBeUndefined();
    expect(encodeSample(sample({ fields: { x: Number.NaN } }), 's', (i) => issues.push(i))).toBeUndefined();
    expect(issues.filter((i) => i.kind === 'empty-fields')).toHaveLength(2);
  });

  it('skips a sample whose time is not a valid date', () => {
    const issues: EncodeIssue[] = [];
    expect(encodeSample(sample({ time: new Date('not a time') }), 's', (i) => issues.push(i))).toBeUndefined();
    expect(issues).toEqual([{ kind: 'invalid-time', measurement: 'icmp', key: '' }]);
  });

  it('turns newlines in tag values into spaces but keeps them inside string fields', () => {
    const line = encodeSample(sample({ tags: { device: 'sw1', ifAlias: 'a\nb' }, fields: { sysDescr: 'line 1\nline 2' } }), 's');
    expect(line).toBe('icmp,device=sw1,ifAlias=a\\ b sysDescr="line 1\nline 2" 1795420800');
  });

  it('keeps unicode as it is', () => {
    expect(encodeSample(sample({ tags: { device: '核心交换机' } }), 's')).toBe('icmp,device=核心交换机 up=true 1795420800');
  });
});

describe('one encoder for many samples (what it works out once must not leak between samples)', () => {
  it('gives every sample the line a fresh encoder gives it, whatever came before', () => {
    const samples: Sample[] = [
      sample({ tags: { site: 'hq', device: 'sw1' } }),
      sample({ tags: { device: 'sw1', site: 'hq' } }), // same keys, other order
      sample({ tags: { device: 'sw2', site: '' } }), // empty value left out, same shape
      sample({ tags: { device: 'a b', site: 'x,y=z' } }), // escaping per value, not per shape
      sample({ tags: { device: 'sw1', site: 'hq', extra: 'e' } }), // a superset of keys
      sample({ tags: { device: 'sw1' } }), // a subset
      sample({ measurement: 'interface', tags: { ifAlias: 'up "1"', device: 'sw1', ifDescr: 'Gi1' }, fields: { oper_up: true } }),
      sample({ measurement: 'interface', tags: { device: 'sw1', ifDescr: 'Gi1' }, fields: { oper_up: true, ifAlias: 'given' } }),
      sample({ measurement: 'icmp', tags: { device: 'sw1', ifAlias: 'tag here' } }),
      sample({ fields: { 'a b': 1, c: 2n, d: 'x', e: false } }),
      sample({ fields: { c: 3n, 'a b': 1.5 } }),
      sample({ time: new Date(at.getTime() + 1500) }), // another second
      sample({ time: new Date(at.getTime() + 1999) }), // same second, other ms
    ];
    const shared = new LineEncoder('s');
    for (const s of [...samples, ...samples.reverse()]) expect(shared.encode(s)).toBe(encodeSample(s, 's'));
    const sharedMs = new LineEncoder('ms');
    for (const s of samples) expect(sharedMs.encode(s)).toBe(encodeSample(s, 'ms'));
  });

  it('stays correct and bounded under churn of tag keys and field keys', () => {
    const e = new LineEncoder('s');
    for (let i = 0; i < 6000; i++) {
      const s = sample({ tags: { [`k${i % 40}`]: `v${i}`, device: 'sw1' }, fields: { [`f${i}`]: i } });
      expect(e.encode(s)).toBe(encodeSample(s, 's'));
    }
    // The caches are private; their bounds are the constants in line-protocol.ts. Reaching past them keeps the output right.
    const internals = e as unknown as { fieldKeys: Map<string, string>; shapes: Map<string, { shapes: unknown[] }> };
    expect(internals.fieldKeys.size).toBeLessThanOrEqual(4096);
    expect(internals.shapes.get('icmp')!.shapes.length).toBeLessThanOrEqual(16);
  });

  it('reports a problem in a cached name the first time and a problem in a value every time', () => {
    const issues: EncodeIssue[] = [];
    const e = new LineEncoder('s', (i) => issues.push(i));
    for (let i = 0; i < 3; i++) e.encode(sample({ tags: { device: 'x\\' }, fields: { v: Number.NaN, ok: 1 } }));
    expect(issues.filter((i) => i.kind === 'unrepresentable-backslash')).toHaveLength(3);
    expect(issues.filter((i) => i.kind === 'non-finite-field')).toHaveLength(3);
  });
});

describe('splitting a line-protocol body', () => {
  it('splits on newlines outside quoted string fields only', () => {
    const lines = [
      'system,device=a sysDescr="Cisco IOS\nVersion 15" 1',
      'system,device=b\\ x,k=q"uote sysDescr="x\\"\ny",n=1 2',
      'icmp,device=c up=true 3',
    ];
    expect(splitLines(lines.join('\n'))).toEqual(lines);
  });

  it('ignores empty lines', () => {
    expect(splitLines('a v=1 1\n\nb v=2 2\n')).toEqual(['a v=1 1', 'b v=2 2']);
  });
});
