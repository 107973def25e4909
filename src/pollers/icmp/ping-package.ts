import { isIPv6 } from 'node:net';
import ping from 'ping';
import { type EchoOutcome, type EchoSettings, type Pinger } from './pinger.js';

type Probe = typeof ping.promise.probe;

/**
 * The portable backend: one system `ping` per address through the `ping` package, at most
 * `parallel` at a time so a large batch does not fork thousands of processes at once.
 * The package does not expose its child process, so an aborted probe cannot be killed; `-c` with
 * `-W` bounds every child by itself, and an abort only stops waiting for it. No `-w`: with a deadline
 * ping keeps sending to a silent host until it expires, so `sent` would not be `count` as with fping.
 */
export function createPingPackagePinger(opts: { parallel?: number; probe?: Probe } = {}): Pinger {
  const parallel = Math.max(1, opts.parallel ?? 32);
  const probe = opts.probe ?? ping.promise.probe;
  return {
    name: 'ping',
    async ping(addresses, settings, signal) {
      const out = new Map<string, EchoOutcome>();
      const queue = [...addresses];
      const worker = async () => {
        for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
          if (signal.aborted) throw signal.reason as Error;
          out.set(a, await probeOne(probe, a, settings, signal));
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, addresses.length) }, worker));
      return out;
    },
  };
}

async function probeOne(probe: Probe, address: string, s: EchoSettings, signal: AbortSignal): Promise<EchoOutcome> {
  const run = probe(address, {
    min_reply: s.count,
    timeout: s.timeoutMs / 1000,
    v6: isIPv6(address),
    // iputils takes fractional seconds for -i; below 0.2 s it needs root, which fping needs anyway.
    extra: ['-i', String(s.intervalMs / 1000)],
  });
  // One listener per probe on a signal shared by a whole sweep: it must go when the probe ends, or a
  // 1,000-target sweep leaves 1,000 listeners behind (and warns).
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  let r: Awaited<typeof run>;
  try {
    r = await Promise.race([run, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
  const transmitted = /(\d+) packets transmitted/.exec(r.output);
  const sent = transmitted ? Number(transmitted[1]) : 0;
  if (!transmitted) {
    // No statistics line: ping could not send at all (bad address, no route); its last line says why.
    const why = r.output.trim().split('\n').filter(Boolean).pop() ?? 'ping printed nothing';
    return { sent: 0, rtts: [], error: why };
  }
  return { sent, rtts: r.times.filter((t) => Number.isFinite(t)) };
}
