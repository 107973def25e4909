import type { Sample } from '../core/sample.js';
import type { EventDevice } from './l2-events.js';
import type { StoredLink } from './store.js';

/**
 * The `event` samples of a link's life (docs/SCHEMA.md): `link-lost` when an end stopped reporting it for
 * `topology.lostAfter` inventory cycles, and `link-restored` (which clears `link-lost`, as link-up clears link-down)
 * when it is reported again. Both carry the first end as device and interface and the other end as entity, so an
 * alert rule on link-lost resolves on the same instance when the link comes back.
 */

function linkTags(l: StoredLink, dev: EventDevice | undefined, type: string, severity: string): Record<string, string> {
  return {
    device: l.a.device, site: dev?.site ?? 'default', class: dev?.class ?? 'other', vendor: 'unknown', source: 'topology', type, severity,
    ifName: l.a.port, entity: `${l.b.device} ${l.b.port}`,
  };
}

/** The `link-lost` event of a link missed for `l.missed` inventory cycles. */
export function linkLostEvent(l: StoredLink, dev: EventDevice | undefined, at: Date): Sample {
  return {
    measurement: 'event', time: at, tags: linkTags(l, dev, 'link-lost', 'warning'),
    fields: {
      message: `link ${l.a.device} ${l.a.port} - ${l.b.device} ${l.b.port} not seen for ${l.missed} inventory cycles (last seen ${l.lastSeen.toISOString()})`,
      message_zh: `链路 ${l.a.device} ${l.a.port} - ${l.b.device} ${l.b.port} 已连续 ${l.missed} 个资产周期未见`,
      count: 1n, key: l.id,
    },
  };
}

/** The `link-restored` event of a lost link reported again; it clears `link-lost` on the same instance. */
export function linkRestoredEvent(l: StoredLink, dev: EventDevice | undefined, at: Date): Sample {
  return {
    measurement: 'event', time: at, tags: linkTags(l, dev, 'link-restored', 'info'),
    fields: {
      message: `link ${l.a.device} ${l.a.port} - ${l.b.device} ${l.b.port} is reported again`,
      message_zh: `链路 ${l.a.device} ${l.a.port} - ${l.b.device} ${l.b.port} 已恢复`,
      count: 1n, key: l.id, clears: 'link-lost',
    },
  };
}
