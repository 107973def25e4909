import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/lab/paths.js';
import { freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { tempDir } from '../helpers/tmp.js';

const DRAIN_MS = 1500;

interface LogLine { msg: string; level: number; [k: string]: unknown }

describe('noctua start as a process', () => {
  const tmp = tempDir('noctua-start-');
  const configDir = join(tmp.dir, 'config');
  let child: ChildProcessWithoutNullStreams;
  const lines: LogLine[] = [];
  let raw = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let deadPort = 0;

  const devices = (names: string[]) => ({
    defaults: { icmp: { count: 2, intervalMs: 100, timeoutMs: 300 }, intervals: { icmp: '2s', snmp: '10s', inventory: '1h' } },
    devices: [
      ...names.map((n, i) => ({ name: n, address: `127.0.4.${i + 1}`, class: 'server', snmp: false })),
      // Nothing listens on its SNMP port: its polls hang until the SNMP timeout, so SIGTERM finds one under way.
      { name: 'dead-snmp', address: '127.0.3.2', class: 'switch', icmp: false, snmp: { community: 'public', port: deadPort, timeoutMs: 4000, retries: 1 } },
    ],
  });
  const writeDevices = (doc: unknown) => writeFileSync(join(configDir, 'devices.yaml'), typeof doc === 'string' ? doc : stringify(doc));
  const since = (n: number) => lines.slice(n);
  const waitLog = async (what: string, from: number, pred: (l: LogLine) => boolean, ms = 15_000) => {
    await waitFor(what, async () => {
      if (child.exitCode !== null) throw new Error(`noctua exited early:\n${raw}`);
      return since(from).some(pred);
    }, ms, 50);
    return since(from).find(pred)!;
  };

  beforeAll(async () => {
    deadPort = await freeUdpPort('127.0.3.2');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'noctua.yaml'), stringify({ stateDir: join(tmp.dir, 'state'), scheduler: { selfInterval: '2s', drainTimeout: `${DRAIN_MS}ms` } }));
    writeDevices(devices(['web-01', 'web-02']));
    child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', configDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      raw += d;
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try { lines.push(JSON.parse(line) as LogLine); } catch { /* not a log line */ }
      }
    });
    child.stderr.on('data', (d) => { raw += String(d); });
    await waitLog('noctua started', 0, (l) => l.msg === 'noctua started', 30_000);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) { child.kill('SIGKILL'); await exited; }
    tmp.cleanup();
  });

  it('logs JSON lines and a poll cycle summary with successful ICMP polls', async () => {
    const l = await waitLog('a poll cycle summary with ICMP successes', 0, (x) => x.msg === 'poll cycle summary' && ((x.icmp as { polls_ok?: number } | undefined)?.polls_ok ?? 0) > 0);
    expect(l.devices).toBe(3);
  });

  it('reloads when devices.yaml changes: an added device starts', async () => {
    const n = lines.length;
    writeDevices(devices(['web-01', 'web-02', 'web-03']));
    const l = await waitLog('inventory reloaded', n, (x) => x.msg === 'inventory reloaded');
    expect(l).toMatchObject({ added: ['web-03'], removed: [], changed: [], devices: 4 });
  });

  it('rejects a broken devices.yaml with file:line:col errors and keeps the running inventory', async () => {
    const n = lines.length;
    const broken = stringify(devices(['web-01', 'web-02', 'web-03'])).replace('class: server', 'class: toaster');
    writeDevices(broken);
    const l = await waitLog('reload rejected', n, (x) => /reload rejected/.test(x.msg));
    const errors = l.errors as string[];
    const line = broken.split('\n').findIndex((x) => x.includes('toaster')) + 1;
    expect(errors[0]).toMatch(new RegExp(`devices\\.yaml:${line}:\\d+ devices\\[0\\]\\.class: expected .*got "toaster"`));
    const after = lines.length;
    const summary = await waitLog('a summary after the bad reload', after, (x) => x.msg === 'poll cycle summary');
    expect(summary.devices).toBe(4);
  });

  it('reloads on SIGHUP: a removed device stops', async () => {
    writeDevices(devices(['web-01', 'web-03']));
    // The file watch may pick this up first; SIGHUP must reload either way.
    await new Promise((r) => setTimeout(r, 500));
    const n = lines.length;
    child.kill('SIGHUP');
    await waitLog('SIGHUP acknowledged', n, (x) => x.msg === 'SIGHUP: reloading the configuration');
    await waitLog('inventory reloaded after SIGHUP', n, (x) => x.msg === 'inventory reloaded' && x.devices === 3);
    const all = lines.filter((x) => x.msg === 'inventory reloaded');
    expect(all.some((x) => (x.removed as string[]).includes('web-02'))).toBe(true);
  });

  it('drains and exits 0 on SIGTERM within the drain deadline', async () => {
    const t = Date.now();
    child.kill('SIGTERM');
    const { code } = await exited;
    const tookMs = Date.now() - t;
    expect(code).toBe(0);
    // Drain deadline plus process teardown (tsx, pino flush) on a busy two-core machine.
    expect(tookMs).toBeLessThan(DRAIN_MS + 3000);
    expect(lines.some((x) => x.msg === 'noctua stopped')).toBe(true);
  });
});
