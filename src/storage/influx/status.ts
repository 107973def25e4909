/** What the InfluxDB writer tells about itself: counters, per-target state and readiness. */

/** Counters and state of the writer, for /readyz, the API and self metrics. */
export interface InfluxSinkStats {
  /** Points encoded and waiting in memory (pending batch plus queued batches). */
  queuedPoints: number;
  spoolBytes: number;
  spoolSegments: number;
  spoolPoints: number;
  /** Points lost: spool segments dropped at the cap, or a spool write that failed. */
  droppedPoints: number;
  writtenPoints: number;
  deadLetteredPoints: number;
  /** Samples not written: no writable field left (none given, or all NaN/Infinity/out of range), or an invalid time. */
  skippedSamples: number;
  /** Fields left out of otherwise written samples (NaN, Infinity, integers beyond 64 bits). */
  droppedFields: number;
  /** `writing` while InfluxDB takes writes, `spooling` while it does not. */
  state: 'starting' | 'writing' | 'spooling';
  lastError?: { at: string; message: string };
}

/** One InfluxDB target as its writer sees it, for /readyz and /metrics (one entry without `influx.targets`). */
export interface InfluxTargetStatus {
  /** `host:port database`, without credentials (storage/influx/targets.ts). */
  target: string;
  influx: 'reachable' | 'unreachable' | 'unknown';
  state: InfluxSinkStats['state'];
  /** Backlog: points waiting in this target's disk spool, and in memory. */
  spoolPoints: number;
  spoolBytes: number;
  queuedPoints: number;
  writtenPoints: number;
  droppedPoints: number;
}

/** What /readyz needs: Noctua is ready when InfluxDB is reachable or the spool takes the samples. */
export interface InfluxReadiness {
  ready: boolean;
  influx: 'reachable' | 'unreachable' | 'unknown';
  spooling: boolean;
  detail: string;
  /** Each target's state and backlog, in configuration order. */
  targets?: InfluxTargetStatus[];
}
