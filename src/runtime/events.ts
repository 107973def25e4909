import { join, resolve } from 'node:path';
import { LatestSamples } from '../api/latest-samples.js';
import type { LoadedConfig } from '../config-check/load.js';
import { eventStatsToSamples, startEventReceivers } from '../events/receivers.js';
import { repollOnEvents } from '../events/repoll.js';
import { RepollDebounce } from '../scheduler/repoll.js';
import type { PollScheduler } from '../scheduler/scheduler.js';
import { every, type RuntimeServices } from './services.js';

/**
 * The trap and syslog receivers of one process, when `events.traps` or `events.syslog` is on: events go onto the
 * process's bus (standalone: to the writer and alert engine; a cluster poller: through its group's stream to the
 * core). A linkDown re-polls the device at once, debounced per device, when this process's scheduler polls it;
 * a device polled by another member is left to its regular cycle. `latest` names interfaces of traps that carry
 * only an ifIndex; a process without one (a cluster member) keeps its own from its local polls.
 */
export async function startEventsPart(s: RuntimeServices, cfg: LoadedConfig, current: () => LoadedConfig, scheduler: PollScheduler, latest?: LatestSamples): Promise<void> {
  const ev = cfg.settings.events;
  if (!ev.traps.enabled && !ev.syslog.enabled) return;
  const { log, clock, bus, closers } = s;
  const names = latest ?? new LatestSamples();
  if (!latest) bus.add(names);
  const repoll = new RepollDebounce((name) => scheduler.pollNow(name, 'snmp'), ev.repoll.minGap, clock);
  closers.add('event re-polls', () => repoll.close());
  if (ev.repoll.types.length > 0) bus.add(repollOnEvents(ev.repoll.types, (name) => repoll.request(name)));
  const events = await startEventReceivers({
    config: ev,
    userCatalogDirs: [join(cfg.dir, 'events'), ...ev.catalogDirs.map((d) => resolve(cfg.dir, d))],
    devices: () => current().devices, defaultTimeZone: cfg.settings.timezone, publish: (x) => bus.publish(x), log: log.child({ component: 'events' }),
    interfaceName: (device, ifIndex) => names.interfaceName(device, ifIndex),
  });
  closers.add('event receivers', () => events.stop());
  every(s, 'event self samples', cfg.settings.scheduler.selfInterval, () => {
    void bus.publish(eventStatsToSamples(events.stats(), s.instance, clock.now(), repoll.stats()));
  });
}
