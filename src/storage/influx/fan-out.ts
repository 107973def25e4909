import { influxTargets, sectionForTarget, type InfluxTarget } from '../../config/sections/influx.js';
import type { Sample } from '../../core/sample.js';
import { createInfluxSink, type InfluxReadiness, type InfluxSink, type InfluxSinkOptions, type InfluxSinkStats, type InfluxTargetStatus } from './sink.js';
import { handOverSingleSpool } from './spool-handover.js';
import { targetLabel, targetSpoolDir } from './targets.js';

/**
 * Opens Noctua's InfluxDB storage: the single writer of `influx.url` (spool in `<stateDir>/spool/`, unchanged), or with
 * `influx.targets` one writer per target, each with its own spool and replay, behind one sink that hands every
 * batch to all of them (the influxdb-relay pattern). A target that is down spools on its own; the others keep writing.
 */
export async function createStorageSink(opts: InfluxSinkOptions): Promise<InfluxSink> {
  const targets = influxTargets(opts.settings);
  if (targets.length === 1) return createInfluxSink(opts);
  // What a single-InfluxDB run left in `<stateDir>/spool/` is owed to every target now.
  await handOverSingleSpool(opts.stateDir, targets.map((t) => targetSpoolDir(opts.stateDir, t)), opts.settings.spool, opts.log);
  const writers: { target: InfluxTarget; label: string; sink: InfluxSink }[] = [];
  try {
    for (const target of targets) {
      const label = targetLabel(target);
      const sink = await createInfluxSink({
        ...opts, settings: sectionForTarget(opts.settings, target), spoolDir: targetSpoolDir(opts.stateDir, target),
        log: opts.log.child({ influxTarget: label }),
      });
      writers.push({ target, label, sink });
    }
  } catch (err) {
    await Promise.allSettled(writers.map((w) => w.sink.close()));
    throw err;
  }
  opts.log.info({ targets: writers.map((w) => w.label) }, 'influx: writing every point to each target, each with its own spool');
  return fanOut(writers);
}

function sumOf(list: readonly InfluxSinkStats[], key: 'queuedPoints' | 'spoolBytes' | 'spoolSegments' | 'spoolPoints' | 'droppedPoints' | 'writtenPoints' | 'deadLetteredPoints'): number {
  let n = 0;
  for (const s of list) n += s[key];
  return n;
}

/** One sink over several target writers: every batch to each; counts summed, the state the worst of them. */
function fanOut(writers: readonly { label: string; sink: InfluxSink }[]): InfluxSink {
  const all = <T>(f: (s: InfluxSink) => Promise<T>): Promise<T[]> => Promise.all(writers.map((w) => f(w.sink)));
  const targetStatus = (): InfluxTargetStatus[] => writers.flatMap((w) => w.sink.targetStatus());
  return {
    name: 'influx',
    // Resolves once each target holds the batch in memory or in its fsync'd spool; flush() waits for InfluxDB or the spool.
    async write(batch) { await all((s) => s.write(batch)); },
    async close() {
      const results = await Promise.allSettled(writers.map((w) => w.sink.close()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async flush() { await all((s) => s.flush()); },
    async ping() { return (await all((s) => s.ping())).every(Boolean); },
    stats() {
      const list = writers.map((w) => w.sink.stats());
      const errors = list.flatMap((s) => (s.lastError ? [s.lastError] : [])).sort((a, b) => (a.at < b.at ? 1 : -1));
      return {
        queuedPoints: sumOf(list, 'queuedPoints'), spoolBytes: sumOf(list, 'spoolBytes'), spoolSegments: sumOf(list, 'spoolSegments'),
        spoolPoints: sumOf(list, 'spoolPoints'), droppedPoints: sumOf(list, 'droppedPoints'), writtenPoints: sumOf(list, 'writtenPoints'),
        deadLetteredPoints: sumOf(list, 'deadLetteredPoints'),
        // Every writer encodes the same samples: the first one's encoder counts are the fleet's.
        skippedSamples: list[0]!.skippedSamples, droppedFields: list[0]!.droppedFields,
        state: list.some((s) => s.state === 'spooling') ? 'spooling' : list.some((s) => s.state === 'starting') ? 'starting' : 'writing',
        ...(errors[0] ? { lastError: errors[0] } : {}),
      };
    },
    selfSamples(now): Sample[] {
      // Each target's writer and spool samples, told apart by a `target` tag (docs/SCHEMA.md).
      return writers.flatMap((w) => w.sink.selfSamples(now).map((s) => ({ ...s, tags: { ...s.tags, target: w.label } })));
    },
    targetStatus,
    readiness(): InfluxReadiness {
      const each = writers.map((w) => ({ label: w.label, r: w.sink.readiness() }));
      const influx = each.every((e) => e.r.influx === 'reachable') ? 'reachable' : each.some((e) => e.r.influx === 'unreachable') ? 'unreachable' : 'unknown';
      return {
        ready: each.every((e) => e.r.ready), influx, spooling: each.some((e) => e.r.spooling), targets: targetStatus(),
        detail: each.map((e) => `${e.label}: ${e.r.detail}`).join('; '),
      };
    },
  };
}
