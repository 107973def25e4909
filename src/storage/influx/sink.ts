import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Sink } from '../../core/bus.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { ensurePrivateDir } from '../../core/private-files.js';
import { BUS_ONLY_MEASUREMENTS, type Sample } from '../../core/sample.js';
import { influxTargets, type InfluxSection } from '../../config/sections/influx.js';
import { DeadLetterFile } from './dead-letter.js';
import { BatchBody } from './batch-body.js';
import { LineEncoder, splitLines, type EncodeIssue, type WritePrecision } from './line-protocol.js';
import { isolateRejected, type RejectedLine } from './rejects.js';
import { setUpDatabase } from './setup.js';
import { Spool, type SpoolRecord } from './spool.js';
import type { InfluxReadiness, InfluxSinkStats, InfluxTargetStatus } from './status.js';
import { targetLabel } from './targets.js';
import { createHttpTransport, type InfluxTransport, type WriteOutcome } from './transport.js';

export type { InfluxReadiness, InfluxSinkStats, InfluxTargetStatus } from './status.js';

/** The InfluxDB writer as a bus sink, with its counters, self metrics and health. */
export interface InfluxSink extends Sink {
  stats(): InfluxSinkStats;
  /** `noctua_self` samples for the writer and the spool (docs/SCHEMA.md). */
  selfSamples(now: Date): Sample[];
  /** Asks InfluxDB's ping endpoint now. */
  ping(): Promise<boolean>;
  readiness(): InfluxReadiness;
  /** Each target's state and spool backlog, in configuration order. */
  targetStatus(): InfluxTargetStatus[];
  /** Sends what is pending now instead of at the batch age, and waits until the writer is idle or backing off. */
  flush(): Promise<void>;
}

/** Options of {@link createInfluxSink}; `transport` and `setUp` are seams for tests. */
export interface InfluxSinkOptions {
  settings: InfluxSection;
  /** Noctua's state directory; the spool lives in `<stateDir>/spool/` unless `spoolDir` says otherwise. */
  stateDir: string;
  /** This writer's spool directory, when several writers share the state directory (`influx.targets`). */
  spoolDir?: string;
  log: Logger;
  clock?: Clock;
  transport?: InfluxTransport;
  setUp?: () => Promise<unknown>;
}

/** A batch in memory: its line-protocol body (UTF-8, as sent and as spooled) and how many points it holds. */
interface Batch { body: Buffer; points: number; moved: boolean }

type Item =
  | { source: 'memory'; batch: Batch; body: Uint8Array; lines: () => string[]; points: number; precision: WritePrecision }
  | { source: 'spool'; record: SpoolRecord; body: Uint8Array; lines: () => string[]; points: number; precision: WritePrecision };

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5000;
const MAX_LOGGED_ISSUES = 1000;

/**
 * Starts the InfluxDB writer: opens the spool under `<stateDir>/spool/` (replaying what a previous run
 * left), sets the database up when `manageDatabase` is on, and returns the sink to add to the bus.
 * InfluxDB being down at start is not an error: samples are spooled until it answers.
 */
// Long as a whole: a closure over the writer's queue, spool and retry state; each returned method is short.
export async function createInfluxSink(opts: InfluxSinkOptions): Promise<InfluxSink> {
  const { settings, log } = opts;
  const clock = opts.clock ?? systemClock;
  const transport = opts.transport ?? createHttpTransport(settings);
  const spoolDir = opts.spoolDir ?? join(opts.stateDir, 'spool');
  // The spool lives in the state directory: both owner only (src/core/private-files.ts).
  await ensurePrivateDir(opts.stateDir);
  const spool = await Spool.open({ dir: spoolDir, maxBytes: settings.spool.maxBytes, segmentBytes: settings.spool.segmentBytes, log });
  const deadLetter = new DeadLetterFile(join(spoolDir, 'dead-letter.lp'));
  const setUp = opts.setUp ?? (settings.v2 || !settings.manageDatabase ? undefined : () => setUpDatabase(settings, log));
  if (settings.v2) log.info({ bucket: settings.v2.bucket }, 'influx: writing through the v2 API; retention and downsampling belong to the bucket and its tasks');

  let setUpDone = setUp === undefined;
  let pending = new BatchBody();
  let flushTimer: { cancel(): void } | undefined;
  const queue: Batch[] = [];
  let queuedPoints = 0;
  let down: boolean | undefined; // undefined until the first answer
  let backoffMs = FIRST_BACKOFF_MS;
  let retryTimer: { cancel(): void } | undefined;
  let running: Promise<void> | undefined;
  /** A batch is on its way to InfluxDB (its request sent, its answer not yet read). */
  let onWire = false;
  let stopped = false;
  let closed = false;
  let spoolFailing = false;
  const spoolWrites = new Set<Promise<void>>();
  const loggedIssues = new Set<string>();
  let writtenPoints = 0;
  let deadLettered = 0;
  let lostToSpoolErrors = 0;
  let skippedSamples = 0;
  let droppedFields = 0;
  let lastError: InfluxSinkStats['lastError'];
  let outageStartedAt: number | undefined;

  const onIssue = (issue: EncodeIssue): void => {
    if (issue.kind === 'empty-fields' || issue.kind === 'invalid-time') skippedSamples++;
    else if (issue.kind === 'non-finite-field' || issue.kind === 'integer-out-of-range') droppedFields++;
    const key = `${issue.kind}:${issue.measurement}:${issue.key}`;
    if (loggedIssues.has(key) || loggedIssues.size >= MAX_LOGGED_ISSUES) return;
    loggedIssues.add(key);
    const what: Record<EncodeIssue['kind'], string> = {
      'non-finite-field': 'NaN or Infinity field left out (logged once per measurement and field)',
      'integer-out-of-range': 'integer field beyond 64 bits left out (logged once per measurement and field)',
      'empty-fields': 'sample without any writable field skipped (logged once per measurement)',
      'invalid-time': 'sample with an invalid time skipped (logged once per measurement)',
      'newline-in-name': 'newline in a name or tag value written as a space: line protocol cannot carry it (logged once)',
      'unrepresentable-backslash': 'backslash before , = space or at the end of a name or tag value written as / : InfluxDB 1.x cannot store it (logged once)',
    };
    log.warn({ measurement: issue.measurement, key: issue.key }, `influx: ${what[issue.kind]}`);
  };

  // One encoder for the writer's life: escaped names and tag-key orders are worked out once (bounded).
  const encoder = new LineEncoder(settings.precision, onIssue);

  const remember = (message: string): void => { lastError = { at: clock.now().toISOString(), message }; };

  const toSpool = (body: Buffer, points: number): void => {
    const write = spool.append(body, points, settings.precision).then(
      () => { spoolFailing = false; },
      (err: unknown) => {
        // The disk refused the batch: nothing else can keep it. Counted as lost and said loudly.
        spoolFailing = true;
        lostToSpoolErrors += points;
        remember(`spool write failed: ${String(err)}`);
        log.error({ err, points, dir: spoolDir }, 'influx: SPOOL WRITE FAILED, these points are lost');
      },
    );
    spoolWrites.add(write);
    void write.finally(() => spoolWrites.delete(write));
  };

  /** Memory batches go to disk, oldest first, behind whatever the spool already holds. */
  const moveQueueToSpool = (): void => {
    for (const b of queue) { b.moved = true; toSpool(b.body, b.points); }
    queue.length = 0;
    queuedPoints = 0;
  };

  const enqueue = (body: Buffer, points: number): void => {
    // While the spool holds anything, or InfluxDB is failing, new batches queue up behind it on disk: order is kept.
    if (down === true || !spool.isEmpty()) { toSpool(body, points); return; }
    if (queuedPoints + points > settings.maxQueue) {
      log.warn({ queuedPoints, maxQueue: settings.maxQueue }, 'influx: memory queue full (InfluxDB slower than the pollers), batches go to the disk spool');
      moveQueueToSpool();
      toSpool(body, points);
      return;
    }
    queue.push({ body, points, moved: false });
    queuedPoints += points;
  };

  const cutPending = (): void => {
    flushTimer?.cancel();
    flushTimer = undefined;
    if (pending.points === 0) return;
    const points = pending.points;
    enqueue(pending.finish(), points);
  };

  const failed = (message: string, status?: number): void => {
    remember(message);
    if (down !== true) {
      outageStartedAt = clock.ms();
      log.warn({ target: transport.target, error: message }, 'influx: InfluxDB is not taking writes; spooling to disk until it does');
      // Wrong credentials do not heal by waiting: someone has to act.
      if (status === 401 || status === 403) log.error({ status, error: message }, 'influx: InfluxDB refuses Noctua\'s credentials; check influx.username/password or the v2 token');
    } else {
      log.debug({ error: message, retryInMs: backoffMs }, 'influx: still not taking writes');
    }
    down = true;
    moveQueueToSpool();
    retryTimer?.cancel();
    retryTimer = clock.setTimeout(() => { retryTimer = undefined; kick(); }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  };

  const succeeded = (): void => {
    if (down === true) {
      const s = spool.stats();
      log.info({ outageMs: outageStartedAt === undefined ? undefined : clock.ms() - outageStartedAt, spooledPoints: s.points }, 'influx: InfluxDB takes writes again; replaying the spool in order');
    }
    down = false;
    backoffMs = FIRST_BACKOFF_MS;
  };

  const deadLetterLines = async (rejected: RejectedLine[]): Promise<void> => {
    deadLettered += rejected.length;
    for (const r of rejected.slice(0, 20)) log.error({ line: r.line, reason: r.reason, file: deadLetter.file }, 'influx: InfluxDB refused a point; moved to the dead-letter file');
    if (rejected.length > 20) log.error({ more: rejected.length - 20, file: deadLetter.file }, 'influx: more refused points moved to the dead-letter file');
    const byReason = new Map<string, string[]>();
    for (const r of rejected) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r.line]);
    for (const [reason, lines] of byReason) await deadLetter.add(lines, reason, clock.now());
  };

  const nextItem = async (): Promise<Item | undefined> => {
    if (!spool.isEmpty()) {
      // Appends still on their way to disk must land before the head is read.
      await Promise.all([...spoolWrites]);
      const record = await spool.head();
      if (!record) return undefined;
      return { source: 'spool', record, body: record.bytes, lines: () => splitLines(record.payload), points: record.points, precision: record.precision };
    }
    const batch = queue[0];
    if (!batch) return undefined;
    return { source: 'memory', batch, body: batch.body, lines: () => splitLines(batch.body.toString('utf8')), points: batch.points, precision: settings.precision };
  };

  const done = async (item: Item, written: number): Promise<void> => {
    if (item.source === 'spool') {
      await spool.ack(item.record);
      writtenPoints += written;
    } else if (queue[0] === item.batch) {
      queue.shift();
      queuedPoints -= item.points;
      writtenPoints += written;
    }
    // A memory batch moved to the spool while on the wire is written again from there; InfluxDB keeps one copy.
  };

  const pump = async (): Promise<void> => {
    while (!stopped && retryTimer === undefined) {
      if (!setUpDone) {
        try {
          await setUp!();
          setUpDone = true;
        } catch (err) {
          failed(`database set-up: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
      }
      const item = await nextItem();
      if (!item) return;
      let outcome: WriteOutcome;
      onWire = true;
      try { outcome = await transport.write(item.body, item.precision); } finally { onWire = false; }
      if (outcome.kind === 'ok') {
        succeeded();
        await done(item, item.points);
        continue;
      }
      if (outcome.kind === 'retry') {
        // 404 is "database not found": someone dropped it; set it up again before the next try.
        if (outcome.status === 404 && setUp) setUpDone = false;
        failed(outcome.message, outcome.status);
        return;
      }
      if (item.source === 'memory' && item.batch.moved) continue; // the spooled copy will be isolated instead
      const result = await isolateRejected(item.lines(), outcome, (body) => transport.write(body, item.precision));
      if (result.kind === 'retry') { failed(result.message); return; }
      succeeded();
      remember(`InfluxDB refused ${result.rejected.length} point(s): ${outcome.message}`);
      await deadLetterLines(result.rejected);
      await done(item, item.points - result.rejected.length);
    }
  };

  let kickedWhileRunning = false;
  const kick = (): void => {
    if (stopped) return;
    // Work that arrives while the loop is winding down must not wait for the next batch: run once more.
    if (running) { kickedWhileRunning = true; return; }
    kickedWhileRunning = false;
    running = pump()
      .catch((err: unknown) => { remember(String(err)); log.error({ err }, 'influx: writer loop failed; retrying'); failed(String(err)); })
      .finally(() => {
        running = undefined;
        if (kickedWhileRunning) kick();
      });
  };

  const stats = (): InfluxSinkStats => {
    const s = spool.stats();
    return {
      queuedPoints: queuedPoints + pending.points,
      spoolBytes: s.bytes, spoolSegments: s.segments, spoolPoints: s.points,
      droppedPoints: s.droppedPoints + lostToSpoolErrors,
      writtenPoints, deadLetteredPoints: deadLettered, skippedSamples, droppedFields,
      state: down === undefined ? (spool.isEmpty() ? 'starting' : 'spooling') : down || !spool.isEmpty() ? 'spooling' : 'writing',
      ...(lastError ? { lastError } : {}),
    };
  };

  const reachability = (): InfluxTargetStatus['influx'] => (down === undefined ? 'unknown' : down ? 'unreachable' : 'reachable');
  const label = targetLabel(influxTargets(settings)[0]!);
  const targetStatus = (): InfluxTargetStatus[] => {
    const s = stats();
    return [{
      target: label, influx: reachability(), state: s.state, spoolPoints: s.spoolPoints, spoolBytes: s.spoolBytes,
      queuedPoints: s.queuedPoints, writtenPoints: s.writtenPoints, droppedPoints: s.droppedPoints,
    }];
  };

  // A spool left by a previous run is replayed at once (after set-up).
  kick();

  return {
    name: 'influx',
    async write(batch) {
      if (closed) throw new Error('influx sink is closed');
      for (const sample of batch) {
        if (BUS_ONLY_MEASUREMENTS.has(sample.measurement)) continue;
        const line = encoder.encode(sample);
        if (line === undefined) continue;
        pending.add(line);
        // Full batches go now; a remainder waits for more samples or the batch age.
        if (pending.points >= settings.batchSize) cutPending();
      }
      if (pending.points > 0 && !flushTimer) flushTimer = clock.setTimeout(() => { flushTimer = undefined; cutPending(); kick(); }, settings.flushInterval);
      kick();
      // Batches that went to disk are durable before the bus hears back: the natural back-pressure while spooling.
      if (spoolWrites.size > 0) await Promise.all([...spoolWrites]);
      // While a batch is on the wire, each handover gives the event loop one turn: a burst of handovers (a backlog
      // consumed at once, a large round of polls) would otherwise be encoded to its end before the request's body
      // leaves and InfluxDB's answer is read, and InfluxDB would idle while this process encodes.
      else if (onWire) await new Promise<void>((resolve) => setImmediate(resolve));
    },
    async close() {
      if (closed) return;
      closed = true;
      cutPending();
      // Give InfluxDB the chance to take what is in memory; bounded by the write timeout.
      const deadline = clock.ms() + settings.timeout;
      while (queue.length > 0 && down !== true && clock.ms() < deadline) {
        kick();
        if (!running) break;
        await running;
      }
      stopped = true;
      retryTimer?.cancel();
      if (running) await running;
      moveQueueToSpool();
      await Promise.all([...spoolWrites]);
      await spool.close();
      const s = spool.stats();
      if (s.records > 0) log.info({ points: s.points, dir: spoolDir }, 'influx: closing with points in the spool; the next start replays them');
    },
    stats,
    selfSamples(now): Sample[] {
      const s = stats();
      const base = { instance: hostname() };
      const samples: Sample[] = [
        {
          measurement: 'noctua_self', time: now, tags: { ...base, component: 'writer' },
          fields: {
            queued_points: s.queuedPoints, written_points: s.writtenPoints, dead_letter_points: s.deadLetteredPoints,
            skipped_samples: s.skippedSamples, dropped_fields: s.droppedFields, influx_up: s.state === 'writing',
          },
        },
        {
          measurement: 'noctua_self', time: now, tags: { ...base, component: 'spool' },
          fields: { spool_bytes: s.spoolBytes, spool_segments: s.spoolSegments, spool_points: s.spoolPoints, dropped_points: s.droppedPoints },
        },
      ];
      return samples;
    },
    ping: () => transport.ping(),
    targetStatus,
    readiness() {
      const s = stats();
      const influx = reachability();
      const spooling = s.state === 'spooling';
      const targets = targetStatus();
      if (spoolFailing) return { ready: false, influx, spooling, targets, detail: `InfluxDB ${influx} and the spool cannot write to ${spoolDir}: ${lastError?.message ?? ''}` };
      return { ready: true, influx, spooling, targets, detail: spooling ? `InfluxDB ${influx}; ${s.spoolPoints} points spooled to disk` : `InfluxDB ${influx}` };
    },
    async flush() {
      cutPending();
      kick();
      // Bounded: each round either empties the queue or ends in a back-off.
      for (let i = 0; i < 1000 && running; i++) await running;
      await Promise.all([...spoolWrites]);
    },
  };
}
