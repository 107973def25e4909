import type { TopoLink } from './graph.js';

/** A parent derived from the topology, and why. */
export interface DerivedParent {
  device: string;
  /** Undefined when the device is the root or has no path to it. */
  parent?: string;
  /** The path from the root to the device (root first), empty when unreachable. */
  path: string[];
  /** Why, in English, for `noctua topology parents` and the API. */
  reason: string;
}

/**
 * Derives each device's parent as its neighbour one hop nearer the root: a breadth-first walk over the links
 * from the root, neighbours taken in name order so the result does not depend on the order links were seen.
 */
export function deriveParents(devices: readonly string[], links: readonly TopoLink[], root: string | undefined): Map<string, DerivedParent> {
  const out = new Map<string, DerivedParent>();
  const known = new Set(devices);
  const adjacent = new Map<string, Set<string>>();
  for (const l of links) {
    if (!known.has(l.a.device) || !known.has(l.b.device)) continue;
    if (!adjacent.has(l.a.device)) adjacent.set(l.a.device, new Set());
    if (!adjacent.has(l.b.device)) adjacent.set(l.b.device, new Set());
    adjacent.get(l.a.device)!.add(l.b.device);
    adjacent.get(l.b.device)!.add(l.a.device);
  }
  if (root === undefined || !known.has(root)) {
    for (const d of devices) out.set(d, { device: d, path: [], reason: root === undefined ? "no topology root (set topology.root, or add the poller's default gateway to the inventory)" : `topology root "${root}" is not in the inventory` });
    return out;
  }
  const via = new Map<string, string | undefined>([[root, undefined]]);
  const queue = [root];
  while (queue.length > 0) {
    const cur = queue.shift()!;
    for (const n of [...(adjacent.get(cur) ?? [])].sort()) {
      if (via.has(n)) continue;
      via.set(n, cur);
      queue.push(n);
    }
  }
  for (const d of devices) {
    if (!via.has(d)) { out.set(d, { device: d, path: [], reason: `no link path to the root ${root}` }); continue; }
    const path: string[] = [];
    for (let cur: string | undefined = d; cur !== undefined; cur = via.get(cur)) path.unshift(cur);
    const parent = via.get(d);
    out.set(d, parent === undefined
      ? { device: d, path, reason: 'is the topology root' }
      : { device: d, parent, path, reason: `${parent} is the next hop toward the root: ${path.join(' -> ')}` });
  }
  return out;
}
