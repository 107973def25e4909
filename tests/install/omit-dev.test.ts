/**
 * A production install: a copy of the checkout installed with `npm ci --omit=dev` (no vitest, no typescript,
 * no type packages) must validate the examples, poll a real agent and print a PDF report.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxQuery } from '../../src/lab/influxd.js';
import { repoRoot } from '../../src/lab/paths.js';
import { EXAMPLE_ENV, copyExamples } from '../config/example-env.js';
import { realInfluxd, realSnmpsim } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';

interface Ran { status: number | null; stdout: string; stderr: string }

/** Runs a command to its end (or kills it after `timeoutMs`), without blocking the event loop the real parts' supervisors use. */
function run(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...(process.env.NOCTUA_CHROMIUM ? { NOCTUA_CHROMIUM: process.env.NOCTUA_CHROMIUM } : {}), ...opts.env },
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

/** Copies what git would ship (tracked and new, not ignored files), never node_modules. */
async function copyCheckout(to: string): Promise<void> {
  const ls = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, timeoutMs: 30_000 });
  expect(ls.status, ls.stderr).toBe(0);
  for (const file of ls.stdout.split('\0')) {
    if (!file || file === 'node_modules' || file.startsWith('node_modules/')) continue;
    const from = join(repoRoot, file);
    if (!existsSync(from)) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(to, file)), { recursive: true });
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), join(to, file));
    else copyFileSync(from, join(to, file));
  }
}

/**
 * `npm ci --omit=dev` into the copy. Install scripts are skipped and then run for esbuild, while better-sqlite3's
 * native addon is taken from this checkout's own install when it is the same version: compiling SQLite takes
 * minutes on a busy machine and does not depend on --omit=dev. Any other version is built as npm would.
 */
async function installProduction(dir: string): Promise<void> {
  const npm = (args: string[], timeoutMs: number) => run('npm', args, { cwd: dir, timeoutMs });
  const ci = await npm(['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], 120_000);
  expect(ci.status, ci.stderr).toBe(0);
  const esbuild = await npm(['rebuild', 'esbuild'], 60_000);
  expect(esbuild.status, esbuild.stderr).toBe(0);
  const version = (root: string) => (JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version;
  const addon = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(join(repoRoot, addon)) && version(repoRoot) === version(dir)) {
    mkdirSync(dirname(join(dir, addon)), { recursive: true });
    copyFileSync(join(repoRoot, addon), join(dir, addon));
  } else {
    const built = await npm(['rebuild', 'better-sqlite3'], 600_000);
    expect(built.status, built.stderr).toBe(0);
  }
}

const tmp = tempDir('noctua-omit-dev-');
const app = join(tmp.dir, 'noctua');
let snmpsim: Awaited<ReturnType<typeof realSnmpsim>> | undefined;
let influx: Awaited<ReturnType<typeof realInfluxd>> | undefined;

/** Runs the installed copy's `noctua` binary. */
function noctua(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return run(process.execPath, [join(app, 'bin', 'noctua.js'), ...args], { cwd: app, env, timeoutMs: 60_000 });
}

beforeAll(async () => {
  const parts = Promise.allSettled([realSnmpsim(), realInfluxd()]);
  try {
    await copyCheckout(app);
    await installProduction(app);
  } finally {
    // Keep a reference to whichever part started, so afterAll stops it even when the other one or the install failed.
    const [s, i] = await parts;
    if (s.status === 'fulfilled') snmpsim = s.value;
    if (i.status === 'fulfilled') influx = i.value;
    if (s.status === 'rejected') throw s.reason;
    if (i.status === 'rejected') throw i.reason;
  }
  await influxQuery(influx!.url, 'CREATE DATABASE noctua');
  const agent = snmpsim!.fixtures[0]!;
  mkdirSync(join(tmp.dir, 'lab'));
  writeFileSync(join(tmp.dir, 'lab', 'noctua.yaml'), `stateDir: ${join(tmp.dir, 'state')}\ninflux: { url: "${influx!.url}", database: noctua }\n`);
  writeFileSync(join(tmp.dir, 'lab', 'devices.yaml'), [
    'devices:',
    `  - { name: agent, address: 127.0.0.1, class: other, icmp: false, snmp: { community: "${agent.community}", port: ${snmpsim!.port} } }`,
    '',
  ].join('\n'));
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([snmpsim?.cleanup(), influx?.cleanup()]);
  tmp.cleanup();
});

describe('a production install (npm ci --omit=dev)', () => {
  it('has the runtime packages and none of the development ones', () => {
    for (const pkg of ['playwright-core', 'better-sqlite3', 'net-snmp', 'zod', 'tsx']) expect(existsSync(join(app, 'node_modules', pkg)), pkg).toBe(true);
    for (const pkg of ['vitest', 'typescript', '@types/node']) expect(existsSync(join(app, 'node_modules', pkg)), pkg).toBe(false);
  });

  it('validates the shipped example config with check-config', async () => {
    const dir = copyExamples(app, join(tmp.dir, 'examples'));
    const r = await noctua(['check-config', '--config', dir], EXAMPLE_ENV);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok: 6 devices in 2 sites/);
  });

  it('polls a real SNMP agent', async () => {
    const r = await noctua(['poll', 'agent', '--config', join(tmp.dir, 'lab'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const samples = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { measurement: string; fields: Record<string, unknown> });
    expect(samples.find((s) => s.measurement === 'system')?.fields.sysName).toBe(snmpsim!.fixtures[0]!.sysName);
    expect(samples.some((s) => s.measurement === 'interface')).toBe(true);
  });

  it('prints the weekly report as a PDF from a real InfluxDB', async () => {
    const out = join(tmp.dir, 'weekly.pdf');
    const r = await noctua(['report', 'weekly', '--format', 'pdf', '--out', out, '--config', join(tmp.dir, 'lab')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
