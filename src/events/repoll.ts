import type { Sink } from '../core/bus.js';
import type { Sample } from '../core/sample.js';
import { UNKNOWN_SOURCE } from './event.js';

/**
 * A bus sink that asks for an immediate SNMP re-poll of the device an event concerns when its type is one of
 * `types` (default link-down and link-up): the interface samples, and rules such as uplink-down, then react within
 * seconds instead of at the next cycle. Debouncing is the caller's (`request`, e.g. RepollDebounce.request).
 */
export function repollOnEvents(types: readonly string[], request: (device: string) => void): Sink {
  const wanted = new Set(types);
  return {
    name: 'event-repoll',
    async write(batch: readonly Sample[]) {
      for (const s of batch) {
        if (s.measurement !== 'event' || !wanted.has(s.tags.type ?? '')) continue;
        const device = s.tags.device;
        // Only traps and syslog: the poller's own reboot events must not poll again.
        if (!device || device === UNKNOWN_SOURCE || (s.tags.source !== 'trap' && s.tags.source !== 'syslog')) continue;
        request(device);
      }
    },
    async close() {},
  };
}
