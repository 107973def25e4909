import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Sink } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import { Spool, type SpoolStats } from '../storage/influx/spool.js';
import { batchIdOf, encodeBatch } from './batch-codec.js';

/** Options of {@link createSampleForwarder}. */
export interface SampleForwarderOptions {
  redis: Redis;
  /** The group's stream key. */
  stream: string;
  /** This poller's member id; the first part of every batch id. */
  member: string;
  /** Most entries the stream may hold; beyond it batches wait in the local spool. */
  maxLen: number;
  /** Noctua's state directory: the spool lives in `<stateDir>/cluster-spool/`. */
  stateDir: string;
  spoolMaxBytes: number;
  spoolSegmentBytes: number;
  clock: Clock;
  log: Logger;
}

/** The poller's sink: forwards batches to the group's stream, or to the disk spool while Redis cannot take them. */
export interface SampleForwarder extends Sink {
  /** What waits on disk and what was forwarded. */
  stats(): SpoolStats & { forwardedBatches: number; spooledBatches: number; online: boolean };
  /** Resolves once the spool is empty (or `timeoutMs` passed); true when empty. */
  drained(timeoutMs: number): Promise<boolean>;
}

// Appends only while the stream is below its cap, atomically: the cap never trims entries the core has not
// read, it sends further batches to the pollers' disks instead (docs/SCALE.md, "Stream length").
const XADD_CAPPED = `
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'b', ARGV[2], 'd', ARGV[3])`;

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
/** Records replayed per round before yielding, so a long backlog does not starve the event loop. */
const REPLAY_ROUND = 200;

/**
 * Creates the forwarder. Order is kept like the InfluxDB writer keeps it: once one batch is spooled,
 * every later batch goes behind it until the spool has been replayed, oldest first.
 */
// Long as a whole: a closure over the forwarder's queue and spool state; each returned method is short.
export async function createSampleForwarder(opts: SampleForwarderOptions): Promise<SampleForwarder> {
  const { redis, stream, member, clock, log } = opts;
  const spool = await Spool.open({ dir: join(opts.stateDir, 'cluster-spool'), maxBytes: opts.spoolMaxBytes, segmentBytes: opts.spoolSegmentBytes, log });
  // A new run id per start: sequence numbers restart at 0, ids must not repeat what a previous run spooled.
  const run = randomBytes(4).toString('hex');
  let seq = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let online = spool.isEmpty();
  let forwardedBatches = 0;
  let spooledBatches = 0;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: { cancel(): void } | undefined;
  let replaying: Promise<void> | undefined;
  let closed = false;

  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const p = chain.then(op, op);
    chain = p.catch(() => undefined);
    return p;
  };

  /** 'ok', or 'full' when the stream is at its cap. */
  const xadd = async (batchId: string, payload: string): Promise<'ok' | 'full'> => {
    const r = await redis.eval(XADD_CAPPED, 1, stream, opts.maxLen, batchId, payload);
    return r === null ? 'full' : 'ok';
  };

  const scheduleReplay = (delayMs: number) => {
    if (closed || retryTimer || replaying) return;
    retryTimer = clock.setTimeout(() => { retryTimer = undefined; replaying = replay().finally(() => { replaying = undefined; }); }, delayMs);
  };

  const replay = async (): Promise<void> => {
    for (let i = 0; i < REPLAY_ROUND; i++) {
      const rec = await spool.head();
      if (!rec) { online = true; retryMs = FIRST_RETRY_MS; log.info({ forwardedBatches }, 'cluster spool replayed; forwarding directly again'); return; }
      let outcome: 'ok' | 'full';
      try {
        outcome = await xadd(batchIdOf(rec.payload), rec.payload);
      } catch (err) {
        log.debug({ err }, 'replay to the stream failed; retrying');
        outcome = 'full';
      }
      if (outcome === 'full') {
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        scheduleReplay(retryMs);
        return;
      }
      retryMs = FIRST_RETRY_MS;
      forwardedBatches++;
      await spool.ack(rec);
    }
    scheduleReplay(0);
  };

  const toSpool = async (payload: string, points: number) => {
    await spool.append(payload, points, 'ms');
    spooledBatches++;
    if (online) log.warn({ stream }, 'Redis cannot take samples: spooling them to disk until it can');
    online = false;
    scheduleReplay(retryMs);
  };

  if (!spool.isEmpty()) scheduleReplay(0);

  return {
    name: 'cluster-forwarder',
    write(batch: readonly Sample[]): Promise<void> {
      if (closed) return Promise.reject(new Error('cluster forwarder is closed'));
      if (batch.length === 0) return Promise.resolve();
      const id = `${member}:${run}:${seq++}`;
      const payload = encodeBatch({ id, samples: [...batch] });
      return serial(async () => {
        if (!online || !spool.isEmpty() || redis.status !== 'ready') return toSpool(payload, batch.length);
        try {
          if ((await xadd(id, payload)) === 'ok') { forwardedBatches++; return; }
          log.warn({ stream, maxLen: opts.maxLen }, 'stream at its cap (the core is behind): spooling to disk');
        } catch (err) {
          // A timeout may hide an XADD that did land: the replay adds it again and the core drops the
          // second copy by batch id.
          log.debug({ err }, 'XADD failed');
        }
        return toSpool(payload, batch.length);
      });
    },
    stats() {
      return { ...spool.stats(), forwardedBatches, spooledBatches, online };
    },
    async drained(timeoutMs) {
      // Real time, not the injected clock: this waits on disk and network, not on schedules.
      const end = Date.now() + timeoutMs;
      while (!spool.isEmpty() && Date.now() < end) {
        if (!replaying && !retryTimer) scheduleReplay(0);
        await new Promise((r) => setTimeout(r, 50));
      }
      return spool.isEmpty();
    },
    async close() {
      if (closed) return;
      await chain;
      closed = true;
      retryTimer?.cancel();
      await replaying;
      // What did not reach Redis stays on disk and is replayed at the next start.
      await spool.close();
    },
  };
}
