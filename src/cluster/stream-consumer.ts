import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import { decodeBatch } from './batch-codec.js';
import { CORE_CONSUMER_GROUP, type ClusterKeys } from './keys.js';

/** Options of {@link StreamConsumer}. */
export interface StreamConsumerOptions {
  /** A connection of its own: XREADGROUP BLOCK holds it while waiting. */
  redis: Redis;
  keys: ClusterKeys;
  /** This core's id, the consumer name in the group. */
  consumer: string;
  readCount: number;
  /** How long a pending entry of another consumer must have been idle before this core claims it. */
  claimIdleMs: number;
  dedupWindowMs: number;
  /**
   * Hands samples to the writer and the alert engine; resolves only once both accepted them
   * (the writer has them in InfluxDB or in its fsync'd spool). A rejection leaves the entries pending.
   */
  deliver(samples: Sample[]): Promise<void>;
  log: Logger;
}

/** How the core is doing with one group's stream. */
export interface StreamLag {
  group: string;
  /** Entries in the stream (read or not; acknowledged ones are trimmed). */
  length: number;
  /** Entries not yet delivered to any core. */
  lag: number;
  /** Delivered but not yet acknowledged. */
  pending: number;
}

type Entry = [id: string, fields: string[]];
type StreamReply = [key: string, entries: Entry[]][] | null;

const BLOCK_MS = 1000;
/** Counting lag by hand stops here (a status read must stay cheap); the figure then means "at least". */
const LAG_COUNT_LIMIT = 100_000;
const ERROR_PAUSE_MS = 1000;

/**
 * Reads every group's stream through the consumer group `core`: first what this consumer had pending
 * (a restart), then entries other consumers left pending longer than `claimIdleMs` (a dead core), then new
 * ones. Each read is delivered as one batch, the batch ids are remembered for the dedup window, and only
 * then are the entries acknowledged and trimmed. A batch id already remembered is acknowledged without
 * being delivered again (a poller that re-sent a batch whose XADD answer it lost).
 */
export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly ensured = new Set<string>();
  private groups: string[] = [];
  private groupsAt = 0;
  private needPending = true;
  private lastClaimAt = 0;
  /** Batches applied and duplicates skipped since start. */
  readonly counts = { batches: 0, samples: 0, duplicates: 0, undecodable: 0 };

  constructor(private readonly opts: StreamConsumerOptions) {}

  /** Starts consuming in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round under way (at most one BLOCK period plus one delivery). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.round();
      } catch (err) {
        const msg = (err as Error).message ?? '';
        if (msg.includes('NOGROUP')) this.ensured.clear();
        this.needPending = true;
        this.opts.log.warn({ err: msg }, 'stream consumer: round failed; retrying');
        await new Promise((r) => setTimeout(r, ERROR_PAUSE_MS));
      }
    }
  }

  private async refreshGroups(): Promise<void> {
    if (Date.now() - this.groupsAt < 1000 && this.groups.length > 0) return;
    const { redis, keys } = this.opts;
    this.groups = (await redis.smembers(keys.groups())).sort();
    this.groupsAt = Date.now();
    for (const g of this.groups) {
      const key = keys.stream(g);
      if (this.ensured.has(key)) continue;
      try {
        await redis.xgroup('CREATE', key, CORE_CONSUMER_GROUP, '0', 'MKSTREAM');
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
      this.ensured.add(key);
    }
  }

  /** One read-deliver-acknowledge round. Public for tests. */
  async round(): Promise<number> {
    const { redis, keys, consumer, readCount } = this.opts;
    await this.refreshGroups();
    if (this.groups.length === 0) { await new Promise((r) => setTimeout(r, BLOCK_MS)); return 0; }
    const streams = this.groups.map((g) => keys.stream(g));
    let got: { stream: string; entries: Entry[] }[] = [];
    if (this.needPending) {
      const r = (await redis.xreadgroup('GROUP', CORE_CONSUMER_GROUP, consumer, 'COUNT', readCount, 'STREAMS', ...streams, ...streams.map(() => '0'))) as StreamReply;
      got = (r ?? []).map(([stream, entries]) => ({ stream, entries: entries.filter((e) => e[1] !== null) }));
      if (got.every((g) => g.entries.length === 0)) this.needPending = false;
    }
    if (got.every((g) => g.entries.length === 0) && Date.now() - this.lastClaimAt >= this.opts.claimIdleMs / 2) {
      this.lastClaimAt = Date.now();
      got = [];
      for (const s of streams) {
        const r = (await redis.xautoclaim(s, CORE_CONSUMER_GROUP, consumer, this.opts.claimIdleMs, '0-0', 'COUNT', readCount)) as [string, Entry[], string[]?];
        const entries = (r[1] ?? []).filter((e) => e !== null && e[1] !== null);
        if (entries.length > 0) {
          this.opts.log.info({ stream: s, entries: entries.length }, 'claimed entries another core left pending');
          got.push({ stream: s, entries });
        }
      }
    }
    if (got.every((g) => g.entries.length === 0)) {
      const r = (await redis.xreadgroup('GROUP', CORE_CONSUMER_GROUP, consumer, 'COUNT', readCount, 'BLOCK', BLOCK_MS, 'STREAMS', ...streams, ...streams.map(() => '>'))) as StreamReply;
      got = (r ?? []).map(([stream, entries]) => ({ stream, entries }));
    }
    const all = got.flatMap((g) => g.entries.map((e) => ({ stream: g.stream, id: e[0], fields: e[1] })));
    if (all.length === 0) return 0;
    await this.apply(all);
    return all.length;
  }

  private async apply(entries: { stream: string; id: string; fields: string[] }[]): Promise<void> {
    const { redis, keys, log } = this.opts;
    const batches: { batchId: string; samples: Sample[] }[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      const payload = e.fields[e.fields.indexOf('d') + 1];
      try {
        const b = decodeBatch(payload ?? '');
        if (seen.has(b.id)) { this.counts.duplicates++; continue; }
        seen.add(b.id);
        batches.push({ batchId: b.id, samples: b.samples });
      } catch (err) {
        // Acknowledged and logged: an entry nobody can read must not block the stream forever.
        this.counts.undecodable++;
        log.error({ err, stream: e.stream, id: e.id }, 'stream entry is not a sample batch; dropped');
      }
    }
    const done = batches.length > 0 ? await redis.mget(...batches.map((b) => keys.processed(b.batchId))) : [];
    const fresh = batches.filter((_, i) => done[i] === null);
    this.counts.duplicates += batches.length - fresh.length;
    const samples = fresh.flatMap((b) => b.samples);
    if (samples.length > 0) await this.opts.deliver(samples);
    const tx = redis.multi();
    for (const b of fresh) tx.set(keys.processed(b.batchId), '1', 'PX', this.opts.dedupWindowMs);
    const byStream = new Map<string, string[]>();
    for (const e of entries) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.id]);
    for (const [s, ids] of byStream) tx.xack(s, CORE_CONSUMER_GROUP, ...ids);
    await tx.exec();
    this.counts.batches += fresh.length;
    this.counts.samples += samples.length;
    for (const s of byStream.keys()) await this.trim(s);
  }

  /** Drops entries every consumer has acknowledged: below the oldest pending one, or all delivered ones. */
  private async trim(stream: string): Promise<void> {
    const { redis } = this.opts;
    const summary = (await redis.xpending(stream, CORE_CONSUMER_GROUP)) as [number, string | null, string | null, unknown];
    let minId: string | undefined;
    if (Number(summary[0]) > 0 && summary[1]) minId = summary[1];
    else {
      const info = (await redis.xinfo('GROUPS', stream)) as unknown[][];
      const g = info.map(toRecord).find((x) => x.name === CORE_CONSUMER_GROUP);
      // Everything up to and including the last delivered entry is done: trim below its successor.
      if (g && typeof g['last-delivered-id'] === 'string') minId = nextStreamId(g['last-delivered-id']);
    }
    if (minId) await redis.xtrim(stream, 'MINID', minId);
  }

  /** Length, lag and pending entries of every group's stream. */
  async lag(): Promise<StreamLag[]> {
    return streamLag(this.opts.redis, this.opts.keys);
  }
}

/** The smallest stream id after `id` ("<ms>-<seq>"). */
function nextStreamId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${(BigInt(seq ?? '0') + 1n).toString()}`;
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** Length, lag and pending entries of every group's stream, read from Redis (for status and self metrics). */
export async function streamLag(redis: Redis, keys: ClusterKeys): Promise<StreamLag[]> {
  const out: StreamLag[] = [];
  for (const group of (await redis.smembers(keys.groups())).sort()) {
    const key = keys.stream(group);
    const length = await redis.xlen(key);
    let lag = length;
    let pending = 0;
    try {
      const info = ((await redis.xinfo('GROUPS', key)) as unknown[][]).map(toRecord).find((x) => x.name === CORE_CONSUMER_GROUP);
      if (info) {
        pending = Number(info.pending ?? 0);
        // Redis 7 reports lag; null when it cannot tell (after deletions), then count what is past the last delivered id.
        if (info.lag !== null && info.lag !== undefined) lag = Number(info.lag);
        else lag = ((await redis.xrange(key, `(${String(info['last-delivered-id'])}`, '+', 'COUNT', LAG_COUNT_LIMIT)) as unknown[]).length;
      }
    } catch { /* no stream or no group yet: everything is lag */ }
    out.push({ group, length, lag, pending });
  }
  return out;
}
