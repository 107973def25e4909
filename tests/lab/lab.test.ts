import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { influxQuery } from '../../src/lab/influxd.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { repoRoot } from '../../src/lab/paths.js';
import { snmpGetString } from '../../src/lab/snmpsim.js';
import { GiveUpWaiting, waitFor } from '../../src/lab/ports.js';
import { tempDir } from '../helpers/tmp.js';

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('local lab with real influxd and snmpsimd', () => {
  const tmp = tempDir('noctua-lab-');
  let lab: Lab;
  beforeAll(async () => { lab = await startLab({ root: tmp.dir }); });
  afterAll(async () => { await lab?.stop(); tmp.cleanup(); });

  it('serves sysName.0 of every recording through its own loopback address', async () => {
    const cfg = loadConfig(lab.configDir);
    for (const f of lab.fixtures) {
      const dev = cfg.devices.find((d) => d.name === f.community)!;
      expect(dev.class).toBe(f.class);
      expect(await snmpGetString(dev.address, lab.snmpsim.port, f.community, '1.3.6.1.2.1.1.5.0')).toBe(f.sysName);
    }
  });

  it('generates an inventory that passes check-config with one device per recording', () => {
    const cfg = loadConfig(lab.configDir);
    expect(cfg.devices.filter((d) => d.snmp !== false)).toHaveLength(lab.fixtures.length);
    expect(cfg.settings.influx.url).toBe(lab.influx.url);
  });

  it('writes a point to InfluxDB and reads it back', async () => {
    await influxQuery(lab.influx.url, 'CREATE DATABASE labcheck');
    const res = await fetch(`${lab.influx.url}/write?db=labcheck&precision=s`, { method: 'POST', body: 'icmp,device=probe rtt_avg_ms=1.5,up=true 1790000000' });
    expect(res.status).toBe(204);
    const out = await influxQuery(lab.influx.url, 'SELECT rtt_avg_ms, up FROM icmp', 'labcheck');
    expect(out[0]!.series![0]!.values).toEqual([[1790000000000, 1.5, true]]);
  });
});

describe('noctua lab as a process', () => {
  it('stops every child on SIGTERM and leaves no process behind', async () => {
    const tmp = tempDir('noctua-labproc-');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'lab', '--dir', tmp.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    child.stderr.on('data', (d) => { out += String(d); });
    await waitFor('lab up', async () => {
      if (child.exitCode !== null) throw new GiveUpWaiting(`lab exited early:\n${out}`);
      return out.includes('lab up');
    }, 60_000);
    const pids = childPids(child.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('children gone', async () => pids.every((p) => !pidAlive(p)), 10_000);
    expect(existsSync(join(tmp.dir, 'log', 'influxd.log'))).toBe(true);
    tmp.cleanup();
  }, 90_000);
});

/** Every descendant pid of `pid`, read from /proc. */
function childPids(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(d), ppid);
    } catch { /* raced */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parents) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}
