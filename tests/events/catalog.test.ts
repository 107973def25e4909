import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG_DIR, loadCatalogs, parseCatalog } from '../../src/events/catalog.js';
import { classifyTrap } from '../../src/events/classify.js';
import { decodeCapturedTrap, v1TrapOid } from '../../src/events/traps/decode.js';
import { ConfigInvalidError } from '../../src/config/yaml-source.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-events-');
afterAll(() => tmp.cleanup());

function errorsOf(text: string): string[] {
  const { errors } = parseCatalog('/x/bad.yaml', text);
  return errors.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}`);
}

describe('catalog loader', () => {
  it('loads the shipped catalogs with the required standard and vendor events', () => {
    const cat = loadCatalogs([BUILTIN_CATALOG_DIR]);
    const types = (oid: string) => cat.traps.get(oid)?.map((e) => e.type);
    expect(types('1.3.6.1.6.3.1.1.5.1')).toEqual(['reboot']);
    expect(types('1.3.6.1.6.3.1.1.5.3')).toEqual(['link-down']);
    expect(types('1.3.6.1.2.1.47.2.0.1')).toEqual(['entity-change']);
    expect(types('1.3.6.1.2.1.33.2.1')).toEqual(['ups-on-battery']);
    expect(types('1.3.6.1.2.1.15.7.2')).toEqual(['bgp-down']);
    expect(types('1.3.6.1.4.1.2011.5.25.219.2.5.3')).toEqual(['power-supply-fault']);
    expect(types('1.3.6.1.4.1.25506.2.6.2.0.21')).toEqual(['temperature-high']);
    expect(cat.syslog.has('IFNET/LINK_STATE') && cat.syslog.has('LINK/UPDOWN') && cat.syslog.has('LINK/CHANGED') && cat.syslog.has('SNMP_TRAP_LINK_DOWN')).toBe(true);
  });

  it('names file:line:col and the field for bad entries', () => {
    const errs = errorsOf([
      'vendor: acme',
      'traps:',
      '  - oid: 1.3.6.x',
      '    name: broken',
      '    type: Link_Down',
      '    severity: huge',
      '    text: { en: "Interface {ifName went down" }',
      'syslog:',
      '  - mnemonic: "A B"',
      '    type: ok',
      '    severity: info',
      '    colour: red',
      '    text: { en: fine }',
    ].join('\n'));
    expect(errs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^3:10 traps\[0\]\.oid: expected a numeric OID/),
      expect.stringMatching(/^5:11 traps\[0\]\.type: expected a lowercase name with dashes/),
      expect.stringMatching(/^6:15 traps\[0\]\.severity: expected critical, major, minor, warning or info, got "huge"/),
      expect.stringMatching(/^7:17 traps\[0\]\.text\.en: "\{" at character 11 is not closed/),
      expect.stringMatching(/^9:15 syslog\[0\]\.mnemonic: expected a mnemonic/),
      expect.stringMatching(/^12:5 syslog\[0\]\.colour: unknown key "colour"/),
    ]));
  });

  it('reports YAML syntax errors with their position', () => {
    expect(errorsOf('traps:\n  - oid: [1.3\n')[0]).toMatch(/^\d+:\d+ : YAML syntax error/);
  });

  it('loadCatalogs throws every error of every file at once, and user entries win over shipped ones', () => {
    const bad = join(tmp.dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'a.yaml'), 'traps:\n  - oid: 1.2.3\n');
    writeFileSync(join(bad, 'b.yaml'), 'syslog: nope\n');
    let err: unknown;
    try { loadCatalogs([bad]); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/bad\/a\.yaml:2:5 traps\[0\]\.name: required/);
    expect(msg).toMatch(/bad\/b\.yaml:1:9 syslog: expected array/);

    const user = join(tmp.dir, 'user');
    mkdirSync(user);
    writeFileSync(join(user, 'mine.yaml'), 'vendor: acme\ntraps:\n  - { oid: 1.3.6.1.6.3.1.1.5.1, name: coldStart, type: acme-boot, severity: major, text: { en: "ACME rebooted" } }\n');
    const cat = loadCatalogs([user, BUILTIN_CATALOG_DIR]);
    expect(cat.traps.get('1.3.6.1.6.3.1.1.5.1')![0]).toMatchObject({ type: 'acme-boot', vendor: 'acme' });
  });
});

describe('trap classification', () => {
  const cat = loadCatalogs([BUILTIN_CATALOG_DIR]);
  const src = { device: 'sw', timeZone: 'UTC' };

  it('translates v1 generic and enterprise traps (RFC 3584)', () => {
    expect(v1TrapOid('1.3.6.1.4.1.9', 2, 0)).toBe('1.3.6.1.6.3.1.1.5.3');
    expect(v1TrapOid('1.3.6.1.4.1.318', 6, 5)).toBe('1.3.6.1.4.1.318.0.5');
  });

  it('uses `when` to pick the UPS alarm, and names the interface from the ifIndex when only that came', () => {
    const low = decodeCapturedTrap({ trapOid: '1.3.6.1.2.1.33.2.3', varbinds: [{ oid: '1.3.6.1.2.1.33.1.6.2.1.2.4', value: '1.3.6.1.2.1.33.1.6.3.3' }] });
    expect(classifyTrap(cat, low.trap, '10.0.0.1', src, new Date()).type).toBe('ups-battery-low');
    const down = decodeCapturedTrap({ trapOid: '1.3.6.1.6.3.1.1.5.3', varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.12', value: 12 }] });
    const e = classifyTrap(cat, down.trap, '10.0.0.1', src, new Date(), (_d, i) => (i === '12' ? 'GE0/0/12' : undefined));
    expect(e).toMatchObject({ type: 'link-down', ifIndex: '12', ifName: 'GE0/0/12', message: 'Interface GE0/0/12 went down (ifIndex 12)' });
  });

  it('keeps a trap the catalog does not know as a generic trap event', () => {
    const t = decodeCapturedTrap({ trapOid: '1.3.6.1.4.1.99999.0.1', varbinds: [] });
    expect(classifyTrap(cat, t.trap, '10.0.0.1', src, new Date())).toMatchObject({ type: 'trap', key: '1.3.6.1.4.1.99999.0.1' });
  });
});
