import type { DeviceInfo } from '../rules.js';
import type { Muter } from './muter.js';

/** Whether a device is down by a `deviceDown` rule: firing, only pending, or not at all. */
export type DownState = 'firing' | 'pending' | undefined;

/**
 * Dependency suppression: a rule marked `suppressedByParent` is muted while any ancestor (inventory
 * `parent`, followed upwards) is down. The topmost firing ancestor is the root whose incident lists the
 * children, so a dead core router is one incident however many devices sit behind it.
 */
export function parentMuter(device: (name: string) => DeviceInfo | undefined, downState: (device: string) => DownState): Muter {
  return {
    kind: 'parent',
    mutes(alert) {
      if (!alert.rule.spec.suppressedByParent) return undefined;
      let root: string | undefined;
      let pending: string | undefined;
      const seen = new Set<string>([alert.device.name]);
      let cur = alert.device.parent;
      // Bounded by the inventory: the loader rejects cycles, `seen` guards against one anyway.
      while (cur !== undefined && !seen.has(cur)) {
        seen.add(cur);
        const st = downState(cur);
        if (st === 'firing') root = cur;
        else if (st === 'pending' && pending === undefined) pending = cur;
        cur = device(cur)?.parent;
      }
      if (root) return { kind: 'parent', detail: `parent ${root} is down`, root };
      if (pending) return { kind: 'parent', detail: `parent ${pending} may be down (pending)`, root: pending, pendingOnly: true };
      return undefined;
    },
  };
}
