import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-examples-');
afterAll(() => tmp.cleanup());

/** Every ${NAME} the example files use, with a value that passes their checks. */
const EXAMPLE_ENV = {
  NOCTUA_SNMP_COMMUNITY: 'example-community', NOCTUA_V3_AUTH: 'auth-pass-1', NOCTUA_V3_PRIV: 'priv-pass-1',
  NOCTUA_ACK_SECRET: 'ack-secret-0123456789', NOCTUA_WEBHOOK_SECRET: 'webhook-secret-0123456789',
  NOCTUA_DINGTALK_TOKEN: 'token', NOCTUA_DINGTALK_SECRET: 'SEC0123456789', NOCTUA_WECOM_KEY: 'key',
  NOCTUA_FEISHU_HOOK: 'hook', NOCTUA_FEISHU_SECRET: 'feishu-secret', NOCTUA_SLACK_PATH: 'T000/B000/xyz',
  NOCTUA_PD_ROUTING_KEY: '0123456789abcdef0123456789abcdef',
};

function exampleDir(): string {
  const dir = join(tmp.dir, 'config');
  mkdirSync(dir, { recursive: true });
  for (const f of ['noctua', 'devices', 'alerts', 'notify']) copyFileSync(join(repoRoot, 'config', `${f}.example.yaml`), join(dir, `${f}.yaml`));
  return dir;
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
    expect(r.stdout.trim()).toMatch(/^ok: 6 devices in 2 sites \(1 disabled\); \d+ alert rules; 7 notification channels, 5 people$/);
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
