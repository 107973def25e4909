import type { Device } from '../config/inventory-schema.js';
import type { TopoLink } from './graph.js';
import { deriveParents } from './parents.js';

/** One line of `noctua topology parents`: the parent a device gets, where it comes from, and why. */
export interface ParentExplanation {
  device: string;
  /** `configured`: explicit parent; `derived`: parent: auto; `none`: neither (the derived one is shown for reference). */
  mode: 'configured' | 'derived' | 'none';
  parent?: string;
  reason: string;
}

/** What each device's parent is, given the inventory, the live (not lost) links and the topology root. */
export function explainParents(devices: readonly Device[], links: readonly TopoLink[], root: string | undefined): ParentExplanation[] {
  const derived = deriveParents(devices.map((d) => d.name), links, root);
  return devices.map((d) => {
    const got = derived.get(d.name)!;
    if (d.parent !== undefined) return { device: d.name, mode: 'configured', parent: d.parent, reason: `explicit parent: in devices.yaml (always wins over auto)` };
    if (d.parentAuto) return { device: d.name, mode: 'derived', parent: got.parent, reason: got.reason };
    return { device: d.name, mode: 'none', reason: `no parent (not parent: auto; the topology would give ${got.parent ?? 'none'}: ${got.reason})` };
  });
}
