import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/loader.js';
import { influxSectionSchema, influxTargets, sectionForTarget } from '../../src/config/sections/influx.js';
import { formatConfigError } from '../../src/config/yaml-source.js';
import { targetLabel, targetSpoolDir, targetSpoolName } from '../../src/storage/influx/targets.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-targets-config-');
afterAll(() => tmp.cleanup());
let n = 0;

/** The errors `noctua.yaml` with this text gets, as check-config prints them. */
function errorsFor(yaml: string): string[] {
  const file = join(tmp.dir, `noctua-${n++}.yaml`);
  writeFileSync(file, yaml);
  return loadSettings(file, {}).errors.map((e) => formatConfigError(e).replace(/^.*noctua-\d+\.yaml/, 'noctua.yaml'));
}

describe('influx.targets in noctua.yaml', () => {
  it('without targets, the single-InfluxDB form is unchanged: one target from url and database, no targets key', () => {
    const s = influxSectionSchema.parse({ url: 'http://influx:8086', database: 'nms', username: 'u', password: 'p' });
    expect(s.targets).toBeUndefined();
    expect(s.url).toBe('http://influx:8086');
    expect(influxTargets(s)).toEqual([{ url: 'http://influx:8086', database: 'nms', username: 'u', password: 'p' }]);
    expect(influxSectionSchema.parse({}).url).toBe('http://127.0.0.1:8086');
  });

  it('fills each target from the section around it; a target with its own user does not take the section password', () => {
    const s = influxSectionSchema.parse({
      database: 'nms', username: 'noctua', password: 'pw', precision: 'ms',
      targets: [{ url: 'http://a:8086' }, { url: 'http://b:8086', database: 'other', username: 'ops' }],
    });
    expect(s.targets).toEqual([
      { url: 'http://a:8086', database: 'nms', username: 'noctua', password: 'pw' },
      { url: 'http://b:8086', database: 'other', username: 'ops' },
    ]);
    // Code that reads one InfluxDB reads the first target.
    expect([s.url, s.database, s.username]).toEqual(['http://a:8086', 'nms', 'noctua']);
    const second = sectionForTarget(s, s.targets![1]!);
    expect(second).toMatchObject({ url: 'http://b:8086', database: 'other', username: 'ops', precision: 'ms' });
    expect(second.password).toBeUndefined();
    expect(second.targets).toBeUndefined();
  });

  it('rejects duplicates, url beside targets, an empty list and a bad target, each at its file:line', () => {
    expect(errorsFor([
      'influx:',
      '  url: http://a:8086',
      '  targets:',
      '    - url: http://a:8086',
      '    - url: http://a:8086/',
      '    - { url: http://a:8086, database: other }',
      '',
    ].join('\n'))).toEqual([
      'noctua.yaml:2:8 influx.url: give each InfluxDB its url under targets (url and targets exclude each other)',
      'noctua.yaml:5:12 influx.targets[1].url: duplicate target: same URL and database as targets[0] (http://a:8086 db noctua)',
    ]);
    expect(errorsFor('influx:\n  targets: []\n')).toEqual(['noctua.yaml:2:12 influx.targets: expected at least one target, got a list']);
    expect(errorsFor('influx:\n  targets:\n    - url: ftp://a\n    - { url: http://b:8086, bucket: x }\n')).toEqual([
      'noctua.yaml:3:12 influx.targets[0].url: expected an http:// or https:// URL, got "ftp://a"',
      'noctua.yaml:4:29 influx.targets[1].bucket: unknown key "bucket" (misspelt, or not an option here)',
    ]);
    const nine = Array.from({ length: 9 }, (_, i) => `    - url: http://h${i}:8086`).join('\n');
    expect(errorsFor(`influx:\n  targets:\n${nine}\n`)).toEqual(['noctua.yaml:3:5 influx.targets: expected at most 8 targets, got a list']);
  });

  it('names each target\'s spool by host, port and a hash of URL and database: stable, and distinct per database', () => {
    const [x, y] = influxSectionSchema.parse({ targets: [{ url: 'http://10.0.0.5:8086' }, { url: 'http://10.0.0.5:8086', database: 'two' }] }).targets!;
    expect(targetSpoolName(x!)).toMatch(/^10\.0\.0\.5_8086-[0-9a-f]{10}$/);
    expect(targetSpoolName(x!)).not.toBe(targetSpoolName(y!));
    expect(targetSpoolName(x!)).toBe(targetSpoolName({ url: 'http://10.0.0.5:8086/', database: 'noctua' }));
    expect(targetSpoolDir('/var/lib/noctua', x!)).toBe(`/var/lib/noctua/spool/targets/${targetSpoolName(x!)}`);
    expect(targetSpoolName({ url: 'https://influx.example.com', database: 'n' })).toMatch(/^influx\.example\.com_443-/);
    // Labels for logs and /metrics never carry credentials.
    expect(targetLabel({ url: 'http://user:secret@10.0.0.5:8086', database: 'noctua' })).toBe('10.0.0.5:8086 noctua');
  });
});
