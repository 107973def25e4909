import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldValue } from '../../../src/core/sample.js';
import { netnsUnavailableReason } from '../../../src/lab/netns.js';
import { createFpingPinger, fpingInstalled } from '../../../src/pollers/icmp/fping.js';
import { createPingPackagePinger } from '../../../src/pollers/icmp/ping-package.js';
import { createIcmpPoller, type IcmpPoller } from '../../../src/pollers/icmp/poller.js';
import { device } from '../../scheduler/fake-fleet.js';
import { createImpairedHost, type ImpairedHost } from './impaired-link.js';

// Smokeping's WAN shape: 20 echoes per cycle against a link with 20 ms ± 5 ms delay and 20 % loss.
const LINK = { delayMs: 20, jitterMs: 5, lossPct: 20 };
const icmp = { count: 20, intervalMs: 25, timeoutMs: 500 };
/** Cycles each backend may take before the pooled figures must be in range (poll, bounded). */
const MAX_CYCLES = 10;
const never = new AbortController().signal;

if (!fpingInstalled()) throw new Error('fping is not installed: run npm run setup');
const whyNot = netnsUnavailableReason();
if (whyNot) console.warn(`skipping the impaired-link ICMP test: ${whyNot}`);

const backends: { backend: string; make: () => IcmpPoller }[] = [
  { backend: 'fping', make: () => createIcmpPoller({ pinger: createFpingPinger() }) },
  { backend: 'ping package', make: () => createIcmpPoller({ pinger: createPingPackagePinger() }) },
];

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

describe.skipIf(whyNot !== undefined)('Smokeping-grade statistics over a delayed, lossy link (network namespace)', () => {
  let link: ImpairedHost;
  beforeAll(async () => {
    link = await createImpairedHost(`m${process.pid % 100000}`, 100 + (process.pid % 40), LINK);
    if (link.via === 'responder') console.warn(`tc netem is not available in this kernel (${link.netemMissing}): a userspace echo responder in the namespace delays and drops instead`);
  }, 30_000);
  afterAll(() => link?.stop());

  it.each(backends)('$backend: median near 20 ms, p90 above it, loss near 20 %, min-max spanning the jitter', async ({ make }) => {
    const poller = make();
    const d = device('wan', { address: link.host.address4, icmp });
    const cycles: Record<string, FieldValue>[] = [];
    let sent = 0, received = 0;
    const pooled = () => ({ lossPct: (100 * (sent - received)) / sent, medianMs: median(cycles.map((f) => f.rtt_median_ms as number)), p90Ms: median(cycles.map((f) => f.rtt_p90_ms as number)) });
    const inRange = (p: ReturnType<typeof pooled>) => p.lossPct >= 8 && p.lossPct <= 35 && p.medianMs >= 17 && p.medianMs <= 28 && p.p90Ms >= p.medianMs + 1 && p.p90Ms <= 40;
    // Pool cycles until at least 100 echoes were sent and the figures are in range, or the bound is reached.
    for (let i = 0; i < MAX_CYCLES && (sent < 100 || !inRange(pooled())); i++) {
      const r = (await poller.pollMany([d], never)).get('wan')!;
      const f = r.samples[0]!.fields;
      expect(f.sent).toBe(20n);
      expect(f.up).toBe(true);
      // Every cycle on its own: the order that defines the band, and no reply faster than the link allows.
      const [min, med, p90, max] = [f.rtt_min_ms, f.rtt_median_ms, f.rtt_p90_ms, f.rtt_max_ms] as number[];
      expect(min).toBeGreaterThanOrEqual(LINK.delayMs - LINK.jitterMs - 0.5);
      expect(min).toBeLessThanOrEqual(med!);
      expect(med).toBeLessThanOrEqual(p90!);
      expect(p90).toBeLessThanOrEqual(max!);
      expect(f.jitter_ms as number).toBeGreaterThan(0);
      expect(f.loss_pct as number).toBeCloseTo((100 * Number((f.sent as bigint) - (f.received as bigint))) / 20, 2);
      cycles.push(f);
      sent += Number(f.sent);
      received += Number(f.received);
    }
    const p = pooled();
    expect(sent).toBeGreaterThanOrEqual(100);
    expect(p.lossPct).toBeGreaterThanOrEqual(8);
    expect(p.lossPct).toBeLessThanOrEqual(35);
    expect(p.medianMs).toBeGreaterThanOrEqual(17);
    expect(p.medianMs).toBeLessThanOrEqual(28);
    expect(p.p90Ms).toBeGreaterThanOrEqual(p.medianMs + 1);
    expect(p.p90Ms).toBeLessThanOrEqual(40);
  }, 120_000);
});
