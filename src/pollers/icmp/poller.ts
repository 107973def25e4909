import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Device } from '../../config/inventory-schema.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { deviceTags, type BatchPoller, type PollResult, type Poller } from '../../core/poller.js';
import type { Sample } from '../../core/sample.js';
import { echoFields } from './echo-stats.js';
import type { EchoOutcome, EchoSettings, Pinger } from './pinger.js';

/** Turns a host name into one numeric address; rejects with the resolver's error. */
export type HostResolver = (host: string, signal: AbortSignal) => Promise<string>;

export interface IcmpPollerOptions {
  pinger: Pinger;
  resolve?: HostResolver;
  /** The vendor the SNMP poller identified, so ICMP samples carry the same tags as SNMP ones. */
  vendorOf?: (deviceName: string) => string | undefined;
  clock?: Clock;
}

/** The ICMP poller: both a single-device Poller and a BatchPoller, so the scheduler can ping everything due at once. */
export type IcmpPoller = Poller & BatchPoller & { readonly backend: Pinger['name'] };

/** How long a host name may take to resolve before the device counts as unresolvable this cycle. */
const RESOLVE_TIMEOUT_MS = 5000;

/** Resolves through the system resolver (getaddrinfo: /etc/hosts, DNS), with a time limit. */
export const systemResolver: HostResolver = async (host, signal) => {
  const timeout = AbortSignal.timeout(RESOLVE_TIMEOUT_MS);
  const both = AbortSignal.any([signal, timeout]);
  const stop = new Promise<never>((_, reject) => {
    both.addEventListener('abort', () => reject(timeout.aborted ? new Error(`no answer within ${RESOLVE_TIMEOUT_MS} ms`) : (signal.reason as Error)), { once: true });
  });
  stop.catch(() => {});
  const r = await Promise.race([lookup(host), stop]);
  return r.address;
};

/** Builds the ICMP poller over a Pinger backend. */
export function createIcmpPoller(opts: IcmpPollerOptions): IcmpPoller {
  const resolve = opts.resolve ?? systemResolver;
  const clock = opts.clock ?? systemClock;

  async function pollMany(devices: readonly Device[], signal: AbortSignal): Promise<Map<string, PollResult>> {
    const time = clock.now();
    const results = new Map<string, PollResult>();
    const pingable = devices.filter((d) => d.icmp !== false);
    for (const d of devices) {
      if (d.icmp === false) results.set(d.name, { samples: [], errors: [{ device: d.name, kind: 'icmp', message: 'ICMP is disabled for this device (icmp: false)' }], reachable: true });
    }

    // Each host name once per cycle, however many devices share it: DNS changes are picked up next cycle.
    const names = [...new Set(pingable.map((d) => d.address).filter((a) => isIP(a) === 0))];
    const resolved = new Map<string, { address?: string; error?: string }>();
    await Promise.all(names.map(async (n) => {
      try {
        resolved.set(n, { address: await resolve(n, signal) });
      } catch (err) {
        if (signal.aborted) throw err;
        resolved.set(n, { error: `cannot resolve host name "${n}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      }
    }));
    const numeric = (d: Device) => (isIP(d.address) !== 0 ? d.address : resolved.get(d.address)?.address);

    // fping takes one count/interval/timeout per process: one run per distinct setting (usually one).
    const groups = new Map<string, { settings: EchoSettings; addresses: Set<string> }>();
    for (const d of pingable) {
      const addr = numeric(d);
      if (!addr || d.icmp === false) continue;
      const key = `${d.icmp.count}/${d.icmp.intervalMs}/${d.icmp.timeoutMs}`;
      const g = groups.get(key) ?? { settings: { count: d.icmp.count, intervalMs: d.icmp.intervalMs, timeoutMs: d.icmp.timeoutMs }, addresses: new Set<string>() };
      g.addresses.add(addr);
      groups.set(key, g);
    }
    const outcomes = new Map<string, Map<string, EchoOutcome>>();
    await Promise.all([...groups].map(async ([key, g]) => {
      outcomes.set(key, await opts.pinger.ping([...g.addresses], g.settings, signal));
    }));

    for (const d of pingable) {
      if (d.icmp === false) continue;
      const addr = numeric(d);
      const outcome: EchoOutcome = addr
        ? outcomes.get(`${d.icmp.count}/${d.icmp.intervalMs}/${d.icmp.timeoutMs}`)?.get(addr) ?? { sent: 0, rtts: [], error: `no result for ${addr}` }
        : { sent: 0, rtts: [], error: resolved.get(d.address)?.error ?? `cannot resolve host name "${d.address}"` };
      const fields = echoFields(outcome);
      const sample: Sample = { measurement: 'icmp', tags: deviceTags(d, opts.vendorOf?.(d.name)), fields, time };
      const errors = outcome.error ? [{ device: d.name, kind: 'icmp', message: `${d.address}: ${outcome.error}` }] : [];
      if (!errors.length && fields.up === false) errors.push({ device: d.name, kind: 'icmp', message: `${d.address}: no echo reply (${outcome.sent} sent)` });
      results.set(d.name, { samples: [sample], errors, reachable: fields.up === true });
    }
    return results;
  }

  return {
    kind: 'icmp',
    backend: opts.pinger.name,
    pollMany,
    async poll(device, signal) {
      const r = await pollMany([device], signal);
      return r.get(device.name)!;
    },
    async close() { /* no sessions: every run is its own process */ },
  };
}
