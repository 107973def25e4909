import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-auth-config-');
afterAll(() => tmp.cleanup());
let n = 0;

const DEVICES = 'sites:\n  - name: hq\n  - name: shanghai\ndevices:\n  - name: sw1\n    address: 192.0.2.1\n    class: switch\n    site: hq\n';
const HASH = '$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

function errorsFor(noctua: string): string[] {
  const dir = join(tmp.dir, `c${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'devices.yaml'), DEVICES);
  writeFileSync(join(dir, 'noctua.yaml'), noctua);
  try {
    loadConfig(dir, {});
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    return err.errors.map((e) => formatConfigError({ ...e, file: e.file.replace(/^.*\//, '') }));
  }
  return [];
}

describe('auth: in noctua.yaml', () => {
  it('accepts users with hashes, roles and known sites', () => {
    expect(errorsFor(`auth:\n  users:\n    - { name: bob, role: operator, sites: [shanghai], passwordHash: "${HASH}" }\n`)).toEqual([]);
  });

  it('names an unknown site, a twice-listed user and a bad role with file, line and column', () => {
    expect(errorsFor(`auth:\n  users:\n    - { name: bob, role: operator, sites: [shanghai, bj], passwordHash: "${HASH}" }\n    - { name: bob, role: viewer, passwordHash: "${HASH}" }\n`)).toEqual([
      'noctua.yaml:3:54 auth.users[0].sites[1]: unknown site "bj" (expected one of the sites in devices.yaml: hq, shanghai)',
      'noctua.yaml:4:15 auth.users[1].name: user "bob" is listed twice (expected each name once)',
    ]);
    expect(errorsFor(`auth:\n  users:\n    - { name: bob, role: root, passwordHash: "${HASH}" }\n`)[0]).toMatch(/^noctua\.yaml:3:26 auth\.users\[0\]\.role: expected viewer, operator or admin/);
  });

  it('never echoes a plain password pasted where the hash belongs', () => {
    const errs = errorsFor('auth:\n  users:\n    - { name: bob, role: viewer, passwordHash: "Tr0ub4dor&3" }\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toContain('auth.users[0].passwordHash: expected a hash printed by `noctua user hash`');
    expect(errs[0]).not.toContain('Tr0ub4dor');
  });

  it('refuses an unknown option and a bad duration', () => {
    expect(errorsFor('auth:\n  session: { maxAge: forever }\n  lockdown: true\n')).toEqual([
      expect.stringMatching(/^noctua\.yaml:2:22 auth\.session\.maxAge: expected a duration/),
      expect.stringMatching(/^noctua\.yaml:3:3 auth\.lockdown/),
    ]);
  });
});

describe('noctua user hash', () => {
  it('prints a hash of the piped password that config accepts and the login check matches', async () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'user', 'hash', '--ln', '14'], { input: 'night shift 42\n', encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const hash = r.stdout.trim();
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$/);
    expect(await verifyPassword('night shift 42', hash)).toBe(true);
    expect(await verifyPassword('night shift 43', hash)).toBe(false);
    expect(errorsFor(`auth:\n  users:\n    - { name: bob, role: viewer, passwordHash: "${hash}" }\n`)).toEqual([]);
  });

  it('refuses a short password and a missing subcommand with exit 2', () => {
    const short = spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'user', 'hash'], { input: 'abc\n', encoding: 'utf8', timeout: 60_000 });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('at least 8 characters');
    const none = spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'user'], { encoding: 'utf8', timeout: 60_000 });
    expect(none.status).toBe(2);
  });
});
