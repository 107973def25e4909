import type { Clock } from '../../core/clock.js';
import { createFpingPinger, fpingInstalled } from './fping.js';
import { createPingPackagePinger } from './ping-package.js';
import { PingerUnavailableError, type Pinger } from './pinger.js';
import { createIcmpPoller, type HostResolver, type IcmpPoller } from './poller.js';

export { createIcmpPoller, type IcmpPoller } from './poller.js';
export type { Pinger, EchoOutcome, EchoSettings } from './pinger.js';

/** `scheduler.icmpBackend`: auto picks fping when it is installed, else one system ping per target. */
export type IcmpBackend = 'auto' | 'fping' | 'ping';

/** Picks the Pinger for a configured backend; throws {@link PingerUnavailableError} when fping is asked for but missing. */
export function choosePinger(backend: IcmpBackend, opts: { parallel?: number; fpingBinary?: string } = {}): Pinger {
  if (backend === 'ping') return createPingPackagePinger({ parallel: opts.parallel });
  const has = fpingInstalled(opts.fpingBinary);
  if (backend === 'fping' && !has) {
    throw new PingerUnavailableError('scheduler.icmpBackend is "fping" but fping is not installed: install it (apt install fping) or set icmpBackend to auto or ping');
  }
  return has ? createFpingPinger({ binary: opts.fpingBinary }) : createPingPackagePinger({ parallel: opts.parallel });
}

/** The ICMP poller for `noctua start`: the configured backend plus the SNMP poller's vendor lookup for tags. */
export function createIcmpPollerFor(opts: { backend: IcmpBackend; parallel?: number; vendorOf?: (device: string) => string | undefined; clock?: Clock; resolve?: HostResolver }): IcmpPoller {
  return createIcmpPoller({ pinger: choosePinger(opts.backend, { parallel: opts.parallel }), vendorOf: opts.vendorOf, clock: opts.clock, resolve: opts.resolve });
}
