import type { Redis } from 'ioredis';
import type { Sample } from '../core/sample.js';
import type { MemberBeat } from './device-share.js';
import type { ClusterKeys } from './keys.js';
import { streamLag, type StreamLag } from './stream-consumer.js';

/** One poller as the cluster sees it. */
export interface MemberStatus {
  id: string;
  alive: boolean;
  /** Devices it holds leases for (its last heartbeat; 0 when down). */
  devices: number;
  host?: string;
  pid?: number;
  /** Its last heartbeat (ms since the epoch). */
  lastSeen: number;
}

/** What `noctua cluster status` shows: members per group, stream lag, the leader. */
export interface ClusterStatus {
  leader?: string;
  cores: { id: string; alive: boolean; lastSeen: number }[];
  groups: { group: string; members: MemberStatus[]; stream?: StreamLag }[];
}

/** Reads the cluster's state from Redis. */
export async function readClusterStatus(redis: Redis, keys: ClusterKeys): Promise<ClusterStatus> {
  const leader = (await redis.get(keys.leader())) ?? undefined;
  const coreSeen = await redis.hgetall(keys.cores());
  const coreIds = Object.keys(coreSeen).sort();
  const coreBeats = coreIds.length > 0 ? await redis.mget(...coreIds.map((c) => keys.coreHeartbeat(c))) : [];
  const lags = await streamLag(redis, keys);
  const groups: ClusterStatus['groups'] = [];
  for (const group of (await redis.smembers(keys.groups())).sort()) {
    const seen = await redis.hgetall(keys.members(group));
    const ids = Object.keys(seen).sort();
    const beats = ids.length > 0 ? await redis.mget(...ids.map((m) => keys.heartbeat(group, m))) : [];
    const members = ids.map((id, i): MemberStatus => {
      const raw = beats[i];
      if (!raw) return { id, alive: false, devices: 0, lastSeen: Number(seen[id]) };
      const b = JSON.parse(raw) as MemberBeat;
      return { id, alive: true, devices: b.devices, host: b.host, pid: b.pid, lastSeen: b.at };
    });
    groups.push({ group, members, stream: lags.find((l) => l.group === group) });
  }
  return { leader, cores: coreIds.map((id, i) => ({ id, alive: coreBeats[i] !== null, lastSeen: Number(coreSeen[id]) })), groups };
}

/**
 * `noctua_self` samples of the cluster: one per poller (component `cluster_member`: member_up, devices),
 * one per stream (`cluster_stream`: length, lag, pending) and one for the leader (`cluster_leader`).
 * An alert rule on `member_up` raises one incident per dead poller (docs/SCALE.md).
 */
export function clusterSelfSamples(status: ClusterStatus, instance: string, now: Date): Sample[] {
  const out: Sample[] = [];
  for (const g of status.groups) {
    for (const m of g.members) {
      // Tagged as a device named after the poller, so that an alert rule on member_up gives one incident per dead poller.
      out.push({ measurement: 'noctua_self', tags: { component: 'cluster_member', instance, group: g.group, member: m.id, device: m.id, site: g.group, class: 'other' }, fields: { member_up: m.alive ? 1 : 0, devices: m.devices }, time: now });
    }
    if (g.stream) out.push({ measurement: 'noctua_self', tags: { component: 'cluster_stream', instance, group: g.group }, fields: { stream_length: g.stream.length, stream_lag: g.stream.lag, stream_pending: g.stream.pending, ...(g.stream.engine ? { engine_lag: g.stream.engine.lag, engine_pending: g.stream.engine.pending } : {}) }, time: now });
  }
  out.push({ measurement: 'noctua_self', tags: { component: 'cluster_leader', instance, leader: status.leader ?? 'none' }, fields: { has_leader: status.leader ? 1 : 0, cores_alive: status.cores.filter((c) => c.alive).length }, time: now });
  return out;
}

/** The status as text for operators: one line per member and stream. */
export function formatClusterStatus(s: ClusterStatus, now = Date.now()): string {
  const ago = (ms: number) => `${Math.max(0, Math.round((now - ms) / 1000))}s ago`;
  const lines = [`leader: ${s.leader ?? '(none)'}`];
  for (const c of s.cores) lines.push(`core ${c.id}: ${c.alive ? 'alive' : 'DOWN'} (last heartbeat ${ago(c.lastSeen)})`);
  for (const g of s.groups) {
    const st = g.stream;
    lines.push(`group ${g.group}: ${g.members.filter((m) => m.alive).length}/${g.members.length} pollers alive, ${g.members.reduce((n, m) => n + m.devices, 0)} devices held` +
      (st ? `; stream length ${st.length}, lag ${st.lag}, pending ${st.pending}` : '') +
      (st?.engine ? `; engine lag ${st.engine.lag}, pending ${st.engine.pending}` : ''));
    for (const m of g.members) lines.push(`  poller ${m.id}: ${m.alive ? `alive, ${m.devices} devices (${m.host ?? '?'} pid ${m.pid ?? '?'})` : `DOWN since ${ago(m.lastSeen)}`}`);
  }
  return lines.join('\n');
}
