import { describe, expect, it } from 'vitest';
import { batchIdOf, decodeBatch, encodeBatch } from '../../src/cluster/batch-codec.js';
import type { Sample } from '../../src/core/sample.js';

describe('sample batches on the stream', () => {
  it('keep bigint counters as bigint, numbers as numbers, and the time to the millisecond', () => {
    const samples: Sample[] = [
      { measurement: 'interface', tags: { device: 'core-sw-01', ifName: 'Gi0/1' }, fields: { in_octets: 18446744073709551615n, in_bps: 12.5, oper_up: true, status: 'up' }, time: new Date(1795420803123) },
      { measurement: 'icmp', tags: { device: '核心交换机' }, fields: { rtt_ms: 1, up: 1 }, time: new Date(1795420804000) },
    ];
    const back = decodeBatch(encodeBatch({ id: 'p1:ab12:7', samples }));
    expect(back.id).toBe('p1:ab12:7');
    expect(back.samples).toEqual(samples);
    expect(typeof back.samples[0]!.fields.in_octets).toBe('bigint');
    expect(typeof back.samples[1]!.fields.rtt_ms).toBe('number');
  });

  it('refuses what is not a batch', () => {
    expect(() => decodeBatch('{"v":1,"id":"x","s":[]}')).toThrow();
    expect(() => decodeBatch('nb1 x bm90IGd6aXA=')).toThrow();
    const good = encodeBatch({ id: 'p1:ab:1', samples: [] });
    expect(() => decodeBatch(good.replace('p1:ab:1', 'p1:ab:2'))).toThrow(/does not match/);
    expect(batchIdOf(good)).toBe('p1:ab:1');
  });
});
