import { getEventListeners } from 'node:events';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PingResponse } from 'ping';
import { afterAll, describe, expect, it } from 'vitest';
import { choosePinger } from '../../../src/pollers/icmp/index.js';
import { createFpingPinger, fpingArgs, parseFpingReport } from '../../../src/pollers/icmp/fping.js';
import { createPingPackagePinger } from '../../../src/pollers/icmp/ping-package.js';
import { createIcmpPoller } from '../../../src/pollers/icmp/poller.js';
import { tempDir } from '../../helpers/tmp.js';
import { device } from '../../scheduler/fake-fleet.js';

const tmp = tempDir('noctua-icmp-backends-');
afterAll(() => tmp.cleanup());

/** A stand-in `fping` that prints a canned -C report on stderr, like the real one. */
function fakeFping(report: string, exitCode = 0): string {
  const file = join(tmp.dir, `fping-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' ${report.split('\n').map((l) => `'${l}'`).join(' ')} >&2\nexit ${exitCode}\n`);
  chmodSync(file, 0o755);
  return file;
}

function pingResponse(address: string, output: string, times: number[]): PingResponse {
  return { inputHost: address, host: address, alive: times.length > 0, output, time: times[0] ?? 'unknown', times, min: '', max: '', avg: '', stddev: '', packetLoss: '' };
}

const settings = { count: 3, intervalMs: 100, timeoutMs: 500 };
const never = new AbortController().signal;

describe('fping report parsing', () => {
  it('reads one line per target, dashes as lost replies, and keeps the other lines', () => {
    const { outcomes, other } = parseFpingReport('10.0.0.1 : 0.52 - 0.61\nfe80::1   : - - -\nICMP Host Unreachable from 10.0.0.9\n');
    expect(outcomes.get('10.0.0.1')).toEqual({ sent: 3, rtts: [0.52, 0.61] });
    expect(outcomes.get('fe80::1')).toEqual({ sent: 3, rtts: [] });
    expect(other).toEqual(['ICMP Host Unreachable from 10.0.0.9']);
  });
});

describe('both backends give identical samples for the same replies', () => {
  it('fping and the ping package agree field for field', async () => {
    const fping = createFpingPinger({ binary: fakeFping('127.0.0.7 : 0.412 - 0.530') });
    const pingPkg = createPingPackagePinger({
      probe: async (addr) => pingResponse(addr, '3 packets transmitted, 2 received, 33.3333% packet loss, time 204ms', [0.412, 0.53]),
    });
    const d = device('sw-07', { address: '127.0.0.7' });
    const fromF = (await createIcmpPoller({ pinger: fping }).poll(d, never)).samples[0]!;
    const fromP = (await createIcmpPoller({ pinger: pingPkg }).poll(d, never)).samples[0]!;
    expect({ ...fromF, time: 0 }).toEqual({ ...fromP, time: 0 });
    expect(fromF.fields).toMatchObject({ sent: 3n, received: 2n, loss_pct: 33.333, rtt_min_ms: 0.412, rtt_max_ms: 0.53, rtt_median_ms: 0.471, rtt_p90_ms: 0.518, up: true });
  });
});

describe('fping backend', () => {
  it('sends without a gap between targets (-i 0) and spaces each target\'s probes by intervalMs (-p)', () => {
    const args = fpingArgs({ count: 20, intervalMs: 250, timeoutMs: 800 });
    const opt = (flag: string) => args[args.indexOf(flag) + 1];
    expect([opt('-C'), opt('-i'), opt('-p'), opt('-t'), opt('-r')]).toEqual(['20', '0', '250', '800', '0']);
  });

  it('reports an address fping said nothing about as not sent, with what fping did say', async () => {
    const fping = createFpingPinger({ binary: fakeFping('127.0.0.1 : 0.1 0.1 0.1\n127.0.0.8: error while sending ping: No buffer space', 1) });
    const out = await fping.ping(['127.0.0.1', '127.0.0.8'], settings, never);
    expect(out.get('127.0.0.8')).toEqual({ sent: 0, rtts: [], error: '127.0.0.8: error while sending ping: No buffer space' });
  });

  it('fails the run on a usage error (exit 3), naming the exit code', async () => {
    const fping = createFpingPinger({ binary: fakeFping('fping: invalid option', 3) });
    await expect(fping.ping(['127.0.0.1'], settings, never)).rejects.toThrow(/fping failed \(exit 3\): fping: invalid option/);
  });

  it('says how to fix a missing fping', async () => {
    const fping = createFpingPinger({ binary: join(tmp.dir, 'no-such-fping') });
    await expect(fping.ping(['127.0.0.1'], settings, never)).rejects.toThrow(/fping is not installed.*icmpBackend: ping/);
  });
});

describe('ping package backend', () => {
  it('takes sent from the statistics line and reports ping\'s last words when it could not send', async () => {
    const p = createPingPackagePinger({
      probe: async (addr) => addr === '127.0.0.1'
        ? pingResponse(addr, '4 packets transmitted, 1 received, 75% packet loss', [0.2])
        : pingResponse(addr, 'ping: connect: Network is unreachable\n', []),
    });
    const out = await p.ping(['127.0.0.1', '127.0.0.2'], { ...settings, count: 4 }, never);
    expect(out.get('127.0.0.1')).toEqual({ sent: 4, rtts: [0.2] });
    expect(out.get('127.0.0.2')).toEqual({ sent: 0, rtts: [], error: 'ping: connect: Network is unreachable' });
  });

  it('leaves no abort listener behind on the sweep\'s signal after its probes end', async () => {
    const p = createPingPackagePinger({ probe: async (addr) => pingResponse(addr, '1 packets transmitted, 1 received', [0.1]) });
    const controller = new AbortController();
    const addrs = Array.from({ length: 200 }, (_, i) => `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    expect((await p.ping(addrs, settings, controller.signal)).size).toBe(200);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('runs no more than `parallel` probes at once', async () => {
    let active = 0, max = 0;
    const p = createPingPackagePinger({
      parallel: 3,
      probe: async (addr) => {
        active++; max = Math.max(max, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        return pingResponse(addr, '1 packets transmitted, 1 received', [0.1]);
      },
    });
    const addrs = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 1}`);
    expect((await p.ping(addrs, settings, never)).size).toBe(10);
    expect(max).toBe(3);
  });
});

describe('backend choice (scheduler.icmpBackend)', () => {
  it('auto falls back to the ping package without fping; fping without fping is a clear error', () => {
    const missing = join(tmp.dir, 'absent-fping');
    expect(choosePinger('auto', { fpingBinary: missing }).name).toBe('ping');
    expect(() => choosePinger('fping', { fpingBinary: missing })).toThrow(/icmpBackend is "fping" but fping is not installed/);
    expect(choosePinger('ping').name).toBe('ping');
  });
});
