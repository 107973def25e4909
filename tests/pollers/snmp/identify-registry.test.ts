import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../src/config/yaml-source.js';
import { loadBrandBook } from '../../../src/pollers/snmp/vendors/brands.js';
import { REGISTRY_FILE, decodeRegistry, encodeRegistry, organisationOf, parseWiresharkRegistry } from '../../../src/pollers/snmp/vendors/registry.js';
import { organisationCore, shortOrganisationName, vendorTag } from '../../../src/pollers/snmp/vendors/short-name.js';
import { tempDir } from '../../helpers/tmp.js';

/** The shipped IANA registry, its generator, the short names made from it, and brands.yaml's checks. */

const tmp = tempDir('noctua-registry-');
afterAll(() => tmp.cleanup());

/** A few lines as Wireshark's enterprises.tsv has them: header, tabs or spaces, remarks, a gap, UTF-8. */
const SAMPLE = [
  '#', '# (last updated 2024-08-23)', '#',
  '0\tReserved',
  '1\tNxNetworks',
  '2\tIBM (https://w3.ibm.com/standards )',
  '9    ciscoSystems',
  '476\tVertiv\t# formerly \'Emerson Computer Power\'',
  '477\tBeijing Topsec Network Security Technology Co., Ltd.',
  '60394\t电科网安 (CETC)',
  '',
].join('\n');

describe('the registry file', () => {
  it('parses the Wireshark format: remarks and URLs dropped, legal forms cut, gaps kept', () => {
    const m = parseWiresharkRegistry(SAMPLE);
    expect([...m]).toEqual([
      [0, 'Reserved'], [1, 'NxNetworks'], [2, 'IBM'], [9, 'ciscoSystems'], [476, 'Vertiv'],
      [477, 'Beijing Topsec Network Security Technology'], [60394, '电科网安'],
    ]);
    expect(decodeRegistry(encodeRegistry(m, ['test']))).toEqual(m);
  });

  it('the generator script writes a file Noctua reads back', async () => {
    const src = join(tmp.dir, 'enterprises.tsv');
    const out = join(tmp.dir, 'out.tsv.gz');
    writeFileSync(src, SAMPLE);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build-enterprises.ts', src, out], { timeout: 60_000 });
    expect(stdout).toContain('7 enterprise numbers');
    const text = gunzipSync(readFileSync(out)).toString('utf8');
    expect(text).toContain('registry of 2024-08-23');
    expect(decodeRegistry(text).get(60394)).toBe('电科网安');
  });

  it('the shipped file is compact and holds the registry', () => {
    expect(readFileSync(REGISTRY_FILE).length).toBeLessThan(600_000);
    expect(decodeRegistry(gunzipSync(readFileSync(REGISTRY_FILE)).toString('utf8')).size).toBeGreaterThan(60_000);
  });

  // The numbers brands.yaml gives the vendors of issue 19, as the IANA registry lists them.
  it.each([
    [19849, 'NSFOCUS'], [15227, 'Venus Info Tech'], [14331, 'Beijing Topsec Network Security Technology'], [35047, 'Sangfor Technologies'],
    [28557, 'Hillstone Networks'], [31648, 'HANGZHOU DPTECH Technologies'], [32328, 'legendsec Technology'], [47646, 'Beijing Qianxin Technology'],
    [25506, 'H3C'], [61878, 'New H3C Technologies'], [4881, 'Ruijie Networks'], [5651, 'Maipu Electric Industrial'],
    [6339, 'Digital China Networks'], [3320, 'Shanghai Baud Data Communication Development'], [3902, 'Zhongxing Telecom'],
    [37945, 'Inspur Electronic Information Industry'], [27500, 'Dawning'], [57098, 'Dawning Information Industry'], [476, 'Vertiv'], [13400, 'Vertiv Tech'],
    [44782, 'Xiamen Kehua Hengsheng'], [40614, 'GUANGDONG EAST POWER'], [935, 'Phoenixtec Power'], [3941, 'Santak Electronics'],
    [37157, 'NetentSec'], [30803, 'Vyatta'], [8072, 'net-snmp'],
  ])('enterprise %i is %s', (n, org) => {
    expect(organisationOf(n)).toBe(org);
  });

  it('every number brands.yaml lists is in the registry', () => {
    for (const b of loadBrandBook().brands) for (const n of b.enterprises) expect(organisationOf(n), `${b.vendor} ${n}`).toBeDefined();
  });
});

describe('short vendor names', () => {
  it.each([
    ['Beijing Topsec Network Security Technology Co., Ltd.', 'Topsec', 'topsec'],
    ['HANGZHOU DPTECH Technologies Co., Ltd.', 'Dptech', 'dptech'],
    ['legendsec Technology Co.Ltd', 'legendsec', 'legendsec'],
    ['Inspur(BeiJing) Electronic Information Industry Co.,Ltd', 'Inspur', 'inspur'],
    ['Riverbed Technology, Inc.', 'Riverbed', 'riverbed'],
    ['Broadcom Limited', 'Broadcom', 'broadcom'],
    ['IBM (https://w3.ibm.com/standards )', 'IBM', 'ibm'],
    ['Allied Telesis Holdings K.K.', 'Allied Telesis', 'allied-telesis'],
    ['Juniper Networks, Inc.', 'Juniper', 'juniper'],
    ['Technologies Inc.', 'Technologies', 'technologies'],
    ['电科网安 (CETC)', '电科网安', '电科网安'],
  ])('%s -> %s (%s)', (org, name, tag) => {
    expect(shortOrganisationName(org)).toBe(name);
    expect(vendorTag(shortOrganisationName(org))).toBe(tag);
  });

  it('keeps the organisation readable in the data file and bounds what it reads', () => {
    expect(organisationCore('Dell Inc.')).toBe('Dell');
    expect(organisationCore('Vertiv\t# formerly Emerson')).toBe('Vertiv');
    const t0 = performance.now();
    expect(shortOrganisationName('Co. '.repeat(20_000) + 'Acme').length).toBeLessThanOrEqual(40);
    expect(vendorTag('-'.repeat(50_000) + 'x')).toBe('unknown');
    expect(performance.now() - t0).toBeLessThan(50);
  });
});

describe('brands.yaml', () => {
  it('a mistake is reported with file:line and what was expected', () => {
    const f = join(tmp.dir, 'brands.yaml');
    writeFileSync(f, ['brands:', '  - { vendor: Acme, name: Acme, class: toaster, words: ["*x"] }', ''].join('\n'));
    let err: unknown;
    try { loadBrandBook(f); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/brands\.yaml:2:\d+/);
    expect(msg).toContain('lower-case vendor tag');
    expect(msg).toContain('class');
    expect(msg).toContain('`*` only at the end');
  });

  it('one vendor per enterprise number', () => {
    const f = join(tmp.dir, 'dup.yaml');
    writeFileSync(f, ['brands:', '  - { vendor: a, name: A, class: switch, enterprises: [5] }', '  - { vendor: b, name: B, class: switch, enterprises: [5] }', ''].join('\n'));
    expect(() => loadBrandBook(f)).toThrow(/enterprise number 5 is listed for both a and b/);
  });
});
