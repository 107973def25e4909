import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import type { Sink } from '../../src/core/bus.js';
import { FakeClock } from '../../src/core/clock.js';
import type { Sample } from '../../src/core/sample.js';
import { buildConsumers, startNoctua } from '../../src/main.js';
import { openStateDb } from '../../src/core/database.js';
import { copyFileSync } from 'node:fs';
import { repoRoot } from '../../src/lab/paths.js';
import { systemClock } from '../../src/core/clock.js';
import { clockTicker } from '../../src/scheduler/ticker.js';
import { FakeBatchPinger, FakePoller } from '../scheduler/fake-fleet.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-wiring-');
afterAll(() => tmp.cleanup());

function configDir(name: string, devices: string[], scheduler: Record<string, unknown> = {}): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'noctua.yaml'), stringify({ stateDir: join(tmp.dir, 'state'), scheduler: { selfInterval: '10s', drainTimeout: '2s', ...scheduler } }));
  writeFileSync(join(dir, 'devices.yaml'), stringify({
    defaults: { intervals: { icmp: '10s', snmp: '10s', inventory: '1h' } },
    devices: devices.map((n, i) => ({ name: n, address: `127.0.5.${i + 1}`, class: 'switch' })),
  }));
  return dir;
}

/** A logger that keeps its lines in memory. */
function memoryLog() {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as { msg: string }); } });
  return { log, lines };
}

describe('startNoctua wiring', () => {
  it('runs the alert engine without rules when there is no alerts.yaml, and escalation only with notify.yaml', async () => {
    const { log, lines } = memoryLog();
    const bare = loadFullConfig(configDir('sinks', ['a']));
    const db = openStateDb(join(tmp.dir, 'consumers-state'));
    const none = await buildConsumers(bare, log, db, systemClock, { noStorage: true });
    expect(none.sinks.map((s) => s.name)).toEqual(['topology', none.alerts.name]);
    expect(none.storage).toBeUndefined();
    expect(lines.some((l) => /no alerts\.yaml/.test(l.msg))).toBe(true);
    await none.alerts.stop();
    const dir = configDir('with-alerts', ['a']);
    copyFileSync(join(repoRoot, 'config', 'alerts.example.yaml'), join(dir, 'alerts.yaml'));
    const withAlerts = await buildConsumers(loadFullConfig(dir), log, db, systemClock, { noStorage: true });
    expect(withAlerts.sinks.map((s) => s.name)).toEqual(['topology', withAlerts.alerts.name]);
    expect(withAlerts.escalation).toBeUndefined();
    expect(lines.some((l) => /no notify\.yaml/.test(l.msg))).toBe(true);
    await withAlerts.alerts.stop();
    db.close();
  });

  it('polls through the scheduler into the given sinks, reloads the inventory, and closes sinks and pollers on stop', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 0, 0, 0));
    const icmp = new FakeBatchPinger('icmp', clock);
    const snmp = new FakePoller('snmp', clock);
    let closedPollers = 0;
    for (const p of [icmp, snmp]) p.close = async () => { closedPollers++; };
    const got: Sample[] = [];
    let sinkClosed = false;
    const sink: Sink = { name: 'memory', async write(b) { got.push(...b); }, async close() { sinkClosed = true; } };
    const { log, lines } = memoryLog();
    const cfg = loadFullConfig(configDir('run', ['sw-a', 'sw-b']));
    const rt = await startNoctua(cfg, log, { sinks: [sink], pollers: { icmp, snmp }, clock, ticker: clockTicker(clock), noStorage: true, noApi: true });
    await clock.advance(20_000);
    expect(new Set(got.filter((s) => s.measurement === 'icmp').map((s) => s.tags.device))).toEqual(new Set(['sw-a', 'sw-b']));
    expect(rt.devices.get('sw-a')!.status).toBe('up');

    const change = rt.reload(loadFullConfig(configDir('run2', ['sw-a', 'sw-c'], { concurrency: 4, icmpBackend: 'ping' })));
    expect(change).toEqual({ added: ['sw-c'], removed: ['sw-b'], changed: [] });
    expect(lines.some((l) => /apply at the next restart/.test(l.msg))).toBe(true);
    await clock.advance(20_000);
    expect(got.some((s) => s.tags.device === 'sw-c')).toBe(true);
    expect(rt.devices.get('sw-b')).toBeUndefined();
    expect(got.some((s) => s.measurement === 'noctua_self')).toBe(true);

    const stopping = rt.stop();
    await clock.advance(2000);
    await stopping;
    expect(sinkClosed).toBe(true);
    expect(closedPollers).toBe(2);
    expect(lines.at(-1)!.msg).toBe('noctua stopped');
  });
});
