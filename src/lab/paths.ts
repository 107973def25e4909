import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PartFailedError } from './parts.js';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json is). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared fixtures: `NOCTUA_FIXTURES`, or `../shared/fixtures` beside the clone. */
export function fixturesDir(): string {
  const dir = process.env.NOCTUA_FIXTURES ?? join(repoRoot, '..', 'shared', 'fixtures');
  if (!existsSync(join(dir, 'snmprec'))) {
    throw new PartFailedError('the SNMP recordings', `not found in ${dir}/snmprec`, `set NOCTUA_FIXTURES to the fixtures directory (the one holding snmprec/ and expected/), or keep the shared folder beside the clone as ../shared`);
  }
  return dir;
}
