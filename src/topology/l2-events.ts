import type { Sample } from '../core/sample.js';
import type { MacMove } from './l2-store.js';

/** Where an event's device tags come from. */
export interface EventDevice { site: string; class: string }

/**
 * `mac-moved` events (source topology) for the moves of one device's inventory cycle, at most `limit` of them;
 * the rest are summed up in one more event, so a loop or a flapping trunk cannot flood the bus and the chat.
 */
export function macMoveEvents(device: string, dev: EventDevice | undefined, moves: readonly MacMove[], at: Date, limit: number): Sample[] {
  // `entity` is a tag, as on trap events: a rule can match one MAC, and InfluxDB keeps one meaning per key.
  const tags = (ifName: string, entity: string) => ({
    device, site: dev?.site ?? 'default', class: dev?.class ?? 'other', vendor: 'unknown', source: 'topology', type: 'mac-moved', severity: 'info', ifName, entity,
  });
  const out: Sample[] = moves.slice(0, limit).map((m) => {
    const vlan = m.vlan >= 0 ? ` in VLAN ${m.vlan}` : '';
    const vlanZh = m.vlan >= 0 ? `（VLAN ${m.vlan}）` : '';
    return {
      measurement: 'event', time: at, tags: tags(m.to, m.mac),
      fields: {
        message: `MAC ${m.mac}${vlan} moved on ${device} from ${m.from} to ${m.to} (last seen on ${m.from} ${m.lastSeenFrom.toISOString()})`,
        message_zh: `MAC ${m.mac}${vlanZh} 在 ${device} 上从 ${m.from} 移到 ${m.to}`,
        count: 1n, key: `${device}|${m.mac}|${m.vlan}`,
      },
    };
  });
  const rest = moves.length - out.length;
  if (rest > 0) {
    out.push({
      measurement: 'event', time: at, tags: tags('', device),
      fields: {
        message: `${rest} more MACs moved port on ${device} in this inventory cycle (events are limited to ${limit} per cycle: topology.l2.macMoveEvents)`,
        message_zh: `${device} 本资产周期内另有 ${rest} 个 MAC 更换了端口（每周期最多 ${limit} 条事件：topology.l2.macMoveEvents）`,
        count: BigInt(rest), key: `${device}|mac-moves`,
      },
    });
  }
  return out;
}
