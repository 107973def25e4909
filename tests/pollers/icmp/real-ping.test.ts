import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/config/inventory-schema.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../../src/lab/netns.js';
import { createFpingPinger, fpingInstalled } from '../../../src/pollers/icmp/fping.js';
import { createPingPackagePinger } from '../../../src/pollers/icmp/ping-package.js';
import { createIcmpPoller, type IcmpPoller } from '../../../src/pollers/icmp/poller.js';
import { device } from '../../scheduler/fake-fleet.js';

const never = new AbortController().signal;
const icmp = { count: 3, intervalMs: 100, timeoutMs: 500 };
const backends: { backend: string; make: () => IcmpPoller }[] = [
  { backend: 'fping', make: () => createIcmpPoller({ pinger: createFpingPinger() }) },
  { backend: 'ping package', make: () => createIcmpPoller({ pinger: createPingPackagePinger() }) },
];

if (!fpingInstalled()) throw new Error('fping is not installed: run npm run setup');

describe.each(backends)('ICMP through $backend against real loopback targets', ({ make }) => {
  it('finds 127.0.0.0/8 and ::1 targets (and localhost by name) up with plausible RTTs', async () => {
    const devices: Device[] = ['127.0.0.1', '127.0.2.1', '127.0.1.77', '::1', 'localhost'].map((a, i) => device(`lo-${i}`, { address: a, icmp }));
    const res = await make().pollMany(devices, never);
    for (const d of devices) {
      const r = res.get(d.name)!;
      expect(r.errors, d.address).toEqual([]);
      const f = r.samples[0]!.fields;
      expect(f).toMatchObject({ sent: 3n, received: 3n, loss_pct: 0, up: true });
      // Loopback answers in microseconds; anything over 50 ms would be a parsing error, not the network.
      for (const k of ['rtt_min_ms', 'rtt_median_ms', 'rtt_p90_ms', 'rtt_avg_ms', 'rtt_max_ms']) {
        expect(f[k] as number).toBeGreaterThan(0);
        expect(f[k] as number).toBeLessThan(50);
      }
      expect(f.rtt_min_ms as number).toBeLessThanOrEqual(f.rtt_avg_ms as number);
      expect(f.rtt_avg_ms as number).toBeLessThanOrEqual(f.rtt_max_ms as number);
      expect(f.rtt_min_ms as number).toBeLessThanOrEqual(f.rtt_median_ms as number);
      expect(f.rtt_median_ms as number).toBeLessThanOrEqual(f.rtt_p90_ms as number);
      expect(f.rtt_p90_ms as number).toBeLessThanOrEqual(f.rtt_max_ms as number);
      expect(f.jitter_ms as number).toBeGreaterThanOrEqual(0);
    }
  });
});

// A real host that stops answering: a network namespace of our own behind a veth pair.
const whyNot = netnsUnavailableReason();
if (whyNot) console.warn(`skipping the ICMP down/up test: ${whyNot}`);

describe.skipIf(whyNot !== undefined)('a target that goes down and comes back (network namespace)', () => {
  let host: NetnsHost;
  beforeAll(() => { host = createNetnsHost(`i${process.pid % 100000}`, 200 + (process.pid % 50)); });
  afterAll(() => host?.remove());

  it.each(backends)('$backend: up, then loss_pct 100 and up false with the link down, then up again (IPv4 and IPv6)', async ({ make }) => {
    const poller = make();
    const devices = [device('ns-v4', { address: host.address4, icmp }), device('ns-v6', { address: host.address6, icmp })];
    const fields = async () => {
      const res = await poller.pollMany(devices, never);
      return devices.map((d) => res.get(d.name)!.samples[0]!.fields);
    };
    for (const f of await fields()) expect(f).toMatchObject({ up: true, loss_pct: 0, received: 3n });
    host.linkDown();
    try {
      for (const f of await fields()) {
        expect(f).toEqual({ sent: 3n, received: 0n, loss_pct: 100, up: false });
      }
    } finally {
      host.linkUp();
    }
    // The first reply after link-up may wait for neighbour discovery; up needs only one of three.
    for (const f of await fields()) expect(f).toMatchObject({ up: true, sent: 3n });
  });
});
