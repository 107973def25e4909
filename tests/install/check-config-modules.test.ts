/**
 * `noctua check-config` loads the config layer and the schemas it validates, never the runtime: no SQLite,
 * no browser driver, no pollers, storage, API or reports. Counted on the real process through a loader hook.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/lab/paths.js';
import { EXAMPLE_ENV, copyExamples } from '../config/example-env.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-modules-');
afterAll(() => tmp.cleanup());

/** Every module (project file or package file) a `noctua` command loads, as paths relative to the checkout. */
function modulesLoadedBy(args: string[], env: Record<string, string>): { status: number | null; stderr: string; modules: string[] } {
  const log = join(tmp.dir, `modules-${args[0]}.txt`);
  const runner = fileURLToPath(new URL('./run-with-module-log.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [runner, ...args], {
    encoding: 'utf8', timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NOCTUA_MODULE_LOG: log, NOCTUA_ROOT: repoRoot, ...env },
  });
  const urls = new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean));
  const modules = [...urls].map((u) => fileURLToPath(u)).filter((p) => p.startsWith(repoRoot)).map((p) => p.slice(repoRoot.length + 1)).sort();
  return { status: r.status, stderr: r.stderr, modules };
}

describe('noctua check-config loads only what validation needs', () => {
  let run: ReturnType<typeof modulesLoadedBy>;
  beforeAll(() => { run = modulesLoadedBy(['check-config', '--config', copyExamples(repoRoot, join(tmp.dir, 'config'))], EXAMPLE_ENV); });

  it('validates the examples', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('loads no runtime folder of src and no SQLite, browser, SNMP, Redis, HTTP or InfluxDB package', () => {
    const src = run.modules.filter((m) => m.startsWith('src/'));
    expect(src).toContain('src/config/loader.ts');
    // The command registry imports a subcommand only when it runs.
    expect(src.filter((m) => m.startsWith('src/cli/'))).toEqual(['src/cli/check-config.ts', 'src/cli/command.ts', 'src/cli/main.ts']);
    expect(src.filter((m) => /^src\/(reports|api|pollers|cluster|storage|scheduler|lab|web|runtime)\//.test(m) || m === 'src/core/database.ts' || m === 'src/main.ts')).toEqual([]);
    const packages = new Set(run.modules.filter((m) => m.startsWith('node_modules/')).map((m) => m.split('/').slice(1, m.split('/')[1]!.startsWith('@') ? 3 : 2).join('/')));
    for (const heavy of ['playwright-core', 'better-sqlite3', 'net-snmp', 'ioredis', 'fastify', 'influx', 'pino']) expect(packages.has(heavy), heavy).toBe(false);
    // 56 project modules before config stopped importing features (2026-12); alerting's schemas and notifiers remain,
    // and notify.yaml's service calendars (src/service) and the events/configBackup sections came since: 45. Then
    // check-config learnt to check configuration backup (command sets, compliance rules: src/config-backup/check.ts
    // and the files it reads, not the SSH runner), the auth/LDAP/OIDC, service and asset sections, and four paging
    // channels' schemas (Aliyun SMS/voice, Tencent SMS, chat buttons): 64. Tencent voice and the TC3 signer it shares
    // with Tencent SMS (tencent-api.ts): 67. The discovery section's schema: 68. The state section's (state.store): 69.
    expect(src.length).toBeLessThanOrEqual(69);
  });
});
