import type { DeviceClass } from '../../config/inventory-schema.js';
import type { LocateAnswer } from '../../topology/locate.js';
import type { LocateQuery } from '../../topology/locate-query.js';
import type { TopologyService } from '../../topology/service.js';
import type { Awaitable } from './awaitable.js';
import type { DeviceCondition, DeviceDirectory } from './devices.js';

/** One end of a link as the API shows it: device, port name and the port's speed where the device reports it. */
export interface LinkEnd { device: string; port: string; speedBps?: number }

/** The topology as `GET /api/v1/topology` answers it. */
export interface TopologySnapshot {
  nodes: { name: string; site: string; class: DeviceClass; state: DeviceCondition; sysName?: string; parent?: string; parentFrom?: 'configured' | 'derived' }[];
  links: { id: string; a: LinkEnd; b: LinkEnd; protocol: string; matchedBy: string; firstSeen: Date; lastSeen: Date; lost: boolean; missed: number }[];
  unmanaged: { key: string; sysName: string; chassisId: string; mgmtAddress: string; platform: string; seenBy: { device: string; port: string; remotePort: string; protocol: string }[] }[];
}

/** The LLDP/CDP topology with live device state (src/topology, docs/TOPOLOGY.md). */
export interface TopologyView {
  snapshot(): Awaitable<TopologySnapshot>;
  /** Where a MAC, IP address or named host is plugged in; undefined when no layer-2 tables are kept here. */
  locate(query: LocateQuery): Awaitable<LocateAnswer | undefined>;
}

/** The view over the running topology and the device directory (live state, interface speeds from the latest samples). */
export function topologyView(topology: Pick<TopologyService, 'storedLinks' | 'current' | 'parentOf' | 'locate'>, devices: DeviceDirectory, parentOf: (name: string) => string | undefined): TopologyView {
  return {
    locate: (query) => topology.locate(query),
    async snapshot() {
      const list = await devices.list();
      const speedOf = async (device: string, port: string): Promise<number | undefined> => {
        const samples = await devices.latestSamples(device);
        const s = samples.find((x) => x.measurement === 'interface' && x.tags.ifName === port);
        return typeof s?.fields.speed_bps === 'bigint' ? Number(s.fields.speed_bps) : typeof s?.fields.speed_bps === 'number' ? s.fields.speed_bps : undefined;
      };
      const end = async (e: { device: string; port: string }): Promise<LinkEnd> => {
        const speedBps = await speedOf(e.device, e.port);
        return speedBps === undefined ? { ...e } : { ...e, speedBps };
      };
      const links = await Promise.all(topology.storedLinks().map(async (l) => ({
        id: l.id, a: await end(l.a), b: await end(l.b), protocol: l.protocol, matchedBy: l.matchedBy,
        firstSeen: l.firstSeen, lastSeen: l.lastSeen, lost: l.lost, missed: l.missed,
      })));
      const nodes = list.map((d) => {
        const configured = parentOf(d.name);
        const derived = configured === undefined ? topology.parentOf(d.name) : undefined;
        return {
          name: d.name, site: d.site, class: d.class, state: d.state, ...(d.sysName ? { sysName: d.sysName } : {}),
          ...(configured ? { parent: configured, parentFrom: 'configured' as const } : derived ? { parent: derived, parentFrom: 'derived' as const } : {}),
        };
      });
      return { nodes, links, unmanaged: topology.current().unmanaged };
    },
  };
}
