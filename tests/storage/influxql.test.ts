import { describe, expect, it } from 'vitest';
import { durationLiteral, quoteIdent, quoteString, tagFilter, timeLiteral } from '../../src/storage/influxql.js';

describe('InfluxQL quoting', () => {
  it('keeps a quote in user input inside the string literal', () => {
    expect(quoteString("x' OR 1=1 --")).toBe("'x\\' OR 1=1 --'");
    expect(quoteString('C:\\ new\nline')).toBe("'C:\\\\ new\\nline'");
  });

  it('quotes identifiers with double quotes and escapes them', () => {
    expect(quoteIdent('if "name"')).toBe('"if \\"name\\""');
    expect(quoteIdent('a\\b')).toBe('"a\\\\b"');
  });

  it('builds tag filters with OR inside a key and AND between keys', () => {
    expect(tagFilter({ device: ['a', "b'"], site: 'hq' })).toEqual([`("device" = 'a' OR "device" = 'b\\'')`, `"site" = 'hq'`]);
    expect(tagFilter(undefined)).toEqual([]);
    expect(() => tagFilter({ device: [] })).toThrow('tag filter device: expected at least one value');
  });

  it('writes exact millisecond times and durations', () => {
    expect(timeLiteral(new Date('2026-11-23T08:00:00.123Z'))).toBe('1795420800123ms');
    expect(durationLiteral(300_000)).toBe('300000ms');
    expect(() => durationLiteral(0)).toThrow('expected a positive duration');
    expect(() => timeLiteral(new Date('nope'))).toThrow('expected a valid time');
  });
});
