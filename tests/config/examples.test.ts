import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { EXAMPLE_ENV, copyExamples } from './example-env.js';

const tmp = tempDir('noctua-examples-');
afterAll(() => tmp.cleanup());

function exampleDir(): string {
  return copyExamples(repoRoot, join(tmp.dir, 'config'));
}

function checkConfig(dir: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'check-config', '--config', dir], {
    encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000,
  });
}

describe('noctua check-config on the shipped examples', () => {
  const dir = exampleDir();

  it('accepts all four example files together and says what they hold', () => {
    const r = checkConfig(dir, EXAMPLE_ENV);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^ok: 6 devices in 2 sites \(1 disabled\); \d+ alert rules; 9 notification channels, 5 people$/);
  });

  it('exits 1 and names every unset secret with its file and line', () => {
    const { NOCTUA_V3_PRIV: _p, NOCTUA_ACK_SECRET: _a, ...partial } = EXAMPLE_ENV;
    const r = checkConfig(dir, partial);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/devices\.yaml:\d+:\d+ devices\[2\]\.snmp\.privKey: environment variable NOCTUA_V3_PRIV is not set/);
    expect(r.stderr).toMatch(/notify\.yaml:\d+:\d+ ackLinks\.secret: environment variable NOCTUA_ACK_SECRET is not set/);
    expect(r.stderr).toMatch(/noctua check-config: 2 configuration errors/);
  });

  it('exits 2 with the usage on an unknown flag', () => {
    const r = checkConfig(dir, EXAMPLE_ENV);
    const bad = spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'check-config', '--confg', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--confg'/);
    expect(bad.stderr).toMatch(/Usage|noctua check-config \[--config DIR\]/);
  });
});
