import type { Redis } from 'ioredis';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import { decodeBatch } from './batch-codec.js';
import { CORE_CONSUMER_GROUP, ENGINE_CONSUMER_GROUP, type ClusterKeys } from './keys.js';

/** Options of {@link StreamConsumer}. */
export interface StreamConsumerOptions {
  /** A connection of its own: XREADGROUP BLOCK holds it while waiting. */
  redis: Redis;
  keys: ClusterKeys;
  /** This core's id, the consumer name in the group. */
  consumer: string;
  /** The consumer group read (default `core`). */
  group?: string;
  /** Every consumer group on the streams (default: only `group`): all are created together, and entries are trimmed only once each has acknowledged them. */
  groups?: readonly string[];
  /**
   * `sole` (default): the only live reader of its group (it holds the leader lease): at start it claims every
   * pending entry, applies in stream order and skips re-sent batches by each poller run's high-water mark.
   * `shared`: one of several live readers (split consume): it claims only entries idle past `claimIdleMs`
   * (their reader presumed dead) and keeps no marks — with several readers entries of one run are applied out
   * of order, and a re-sent batch written twice is the same InfluxDB point.
   */
  mode?: 'sole' | 'shared';
  readCount: number;
  /** How long a pending entry of another consumer must have been idle before this core claims it (`sole`: after the claim-all at start). */
  claimIdleMs: number;
  /** How long the applied high-water mark of a poller run is kept after its last batch. */
  dedupWindowMs: number;
  /** After a read that was not full, wait this long and read once more, so one delivery (one writer flush) carries more polls. */
  lingerMs: number;
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
  /** `consume: split`: the same two figures for the leader's engine group (absent when the stream has none). */
  engine?: { lag: number; pending: number };
}

type Entry = [id: string, fields: string[]];
type StreamReply = [key: string, entries: Entry[]][] | null;

const BLOCK_MS = 1000;
/** Counting lag by hand stops here (a status read must stay cheap); the figure then means "at least". */
const LAG_COUNT_LIMIT = 100_000;
const ERROR_PAUSE_MS = 1000;
/** Batches decoded between two yields to the event loop. */
const DECODE_SLICE = 25;

/**
 * Reads every group's stream through a consumer group (`core` unless told otherwise), in stream order. When a
 * `sole` reader starts (this core just took the leader lease, so any other consumer is dead or fenced) it first
 * claims every pending entry, then reads its own pending entries from the start, then new ones. A `shared`
 * reader (split consume) reads its own pending entries, then new ones, and claims a peer's only once they sat
 * idle past the bound. Each read is delivered as one batch; only then are the entries acknowledged and trimmed
 * (below what every group on the stream has acknowledged).
 *
 * Idempotence: batch ids are `<member>:<run>:<seq>` and a poller sends each run's batches in sequence
 * (its spool replays oldest first and new batches queue behind it). A copy arrives only when a poller
 * re-sends a batch whose XADD did land but whose answer was lost, and then after the original. So the core
 * keeps, per poller run, the highest sequence it applied (one small key, updated with the XACK in one
 * transaction) and skips anything at or below it: memory grows with the number of poller runs, not batches.
 */
export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly ensured = new Set<string>();
  private groups: string[] = [];
  private groupsAt = 0;
  private needPending = true;
  private claimedAll = false;
  private lastClaimAt = 0;
  private readonly group: string;
  private readonly groupsOnStream: readonly string[];
  private readonly shared: boolean;
  /** Batches applied, duplicates skipped and entries taken over from another consumer since start. */
  readonly counts = { batches: 0, samples: 0, duplicates: 0, undecodable: 0, claimed: 0 };

  constructor(private readonly opts: StreamConsumerOptions) {
    this.group = opts.group ?? CORE_CONSUMER_GROUP;
    this.groupsOnStream = opts.groups ?? [this.group];
    this.shared = opts.mode === 'shared';
    // A shared reader starts with nothing to claim at once: live peers hold their entries.
    this.claimedAll = this.shared;
  }

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
      // Every group at once, from the stream's start: no group may trim entries another has not read yet.
      for (const group of this.groupsOnStream) {
        try {
          await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
        } catch (err) {
          if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
        }
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
    if (!this.claimedAll) {
      // Everything pending becomes ours before anything is read, so entries are applied in stream order.
      for (const s of streams) {
        let cursor = '0-0';
        let moved = 0;
        for (let i = 0; i < 10_000; i++) {
          const r = (await redis.xautoclaim(s, this.group, consumer, 0, cursor, 'COUNT', 1000, 'JUSTID')) as [string, string[]];
          moved += r[1].length;
          cursor = r[0];
          if (cursor === '0-0') break;
        }
        if (moved > 0) this.opts.log.info({ stream: s, entries: moved }, 'took over the entries a previous core left pending');
      }
      this.claimedAll = true;
      this.needPending = true;
      this.lastClaimAt = Date.now();
    }
    if (this.needPending) {
      const r = (await redis.xreadgroup('GROUP', this.group, consumer, 'COUNT', readCount, 'STREAMS', ...streams, ...streams.map(() => '0'))) as StreamReply;
      got = (r ?? []).map(([stream, entries]) => ({ stream, entries: entries.filter((e) => e[1] !== null) }));
      if (got.every((g) => g.entries.length === 0)) this.needPending = false;
    }
    // sole: only a fenced leader that came back can leave entries pending now. shared: a dead peer's entries.
    // Either way they are picked up once idle past the bound, so a live reader's entries are left to it.
    if (got.every((g) => g.entries.length === 0) && Date.now() - this.lastClaimAt >= this.opts.claimIdleMs / 2) got = await this.claimIdle(streams);
    if (got.every((g) => g.entries.length === 0)) {
      const r = (await redis.xreadgroup('GROUP', this.group, consumer, 'COUNT', readCount, 'BLOCK', BLOCK_MS, 'STREAMS', ...streams, ...streams.map(() => '>'))) as StreamReply;
      got = (r ?? []).map(([stream, entries]) => ({ stream, entries }));
      const n = got.reduce((k, g) => k + g.entries.length, 0);
      if (n > 0 && n < readCount && this.opts.lingerMs > 0) {
        // BLOCK returns with the first entry; each delivery ends in a writer flush (an InfluxDB request), so
        // gather what arrives in the next moment into the same delivery instead of flushing per poll.
        await new Promise((res) => setTimeout(res, this.opts.lingerMs));
        const more = (await redis.xreadgroup('GROUP', this.group, consumer, 'COUNT', readCount - n, 'STREAMS', ...streams, ...streams.map(() => '>'))) as StreamReply;
        for (const [stream, entries] of more ?? []) {
          const g = got.find((x) => x.stream === stream);
          if (g) g.entries.push(...entries); else got.push({ stream, entries });
        }
      }
    }
    const all = got.flatMap((g) => g.entries.map((e) => ({ stream: g.stream, id: e[0], fields: e[1] })));
    if (all.length === 0) return 0;
    await this.apply(all);
    return all.length;
  }

  /** Takes over entries pending for longer than `claimIdleMs` with another consumer. */
  private async claimIdle(streams: string[]): Promise<{ stream: string; entries: Entry[] }[]> {
    const { redis, consumer, readCount } = this.opts;
    this.lastClaimAt = Date.now();
    const got: { stream: string; entries: Entry[] }[] = [];
    for (const s of streams) {
      const r = (await redis.xautoclaim(s, this.group, consumer, this.opts.claimIdleMs, '0-0', 'COUNT', readCount)) as [string, Entry[], string[]?];
      const entries = (r[1] ?? []).filter((e) => e !== null && e[1] !== null);
      if (entries.length === 0) continue;
      this.counts.claimed += entries.length;
      this.opts.log.warn({ stream: s, group: this.group, entries: entries.length }, 'claimed entries another core left pending');
      got.push({ stream: s, entries });
      // A full claim may have left more behind: look again next round rather than in claimIdle / 2.
      if (entries.length >= readCount) this.lastClaimAt = 0;
    }
    return got;
  }

  private async apply(entries: { stream: string; id: string; fields: string[] }[]): Promise<void> {
    const { redis, keys, log } = this.opts;
    const decoded: { run: string; seq: number; samples: Sample[] }[] = [];
    for (const [i, e] of entries.entries()) {
      // Decoding a full read (500 batches, ~0.5 ms each) holds the event loop for a quarter second, seconds on a
      // loaded machine: yield now and then so the replies other readers in this process wait for (split consume:
      // the writer and the engine group; the lease) are taken before their command timeout fires.
      if (i > 0 && i % DECODE_SLICE === 0) await new Promise((r) => setImmediate(r));
      const payload = e.fields[e.fields.indexOf('d') + 1];
      try {
        const b = decodeBatch(payload ?? '');
        const cut = b.id.lastIndexOf(':');
        const seq = Number(b.id.slice(cut + 1));
        if (cut <= 0 || !Number.isSafeInteger(seq)) throw new Error(`batch id ${JSON.stringify(b.id)} is not <member>:<run>:<seq>`);
        decoded.push({ run: b.id.slice(0, cut), seq, samples: b.samples });
      } catch (err) {
        // Acknowledged and logged: an entry nobody can read must not block the stream forever.
        this.counts.undecodable++;
        log.error({ err, stream: e.stream, id: e.id }, 'stream entry is not a sample batch; dropped');
      }
    }
    // shared: no marks (see `mode`); the empty run list skips reading and writing them.
    const runs = this.shared ? [] : [...new Set(decoded.map((d) => d.run))];
    const marks = runs.length > 0 ? await redis.mget(...runs.map((r) => keys.applied(r))) : [];
    const high = new Map(runs.map((r, i) => [r, marks[i] === null || marks[i] === undefined ? -1 : Number(marks[i])]));
    const samples: Sample[] = [];
    let fresh = 0;
    for (const d of decoded) {
      if (!this.shared && d.seq <= high.get(d.run)!) { this.counts.duplicates++; continue; }
      high.set(d.run, d.seq);
      samples.push(...d.samples);
      fresh++;
    }
    if (samples.length > 0) await this.opts.deliver(samples);
    const tx = redis.multi();
    for (const r of runs) tx.set(keys.applied(r), String(high.get(r)), 'PX', this.opts.dedupWindowMs);
    const byStream = new Map<string, string[]>();
    for (const e of entries) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.id]);
    for (const [s, ids] of byStream) tx.xack(s, this.group, ...ids);
    await tx.exec();
    this.counts.batches += fresh;
    this.counts.samples += samples.length;
    for (const s of byStream.keys()) await this.trim(s);
  }

  /** Drops entries every group has acknowledged: below each group's oldest pending one, or all it delivered. */
  private async trim(stream: string): Promise<void> {
    const { redis } = this.opts;
    const info = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map(toRecord);
    let minId: string | undefined;
    for (const name of this.groupsOnStream) {
      const g = info.find((x) => x.name === name);
      // A group not there (yet, or deleted by hand) has read nothing: trim nothing it may still read.
      if (!g || typeof g['last-delivered-id'] !== 'string') return;
      // Everything up to and including the last delivered entry is done, unless older ones are still pending.
      let bound = nextStreamId(g['last-delivered-id']);
      if (Number(g.pending ?? 0) > 0) {
        const summary = (await redis.xpending(stream, name)) as [number, string | null, string | null, unknown];
        if (summary[1]) bound = summary[1];
      }
      if (minId === undefined || compareStreamIds(bound, minId) < 0) minId = bound;
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

/** Orders two stream ids ("<ms>-<seq>") numerically. */
function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map((x) => BigInt(x || '0'));
  const [bm, bs] = b.split('-').map((x) => BigInt(x || '0'));
  if (am !== bm) return am! < bm! ? -1 : 1;
  return as === bs ? 0 : as! < bs! ? -1 : 1;
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
    let core = { lag: length, pending: 0 };
    let engine: StreamLag['engine'];
    try {
      const groups = ((await redis.xinfo('GROUPS', key)) as unknown[][]).map(toRecord);
      const of = async (info: Record<string, unknown> | undefined) => {
        if (!info) return undefined;
        // Redis 7 reports lag; null when it cannot tell (after deletions), then count what is past the last delivered id.
        const lag = info.lag !== null && info.lag !== undefined ? Number(info.lag)
          : ((await redis.xrange(key, `(${String(info['last-delivered-id'])}`, '+', 'COUNT', LAG_COUNT_LIMIT)) as unknown[]).length;
        return { lag, pending: Number(info.pending ?? 0) };
      };
      core = (await of(groups.find((x) => x.name === CORE_CONSUMER_GROUP))) ?? core;
      engine = await of(groups.find((x) => x.name === ENGINE_CONSUMER_GROUP));
    } catch { /* no stream or no group yet: everything is lag */ }
    out.push({ group, length, ...core, ...(engine ? { engine } : {}) });
  }
  return out;
}
