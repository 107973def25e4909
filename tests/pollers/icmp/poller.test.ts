import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import type { EchoOutcome, EchoSettings, Pinger } from '../../../src/pollers/icmp/pinger.js';
import { createIcmpPoller } from '../../../src/pollers/icmp/poller.js';
import { device } from '../../scheduler/fake-fleet.js';

/** A pinger that answers from a table and records each run. */
function tablePinger(answers: Record<string, EchoOutcome>) {
  const runs: { addresses: string[]; settings: EchoSettings }[] = [];
  const pinger: Pinger = {
    name: 'fping',
    async ping(addresses, settings) {
      runs.push({ addresses: [...addresses], settings });
      return new Map(addresses.map((a) => [a, answers[a] ?? { sent: settings.count, rtts: [] }]));
    },
  };
  return { pinger, runs };
}

const never = new AbortController().signal;

describe('ICMP poller', () => {
  it('resolves each host name once per cycle and reports a name that does not resolve as down with the reason', async () => {
    const { pinger, runs } = tablePinger({ '127.0.0.10': { sent: 3, rtts: [1, 1, 1] } });
    const lookups: string[] = [];
    const poller = createIcmpPoller({
      pinger,
      resolve: async (host) => {
        lookups.push(host);
        if (host === 'gone.example.invalid') throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
        return '127.0.0.10';
      },
    });
    const res = await poller.pollMany([
      device('a', { address: 'noc-gw.lab' }), device('b', { address: 'noc-gw.lab' }), device('c', { address: 'gone.example.invalid' }),
    ], never);
    expect(lookups.sort()).toEqual(['gone.example.invalid', 'noc-gw.lab']);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.addresses).toEqual(['127.0.0.10']);
    expect(res.get('a')!.samples[0]!.fields.up).toBe(true);
    expect(res.get('b')!.reachable).toBe(true);
    const c = res.get('c')!;
    expect(c.reachable).toBe(false);
    expect(c.samples[0]!.fields).toEqual({ sent: 0n, received: 0n, loss_pct: 100, up: false });
    expect(c.errors[0]!.message).toBe('gone.example.invalid: cannot resolve host name "gone.example.invalid": ENOTFOUND');
    // Next cycle resolves again (DNS changes are picked up).
    await poller.pollMany([device('a', { address: 'noc-gw.lab' })], never);
    expect(lookups.filter((h) => h === 'noc-gw.lab')).toHaveLength(2);
  });

  it('runs one ping per distinct count/interval/timeout and tags samples like SNMP ones, vendor included', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 8, 0, 0));
    const { pinger, runs } = tablePinger({ '127.0.0.1': { sent: 3, rtts: [0.1, 0.2, 0.3] } });
    const poller = createIcmpPoller({ pinger, clock, vendorOf: (n) => (n === 'core' ? 'huawei' : undefined) });
    const res = await poller.pollMany([
      device('core', { address: '127.0.0.1', site: 'hq', class: 'router' }),
      device('acc', { address: '127.0.0.2' }),
      device('ups', { address: '::1', icmp: { count: 5, intervalMs: 200, timeoutMs: 1000 } }),
    ], never);
    expect(runs.map((r) => r.settings.count).sort()).toEqual([3, 5]);
    const core = res.get('core')!.samples[0]!;
    expect(core).toMatchObject({ measurement: 'icmp', tags: { device: 'core', site: 'hq', class: 'router', vendor: 'huawei' }, time: clock.now() });
    expect(res.get('acc')!.samples[0]!.tags.vendor).toBe('unknown');
    expect(res.get('acc')!.errors[0]!.message).toBe('127.0.0.2: no echo reply (3 sent)');
    expect(res.get('ups')!.samples[0]!.fields.sent).toBe(5n);
  });

  it('lets a backend failure through to the scheduler instead of reporting every device down', async () => {
    const poller = createIcmpPoller({ pinger: { name: 'fping', ping: async () => { throw new Error('fping failed (exit 4)'); } } });
    await expect(poller.pollMany([device('a')], never)).rejects.toThrow('fping failed (exit 4)');
  });
});
