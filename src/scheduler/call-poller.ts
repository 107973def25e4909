import type { Clock } from '../core/clock.js';
import type { BatchPoller, PollResult, Poller } from '../core/poller.js';
import { ABORT_GRACE_MS } from './jobs.js';

/**
 * Calls the poller for one dispatch's devices (one device, or an ICMP batch): resolves with its results, or rejects
 * with the abort's reason once `signal` has aborted and {@link ABORT_GRACE_MS} more have passed. After the abort a
 * poller that honours it returns what it got (the SNMP poller: partial samples and snmp_poll ok=false) within
 * moments; that is worth keeping. One that does not return is abandoned. `settled` runs when the poller's own
 * promise settles, even long after: that is what lets the device be polled again.
 */
export function callPoller(poller: Poller | (Poller & BatchPoller), devices: Parameters<Poller['poll']>[0][], signal: AbortSignal, clock: Clock, settled: () => void): Promise<Map<string, PollResult>> {
  // Async so that a poller throwing before it returns a promise is a failed poll, not a lost slot.
  const pollPromise: Promise<Map<string, PollResult>> = (async () => (devices.length > 1 || 'pollMany' in poller
    ? (poller as BatchPoller).pollMany(devices, signal)
    : new Map([[devices[0]!.name, await poller.poll(devices[0]!, signal)]])))();
  pollPromise.then(settled, settled);
  const aborted = new Promise<never>((_, reject) => {
    const giveUp = () => { clock.setTimeout(() => reject(signal.reason as Error), ABORT_GRACE_MS); };
    if (signal.aborted) giveUp();
    else signal.addEventListener('abort', giveUp, { once: true });
  });
  aborted.catch(() => {});
  return Promise.race([pollPromise, aborted]);
}
