import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import type { Sink } from '../../src/core/bus.js';
import type { Sample } from '../../src/core/sample.js';
import { freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { startNoctua, type NoctuaRuntime } from '../../src/main.js';
import { FakeBatchPinger, FakePoller } from '../scheduler/fake-fleet.js';
import { FakeClock } from '../../src/core/clock.js';
import { clockTicker } from '../../src/scheduler/ticker.js';
import { tempDir } from '../helpers/tmp.js';

// The trap receiver as `noctua start` runs it: enabled in noctua.yaml, fed by Net-SNMP's real snmptrap,
// its event samples on the same bus as the polls (here an extra sink stands where InfluxDB and the engine sit).
const tmp = tempDir('noctua-events-wiring-');
const got: Sample[] = [];
let rt: NoctuaRuntime | undefined;
let port = 0;

function snmptrap(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile('snmptrap', ['-m', '', '-M', '/dev/null', ...args], { timeout: 20_000 }, (err) => resolve(err ? 1 : 0));
  });
}

beforeAll(async () => {
  port = await freeUdpPort();
  const dir = join(tmp.dir, 'config');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'noctua.yaml'), stringify({
    stateDir: join(tmp.dir, 'state'), scheduler: { selfInterval: '10s', drainTimeout: '2s' },
    events: { traps: { enabled: true, listen: `127.0.0.1:${port}`, communities: ['nocpublic'] } },
  }));
  writeFileSync(join(dir, 'devices.yaml'), stringify({
    defaults: { intervals: { icmp: '10s', snmp: '10s', inventory: '1h' } },
    devices: [{ name: 'core-sw', address: '127.0.0.2', class: 'switch' }],
  }));
  const sink: Sink = { name: 'memory', async write(b) { got.push(...b); }, async close() {} };
  // Polls stand still on a fake clock: only the receiver, on real time and a real socket, feeds the bus here.
  const clock = new FakeClock(Date.now());
  const pollers = { icmp: new FakeBatchPinger('icmp', clock), snmp: new FakePoller('snmp', clock) };
  rt = await startNoctua(loadFullConfig(dir), pino({ level: 'silent' }), { sinks: [sink], pollers, clock, ticker: clockTicker(clock), noStorage: true, noApi: true });
});
afterAll(async () => { await rt?.stop(); tmp.cleanup(); });

describe('event receivers in the runtime', () => {
  it('turns a linkDown trap from an inventory device into an event sample on the bus', async () => {
    const ifIndex = 7;
    const code = await snmptrap(['-v', '2c', '-c', 'nocpublic', '--clientaddr=127.0.0.2', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.3',
      `1.3.6.1.2.1.2.2.1.1.${ifIndex}`, 'i', String(ifIndex), `1.3.6.1.2.1.31.1.1.1.1.${ifIndex}`, 's', 'GE0/0/7']);
    expect(code).toBe(0);
    await waitFor('the link-down event sample', async () => got.some((s) => s.measurement === 'event' && s.tags.device === 'core-sw' && s.tags.type === 'link-down'), 10_000);
    const ev = got.find((s) => s.measurement === 'event' && s.tags.type === 'link-down')!;
    expect(ev.tags.source).toBe('trap');
    expect(ev.tags.ifName).toBe('GE0/0/7');
  });

  it('refuses a trap with another community and publishes nothing for it', async () => {
    const before = got.filter((s) => s.measurement === 'event' && s.tags.type === 'cold-start').length;
    await snmptrap(['-v', '2c', '-c', 'wrong-community', '--clientaddr=127.0.0.2', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.1']);
    await new Promise((r) => setTimeout(r, 500));
    expect(got.filter((s) => s.measurement === 'event' && s.tags.type === 'cold-start').length).toBe(before);
  });
});
