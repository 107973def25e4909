import type { Device } from '../config/inventory-schema.js';
import type { ClusterSection } from '../config/sections/cluster.js';

/** The group of a device: the group listing its site in `cluster.groups`, else "default". */
export function deviceGroup(device: Pick<Device, 'site'>, section: Pick<ClusterSection, 'groups'>): string {
  for (const [group, sites] of Object.entries(section.groups)) if (sites.includes(device.site)) return group;
  return 'default';
}

/** The enabled devices a poller of `section.group` may poll. */
export function devicesOfGroup(devices: readonly Device[], section: Pick<ClusterSection, 'groups' | 'group'>): Device[] {
  return devices.filter((d) => d.enabled && deviceGroup(d, section) === section.group);
}
