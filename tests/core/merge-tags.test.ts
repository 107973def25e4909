import { describe, expect, it } from 'vitest';
import { mergeTags } from '../../src/core/sample.js';

describe('mergeTags', () => {
  it('copies the base tags, then the extra ones, later keys winning, without touching either input', () => {
    const base = { device: 'r1', site: 'a', class: 'router', vendor: 'cisco' };
    const extra = { ifIndex: '3', site: 'b' };
    const out = mergeTags(base, extra);
    expect(out).toEqual({ device: 'r1', site: 'b', class: 'router', vendor: 'cisco', ifIndex: '3' });
    expect(Object.keys(out)).toEqual(['device', 'site', 'class', 'vendor', 'ifIndex']);
    expect(base).toEqual({ device: 'r1', site: 'a', class: 'router', vendor: 'cisco' });
    expect(out).not.toBe(base);
    expect(mergeTags({}, {})).toEqual({});
  });
});
