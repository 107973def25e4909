import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFixtures } from '../../src/lab/inventory.js';
import { fixturesDir, repoRoot } from '../../src/lab/paths.js';
import { PartFailedError, startAll } from '../../src/lab/parts.js';
import { startRedis } from '../../src/lab/redis.js';
import { snmpGetString, startSnmpsim } from '../../src/lab/snmpsim.js';
import { waitFor } from '../../src/lab/ports.js';
import { realSnmpsim } from '../helpers/real-parts.js';
import { listProcesses } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const MARK = 'NOCTUA_LAB_FAILURE_TEST';

/** Live processes (not zombies) that carry `MARK=value` in their environment: everything a child started. */
function marked(value: string): string[] {
  return listProcesses([MARK]).filter((p) => p.env[MARK] === value && p.state !== 'Z').map((p) => `${p.pid} ${p.name}`);
}

/** Runs `noctua lab` to its end; its children carry a marker so the test can tell whether any outlived it. */
async function runLab(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string; mark: string }> {
  const mark = randomUUID();
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'lab', ...args], {
    env: { ...process.env, ...env, [MARK]: mark }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, stderr, mark };
}

describe('recordings under a directory only root can enter', () => {
  const tmp = tempDir('noctua-0700-');
  const saved = process.env.NOCTUA_FIXTURES;
  afterAll(() => {
    if (saved === undefined) delete process.env.NOCTUA_FIXTURES; else process.env.NOCTUA_FIXTURES = saved;
    tmp.cleanup();
  });

  it('snmpsimd started by the test helper serves sysName.0 from fixtures copied under a fresh mktemp -d (0700)', async () => {
    expect(statSync(tmp.dir).mode & 0o777).toBe(0o700);
    const facts = readFixtures(fixturesDir()).slice(0, 2);
    const copy = join(tmp.dir, 'fixtures');
    for (const sub of ['snmprec', 'expected']) mkdirSync(join(copy, sub), { recursive: true });
    for (const f of facts) {
      copyFileSync(join(fixturesDir(), 'snmprec', `${f.community}.snmprec`), join(copy, 'snmprec', `${f.community}.snmprec`));
      copyFileSync(join(fixturesDir(), 'expected', `${f.community}.json`), join(copy, 'expected', `${f.community}.json`));
    }
    process.env.NOCTUA_FIXTURES = copy;
    const sim = await realSnmpsim();
    try {
      for (const f of facts) expect(await snmpGetString(sim.host, sim.port, f.community, '1.3.6.1.2.1.1.5.0')).toBe(f.sysName);
    } finally {
      await sim.cleanup();
    }
  }, 90_000);
});

describe('a part that cannot start', () => {
  const held: Server[] = [];
  afterAll(async () => { for (const s of held) await new Promise((r) => s.close(r)); });

  it('snmpsimd on a UDP port already taken fails fast, naming the part, the port trouble and its log', async () => {
    const tmp = tempDir('noctua-simbusy-');
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    try {
      const err = await startSnmpsim({ dataDir: join(fixturesDir(), 'snmprec'), workDir: tmp.dir, probeCommunity: 'x', port: sock.address().port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PartFailedError);
      const e = err as PartFailedError;
      expect(e.part).toBe('snmpsimd');
      expect(e.hint).toMatch(/port it needs is held by another program/);
      expect(e.message).toContain(join(tmp.dir, 'snmpsim.log'));
      expect(e.logTail).toMatch(/in use/i);
    } finally {
      sock.close();
      tmp.cleanup();
    }
  }, 90_000);

  it('startAll stops the parts that started when another fails', async () => {
    const tmp = tempDir('noctua-startall-');
    let redisPid = 0;
    const redis = startRedis({ dir: join(tmp.dir, 'redis') }).then((r) => { redisPid = r.process.pid; return r; });
    const failing = new Promise<never>((_, reject) => setTimeout(() => reject(new PartFailedError('influxd', 'did not start (test)', 'none')), 200));
    await expect(startAll({ redis, influx: failing })).rejects.toThrow('influxd: did not start (test)');
    expect(redisPid).toBeGreaterThan(0);
    expect(() => process.kill(redisPid, 0)).toThrow();
    tmp.cleanup();
  }, 60_000);

  it('npm start without influxd on PATH says which part and what to do, with no stack trace, and leaves snmpsimd stopped', async () => {
    const tmp = tempDir('noctua-labnoinflux-');
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    symlinkSync('/usr/bin/snmpsimd', join(bin, 'snmpsimd'));
    const r = await runLab(['--dir', join(tmp.dir, 'lab')], { PATH: bin });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('noctua lab: influxd: did not start');
    expect(r.stderr).toContain('influxd was not found on PATH: run `npm run setup`');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    // snmpsimd was started beside it and must have been stopped.
    expect(statSync(join(tmp.dir, 'lab', 'log', 'snmpsim.log')).size).toBeGreaterThan(0);
    await waitFor('no process of the failed lab left', async () => marked(r.mark).length === 0, 5000).catch(() => undefined);
    expect(marked(r.mark)).toEqual([]);
    tmp.cleanup();
  }, 90_000);

  it('npm start with the API port taken names noctua and the port, and stops the lab parts it had started', async () => {
    const tmp = tempDir('noctua-labbusy-');
    const server = createServer();
    held.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const r = await runLab(['--dir', join(tmp.dir, 'lab'), '--api-port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('noctua lab: noctua: did not start (listen EADDRINUSE');
    expect(r.stderr).toContain(`port ${port} of the API is held by another program`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    await waitFor('no process of the failed lab left', async () => marked(r.mark).length === 0, 5000).catch(() => undefined);
    expect(marked(r.mark)).toEqual([]);
    tmp.cleanup();
  }, 120_000);
});
