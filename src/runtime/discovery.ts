import type { LatestSamples } from '../api/latest-samples.js';
import type { LoadedConfig } from '../config-check/load.js';
import { discoveryProfiles } from '../discovery/index.js';
import { startScheduledDiscovery, type ScheduledDiscovery } from '../discovery/schedule.js';
import type { TopologyService } from '../topology/service.js';
import type { RuntimeServices } from './services.js';

/**
 * Scheduled discovery (docs/DISCOVERY.md) in the process that runs the alert engine: standalone, or the leading core
 * of a cluster (a standby core reaches this only once it leads, a poller never), so a cluster sweeps once per interval.
 * It writes discovered.yaml in this process's config directory and announces new devices on the bus; the API's
 * `POST /api/v1/discovery/run` runs it on demand. Idle without `discovery.interval`.
 */
export function startDiscoveryPart(s: RuntimeServices, cfg: LoadedConfig, current: () => LoadedConfig, latest: LatestSamples, topology: TopologyService): ScheduledDiscovery {
  const discovery = startScheduledDiscovery({
    configDir: cfg.dir, settings: () => current().settings.discovery, devices: () => current().devices, system: (d) => latest.one(d, 'system'),
    unmanaged: () => topology.current().unmanaged, profiles: () => discoveryProfiles(cfg.dir), publish: (x) => s.bus.publish(x),
    log: s.log.child({ component: 'discovery' }), instance: s.instance,
  });
  s.closers.add('discovery', () => discovery.stop());
  return discovery;
}
