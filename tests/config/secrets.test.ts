/**
 * A refused secret is never echoed (issue 17, finding 6): errors say what was expected and how long the value
 * was, in check-config's output, in the admin API's validate/reload answer and in the reload log alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configServiceFor } from '../../src/api/config-service.js';
import { loadFullConfig } from '../../src/config-check/load.js';
import { secret } from '../../src/config/secret.js';
import { ConfigInvalidError, YamlSource, formatConfigError, parseYamlWith } from '../../src/config/yaml-source.js';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-secrets-');
afterAll(() => tmp.cleanup());
let n = 0;

/** Writes a config directory from the given files and returns it. */
function configDir(files: Record<string, string>): string {
  const dir = join(tmp.dir, `c${n++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries({ 'devices.yaml': 'devices: []\n', ...files })) writeFileSync(join(dir, name), text);
  return dir;
}

/** Every error line of loading the directory, the way check-config prints them. */
function errorLines(dir: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    loadFullConfig(dir, env);
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    return err.errors.map(formatConfigError).join('\n');
  }
  return '';
}

const device = (snmp: string) => `devices:\n  - name: sw1\n    address: 192.0.2.1\n    class: switch\n    snmp: ${snmp}\n`;

/** A notify.yaml that is valid but for what the caller puts in. */
const notify = (over: { secret?: string; url?: string }) => `ackLinks:
  secret: ${over.secret ?? 'ack-secret-0123456789'}
channels:
  noc:
    type: dingtalk
    url: ${over.url ?? 'https://oapi.dingtalk.com/robot/send?access_token=abc'}
people: {}
`;

describe('secret fields of devices.yaml and noctua.yaml', () => {
  it('community: a number written for a community is refused without showing it', () => {
    const out = errorLines(configDir({ 'devices.yaml': device('{ community: 73914682 }') }));
    expect(out).toMatch(/devices\[0\]\.snmp\.community: expected string, got a number$/);
    expect(out).not.toContain('73914682');
  });

  it('authKey: a short key is refused with its length, not its text', () => {
    const out = errorLines(configDir({ 'devices.yaml': device('{ version: 3, user: noc, authProtocol: sha, authKey: hunter2 }') }));
    expect(out).toContain('devices[0].snmp.authKey: expected at least 8 characters (RFC 3414), got a value of 7 characters');
    expect(out).not.toContain('hunter2');
  });

  it('privKey: the same, also when it came from the environment (the variable is named, its value is not)', () => {
    const out = errorLines(configDir({ 'devices.yaml': device('{ version: 3, user: noc, authProtocol: sha, authKey: auth-pass-1, privProtocol: aes, privKey: "${PRIV}" }') }), { PRIV: 'pr1v-x' });
    expect(out).toContain('devices[0].snmp.privKey: expected at least 8 characters (RFC 3414), got a value of 6 characters (from ${PRIV})');
    expect(out).not.toContain('pr1v-x');
  });

  it('a Redis URL with a password and an API token pasted where its sha256 belongs are refused without showing them', () => {
    const redis = 'http://:redis-pa55word@10.0.0.5:6379';
    const out = errorLines(configDir({
      'noctua.yaml': `cluster:\n  redis:\n    url: ${redis}\napi:\n  tokens:\n    - { name: ops, role: admin, sha256: plain-api-token-4711 }\n`,
    }));
    expect(out).toContain(`cluster.redis.url: expected a redis:// or rediss:// URL, got a value of ${redis.length} characters`);
    expect(out).toContain('api.tokens[0].sha256: expected 64 lowercase hex digits (sha256 of the token), got a value of 20 characters');
    expect(out).not.toMatch(/redis-pa55word|plain-api-token-4711/);
  });
});

describe('secrets of notify.yaml (alerting schemas) given through ${ENV}, as the examples do', () => {
  it('secret: a short ack-link key from the environment is described, not shown', () => {
    const out = errorLines(configDir({ 'notify.yaml': notify({ secret: '${NOCTUA_ACK_SECRET}' }) }), { NOCTUA_ACK_SECRET: 'hunter2-short' });
    expect(out).toMatch(/notify\.yaml:2:11 ackLinks\.secret: expected a secret of at least 16 characters, got a value of 13 characters \(from \$\{NOCTUA_ACK_SECRET\}\)$/);
    expect(out).not.toContain('hunter2-short');
  });

  it('url with token: a robot URL from the environment that is not a URL is described, not shown', () => {
    const url = 'oapi.dingtalk.com/robot/send?access_token=9f8e7d6c5b4a';
    const out = errorLines(configDir({ 'notify.yaml': notify({ url: '${NOCTUA_ROBOT_URL}' }) }), { NOCTUA_ROBOT_URL: url });
    expect(out).toMatch(new RegExp(`channels\\.noc\\.url: expected url, got a value of ${url.length} characters \\(from \\$\\{NOCTUA_ROBOT_URL\\}\\)$`));
    expect(out).not.toContain('9f8e7d6c5b4a');
  });
});

describe('the secret() helper, for schemas outside src/config', () => {
  const schema = z.strictObject({
    secret: secret(z.string().min(16, 'expected a secret of at least 16 characters')),
    url: secret(z.url({ protocol: /^https?$/ })).optional(),
    timeout: z.number().optional(),
  });
  const parse = (text: string) => parseYamlWith(new YamlSource('/x/notify.yaml', text), schema, {});

  it('secret: a value written in the file is refused with its length', () => {
    const r = parse('secret: hunter2-short\n');
    expect(r.errors.map((e) => e.message)).toEqual(['expected a secret of at least 16 characters, got a value of 13 characters']);
  });

  it('url with token: a mistyped robot URL is refused without its token', () => {
    const url = 'htps://open.feishu.cn/open-apis/bot/v2/hook/tok-5e5e5e';
    const r = parse(`secret: 0123456789abcdef0\nurl: ${url}\n`);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.path).toBe('url');
    expect(r.errors[0]!.message).toBe(`expected url, got a value of ${url.length} characters`);
    expect(r.errors[0]!.message).not.toContain('tok-5e5e5e');
  });

  it('keeps the value and its type when it is valid, and says "required" when it is missing', () => {
    expect(parse('secret: 0123456789abcdef0\nurl: https://h/x\n').value).toEqual({ secret: '0123456789abcdef0', url: 'https://h/x' });
    expect(parse('timeout: 5\n').errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['secret: required (expected string)']);
  });
});

describe('where config errors go', () => {
  const dir = configDir({ 'devices.yaml': device('{ version: 3, user: noc, authProtocol: sha, authKey: hunter2 }'), 'notify.yaml': notify({ secret: '${NOCTUA_ACK_SECRET}' }) });
  const env = { NOCTUA_ACK_SECRET: 'hunter2-short' };

  it('the admin API validate and reload answers carry no secret', async () => {
    const service = configServiceFor(dir, async () => { throw new Error('a refused config must not be applied'); }, env);
    for (const check of [await service.validate(), await service.reload('test')]) {
      expect(check.ok).toBe(false);
      const text = JSON.stringify(check);
      expect(text).toContain('got a value of 7 characters');
      expect(text).not.toMatch(/hunter2/);
    }
  });

  it('check-config prints none either', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'check-config', '--config', dir], {
      encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ackLinks.secret: expected a secret of at least 16 characters, got a value of 13 characters');
    expect(r.stderr).not.toMatch(/hunter2/);
  });
});
