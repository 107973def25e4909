import { describe, expect, it } from 'vitest';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import { continuousQueryBody, continuousQueryName, parseGoDuration } from '../../src/storage/influx/setup.js';

describe('database set-up helpers', () => {
  it('reads the Go durations InfluxDB reports for retention policies', () => {
    expect(parseGoDuration('720h0m0s')).toBe(30 * 86_400_000);
    expect(parseGoDuration('1h30m0s')).toBe(90 * 60_000);
    expect(parseGoDuration('0s')).toBe(0);
  });

  it('names continuous queries by interval and look-back, so a changed setting gets a new query', () => {
    const a = influxSectionSchema.parse({});
    const b = influxSectionSchema.parse({ retention: { downsampleInterval: '10m' } });
    expect(continuousQueryName('icmp', a)).toBe('noctua_icmp_5m_for1h');
    expect(continuousQueryName('icmp', b)).toBe('noctua_icmp_10m_for1h');
  });

  it('downsamples mean and max of every field into long_term, keeping all tags', () => {
    const s = influxSectionSchema.parse({ database: 'my "db"' });
    expect(continuousQueryBody('ups', s)).toBe(
      'SELECT mean(*), max(*) INTO "my \\"db\\""."long_term"."ups" FROM "my \\"db\\""."raw"."ups" GROUP BY time(300s), *',
    );
  });

  it('rejects settings InfluxDB or the spool could not honour, naming the field', () => {
    const r = influxSectionSchema.safeParse({ retention: { raw: '30m', resampleFor: '1m' }, spool: { maxBytes: 2_000_000, segmentBytes: 1_500_000 }, timeout: '5ms' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort()).toEqual([
      'retention.raw: expected at least 1h (InfluxDB minimum)',
      'retention.resampleFor: expected at least downsampleInterval',
      'spool.segmentBytes: expected at most half of maxBytes',
      'timeout: expected at least 100ms',
    ]);
  });
});
