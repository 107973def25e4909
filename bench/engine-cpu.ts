/**
 * `node --import tsx bench/engine-cpu.ts [--devices 5000] [--cycles 12] [--rules config/alerts.example.yaml]`
 *
 * CPU of the alert engine alone, through its public API, on a real SQLite file: every device delivers one batch of
 * 20 samples per 60 s cycle (ICMP, snmp_poll, 12 interfaces, CPU, 2 memory pools, 2 mounts, a temperature sensor),
 * under the shipped rules, on fake time so that the timers (ticks every `evaluationInterval`) run as in production
 * without waiting. Some devices keep alerts firing (a full mount, packet loss) and some flap an interface, so that
 * incidents, parent suppression and the alert log take part. Prints CPU ms per batch and µs per sample, the ticks'
 * CPU, and the CPU one real minute of this fleet costs (cores), for the steady cycles after the first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createAlertEngine } from '../src/alerting/engine.js';
import { loadAlertRules } from '../src/alerting/rules.js';
import { FakeClock } from '../src/core/clock.js';
import { openStateDb } from '../src/core/database.js';
import type { Sample } from '../src/core/sample.js';
import { BUILTIN_DEFAULTS, type Device } from '../src/config/inventory-schema.js';

const CYCLE_MS = 60_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function fleet(n: number): Device[] {
  const out: Device[] = [];
  // One distribution switch per 50 devices, so parent suppression has something to walk.
  for (let i = 0; i < n; i++) {
    const parent = i % 50 === 0 ? undefined : `dev-${i - (i % 50)}`;
    out.push({
      name: `dev-${i}`, address: '127.0.0.1', class: 'switch', site: `site-${i % 20}`, tags: i % 50 === 0 ? ['core'] : [],
      snmp: false, icmp: { ...BUILTIN_DEFAULTS.icmp }, intervals: { ...BUILTIN_DEFAULTS.intervals }, enabled: true,
      ...(parent !== undefined ? { parent } : {}),
    });
  }
  return out;
}

/** One device's poll: 20 samples; device i % 10 == 3 has a full /var, i % 50 == 7 loses packets, i % 100 == 11 flaps Gi0/3. */
function batch(d: Device, i: number, cycle: number, time: Date): Sample[] {
  const tags = { device: d.name, site: d.site, class: d.class, vendor: 'bench' };
  const s: Sample[] = [];
  const lossy = i % 50 === 7;
  s.push({ measurement: 'icmp', tags, fields: { up: true, sent: 3n, received: lossy ? 2n : 3n, loss_pct: lossy ? 33.3 : 0, rtt_avg_ms: 1.5, rtt_min_ms: 1, rtt_max_ms: 2, jitter_ms: 0.2 }, time });
  s.push({ measurement: 'snmp_poll', tags: { ...tags, kind: 'snmp' }, fields: { ok: true, duration_ms: 120, varbinds: 400 }, time });
  for (let p = 0; p < 12; p++) {
    const busy = i % 100 === 11 && p === 3 && cycle % 2 === 0;
    s.push({
      measurement: 'interface', time,
      tags: { ...tags, ifIndex: String(p + 1), ifName: `Gi0/${p}`, ifAlias: p === 0 ? 'uplink to core' : `port ${p}`, ifDescr: `GigabitEthernet0/${p}` },
      fields: { oper_up: true, admin_up: true, speed_bps: 1e9, in_util_pct: busy ? 95 : 12 + p, out_util_pct: 8, in_errors: BigInt(cycle * 3), out_discards: BigInt(cycle * 5), in_octets: BigInt(cycle * 1e9) },
    });
  }
  s.push({ measurement: 'cpu', tags: { ...tags, cpu: '0' }, fields: { load_pct: 20 }, time });
  s.push({ measurement: 'memory', tags: { ...tags, pool: 'Physical memory' }, fields: { used_pct: 60, used_bytes: 6e9, total_bytes: 1e10 }, time });
  s.push({ measurement: 'memory', tags: { ...tags, pool: 'Virtual memory' }, fields: { used_pct: 97, used_bytes: 9.7e9, total_bytes: 1e10 }, time });
  s.push({ measurement: 'storage', tags: { ...tags, mount: '/' }, fields: { used_pct: 40, used_bytes: 4e9, total_bytes: 1e10 }, time });
  s.push({ measurement: 'storage', tags: { ...tags, mount: '/var' }, fields: { used_pct: i % 10 === 3 ? 95 : 50, used_bytes: 5e9, total_bytes: 1e10 }, time });
  s.push({ measurement: 'sensor', tags: { ...tags, kind: 'temperature', name: 'board' }, fields: { value: 41, status: 'ok', ok: true }, time });
  return s;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** What one measurement found: CPU per batch and per sample of the steady cycles, the ticks, and the totals. */
export interface EngineCpuResult {
  devices: number;
  cycles: number;
  steadyCycles: number;
  samplesPerBatch: number;
  cpuMsPerBatch: number;
  cpuUsPerSample: number;
  tickCpuMsPerCycle: number;
  ticks: number;
  /** Engine CPU (batches + ticks) per 60 s cycle divided by 60 s: the cores this fleet costs the engine at real time. */
  engineCoresAtRealTime: number;
  stopMs: number;
  activeAlerts: number;
  incidentEvents: number;
  openIncidents: number;
}

/** Feeds `devices` devices' polls for `cycles` simulated minutes through a real engine on a real SQLite file. */
export async function measureEngineCpu(o: { devices: number; cycles: number; rules: string; say?: (msg: string) => void }): Promise<EngineCpuResult> {
  const n = o.devices;
  const cycles = o.cycles;
  const rules = loadAlertRules(o.rules);
  const dir = mkdtempSync(join(tmpdir(), 'noctua-engine-cpu-'));
  const db = openStateDb(dir);
  const clock = new FakeClock(Date.UTC(2026, 11, 1, 0, 0, 0));
  const devices = fleet(n);
  let events = 0;
  const engine = createAlertEngine({
    db, rules, devices, clock, log: pino({ level: 'silent' }), locale: 'en',
    listeners: [{ onIncidentEvent: () => { events++; } }], onAlertEvents: () => {},
  });
  // The timer loop calls `this.tick()`: wrapping it on the instance measures the ticks apart from the fake clock's own work.
  let tickMs = 0;
  let ticks = 0;
  const tick = engine.tick.bind(engine);
  engine.tick = () => { const t0 = cpuMs(); try { tick(); } finally { tickMs += cpuMs() - t0; ticks++; } };
  engine.start();
  const perCycle: { writeMs: number; tickMs: number; batches: number; samples: number; wallMs: number }[] = [];
  try {
    for (let c = 0; c < cycles; c++) {
      let writeMs = 0;
      const tick0 = tickMs;
      let samples = 0;
      const w0 = performance.now();
      const step = CYCLE_MS / n;
      for (let i = 0; i < n; i++) {
        const b = batch(devices[i]!, i, c, clock.now());
        samples += b.length;
        const t0 = cpuMs();
        await engine.write(b);
        writeMs += cpuMs() - t0;
        // Time moves on between batches as it does in a fleet: the engine's tick timers fire on the way.
        await clock.advance(step);
      }
      perCycle.push({ writeMs, tickMs: tickMs - tick0, batches: n, samples, wallMs: performance.now() - w0 });
      const p = perCycle.at(-1)!;
      o.say?.(`cycle ${c + 1}/${cycles}: write ${p.writeMs.toFixed(0)} ms CPU, ticks ${p.tickMs.toFixed(0)} ms CPU, wall ${p.wallMs.toFixed(0)} ms, active alerts ${engine.activeAlerts().length}`);
    }
    const s0 = cpuMs();
    await engine.stop();
    const stopMs = cpuMs() - s0;
    const steady = perCycle.slice(1);
    const sum = (k: 'writeMs' | 'tickMs' | 'batches' | 'samples') => steady.reduce((a, p) => a + p[k], 0);
    const writeMs = sum('writeMs'); const tickSum = sum('tickMs'); const batches = sum('batches'); const samples = sum('samples');
    return {
      devices: n, cycles, steadyCycles: steady.length, samplesPerBatch: samples / batches,
      cpuMsPerBatch: +(writeMs / batches).toFixed(4), cpuUsPerSample: +((writeMs * 1000) / samples).toFixed(3),
      tickCpuMsPerCycle: +(tickSum / steady.length).toFixed(1), ticks,
      engineCoresAtRealTime: +((writeMs + tickSum) / steady.length / CYCLE_MS).toFixed(4),
      stopMs: +stopMs.toFixed(0), activeAlerts: engine.activeAlerts().length, incidentEvents: events,
      openIncidents: engine.listIncidents({ state: ['open', 'acknowledged'], limit: 1 }).total,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The command line: prints the figures as JSON and as a sentence. */
async function main(): Promise<void> {
  const r = await measureEngineCpu({
    devices: Number(arg('devices', '5000')), cycles: Number(arg('cycles', '12')), rules: arg('rules', 'config/alerts.example.yaml'),
    say: (msg) => process.stderr.write(`${msg}\n`),
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.stdout.write(`engine CPU, ${r.devices} devices × ${r.samplesPerBatch} samples per 60 s, steady cycles 2–${r.cycles}: ` +
    `${r.cpuMsPerBatch} ms per batch, ${r.cpuUsPerSample} µs per sample, ticks ${r.tickCpuMsPerCycle} ms per cycle; ` +
    `${r.engineCoresAtRealTime} cores at real time\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
