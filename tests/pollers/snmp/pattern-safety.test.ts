import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../src/config/yaml-source.js';
import { profileIdentity } from '../../../src/pollers/snmp/identify.js';
import { backtrackRisk, execPattern } from '../../../src/pollers/snmp/patterns.js';
import { BUILTIN_PROFILE_DIR, chooseProfile, loadProfiles } from '../../../src/pollers/snmp/profile.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Every built-in profile regex runs on text a device chose. Each must finish on 64 KB of adversarial text in
 * under 50 ms even without the 255-byte cap (a quadratic pattern takes seconds there: the old Ruijie model
 * pattern blocked the event loop 5 s on a 65 KB sysDescr).
 */

const SIZE = 64 * 1024;
const BOUND_MS = 50;
const profiles = loadProfiles([BUILTIN_PROFILE_DIR]);

/** Every regex of every built-in profile, with where it comes from. */
const patterns: { where: string; pattern: string }[] = profiles.flatMap((p) => [
  ...p.match.flatMap((m, i) => (m.sysDescr ? [{ where: `${p.name} match[${i}].sysDescr`, pattern: m.sysDescr }] : [])),
  ...Object.entries(p.identity).flatMap(([key, list]) => (list ?? []).flatMap((s, i) => (s.sysDescr ? [{ where: `${p.name} identity.${key}[${i}].sysDescr`, pattern: s.sysDescr }] : []))),
  ...p.metrics.flatMap((m) => m.filter.flatMap((f, i) => [
    ...(f.match ? [{ where: `${p.name} ${m.measurement} filter[${i}].match`, pattern: f.match }] : []),
    ...(f.notMatch ? [{ where: `${p.name} ${m.measurement} filter[${i}].notMatch`, pattern: f.notMatch }] : []),
  ])),
]);

/** The literal words of a pattern (what an attacker repeats to make it try again and again). */
function literals(pattern: string): string[] {
  const unescaped = pattern.replace(/\\([^dDwWsSbBnrt])/g, '$1');
  return [...new Set(unescaped.split(/\\[dDwWsSbBnrt]|\[[^\]]*\]|\{\d*,?\d*\}|[?*+|^$.]|\(\?:|\(\?[=!<][^)]*|[()]/).filter((s) => s.length > 0))];
}

/** Texts of 64 KB built to make a backtracking pattern retry: its words repeated, with and without a tail. */
function adversarial(pattern: string): string[] {
  const units = ['(', ')', ' ', 'a', '1', '1.', '-', ',', ':', '((a', 'a(', '( ', '\t', 'V1R1'];
  for (const word of literals(pattern)) units.push(word, `${word}a`, `${word} `, `${word}(`, `${word}1`, `${word}1.`);
  const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
  return [...new Set(units)].flatMap((u) => [fill(u), u + fill('a'), u + fill(' '), u + fill('('), fill(u) + '\u0000']);
}

/** The slowest of the inputs, in ms; a slow run is repeated and the fastest kept, so a GC pause is not a verdict. */
function slowest(run: (text: string) => unknown, inputs: string[]): { ms: number; input: string } {
  let worst = { ms: 0, input: '' };
  for (const input of inputs) {
    let best = Infinity;
    for (let attempt = 0; attempt < 3 && best > BOUND_MS; attempt++) {
      const t0 = performance.now();
      run(input);
      best = Math.min(best, performance.now() - t0);
      // Far past the bound is no GC pause: stop here rather than spend seconds on each remaining input.
      if (best > BOUND_MS * 10) return { ms: best, input };
    }
    if (best > worst.ms) worst = { ms: best, input };
  }
  return worst;
}

describe('profile patterns on 64 KB of hostile text', () => {
  it('finds the patterns (sysDescr matches, identity, row filters) of every built-in profile', () => {
    expect(patterns.length).toBeGreaterThan(30);
    expect(patterns.some((p) => p.where.startsWith('ruijie identity.model'))).toBe(true);
  });

  it.each(patterns)('$where: $pattern finishes within 50 ms on raw 64 KB input', { timeout: 120_000 }, ({ pattern }) => {
    const re = new RegExp(pattern, 'i');
    const worst = slowest((text) => re.exec(text), adversarial(pattern));
    expect(worst.ms, `slowest on ${JSON.stringify(worst.input.slice(0, 40))}…`).toBeLessThan(BOUND_MS);
  });

  it('identification of a 64 KB sysDescr stays fast end to end (every vendor profile, capped first)', () => {
    const huge = `Ruijie ${'('.repeat(SIZE)}`;
    const t0 = performance.now();
    for (const p of profiles) profileIdentity(p, { sysDescr: huge, sysObjectID: '1.3.6.1.4.1.4881.1', sysName: '', sysLocation: '', sysContact: '' }, new Map());
    chooseProfile(profiles, '1.3.6.1.4.1.4881.1', huge);
    expect(performance.now() - t0).toBeLessThan(BOUND_MS * 4);
  });

  it('a pattern only ever sees the first 255 bytes of the text', () => {
    const m = execPattern('(x+)$', `${'x'.repeat(300)}`);
    expect(m![1]!.length).toBe(255);
  });
});

describe('patterns that can backtrack without bound are refused at load', () => {
  const tmp = tempDir('noctua-patterns-');
  afterAll(() => tmp.cleanup());

  it.each([
    ['(a+)+$', /repeated group that contains a repeat/],
    ['^(\\w*\\s?)*x', /repeated group that contains a repeat/],
    ['(?:x(a|b)+y)*', /repeated group that contains a repeat/],
    ['(a)\\1', /backreference/],
  ])('%s', (pattern, why) => {
    expect(backtrackRisk(pattern)).toMatch(why);
  });

  it.each(['\\(([^\\s()]+)\\)', 'Software Version ([\\d.]+(?:, (?:Release|ESS) \\w+)?)', '^(?:Vyatta|VyOS) (\\S+)', 'a{2,5}', '[(+*]+'])('%s passes', (pattern) => {
    expect(backtrackRisk(pattern)).toBeUndefined();
  });

  it('a user profile with such a pattern is an error naming the file and line', () => {
    const dir = join(tmp.dir, 'profiles');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'evil.yaml'), [
      'name: evil', 'vendor: evil', 'match:', "  - { sysDescr: '^(\\w+\\s?)+$' }", '',
    ].join('\n'));
    let err: unknown;
    try { loadProfiles([BUILTIN_PROFILE_DIR, dir]); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(String((err as Error).message)).toMatch(/evil\.yaml:4:\d+.*cannot backtrack without bound/s);
  });
});
