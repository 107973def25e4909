import type { AlertEngine } from '../alerting/engine.js';
import type { EscalationService } from '../alerting/escalation/index.js';
import type { ApiServer } from '../api/server.js';
import type { LoadedConfig } from '../config-check/load.js';
import type { SampleBus, Sink } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/database.js';
import type { ReportScheduler } from '../reports/schedule.js';
import type { DeviceStateRegistry } from '../scheduler/device-state.js';
import type { DeviceSetChange, SchedulerPollers } from '../scheduler/options.js';
import type { PollScheduler } from '../scheduler/scheduler.js';
import type { SelfMetrics } from '../scheduler/self-metrics.js';
import type { Ticker } from '../scheduler/ticker.js';
import type { InfluxSink } from '../storage/index.js';

/** What tests and embedders may replace when starting Noctua. */
export interface StartOptions {
  /** Sinks added to those the configuration builds (tests use an in-memory sink). */
  sinks?: Sink[];
  /** Pollers to use instead of the real ones (tests). */
  pollers?: SchedulerPollers;
  clock?: Clock;
  ticker?: Ticker;
  /** Leave out the InfluxDB writer (tests that only look at samples). */
  noStorage?: boolean;
  /** Leave out the HTTP API even when `api.enabled` (tests that only look at samples). */
  noApi?: boolean;
  /**
   * Cluster core: called once when another core took the leader lease. By default the runtime stops itself;
   * `noctua start` exits the process at once with code 3 instead (docs/SCALE.md).
   */
  onLeadershipLost?: () => void;
  /**
   * Cluster core: aborting this ends a standby's wait for the leader lease; `startNoctua` then stops what it
   * started and rejects with {@link StandbyStoppedError}. Without it a standby waits as long as the leader lives.
   */
  standbySignal?: AbortSignal;
}

/** A running Noctua: whatever parts the configuration enables, wired together. */
export interface NoctuaRuntime {
  /** Every batch of samples passes through here to the sinks. */
  readonly bus: SampleBus;
  /** Up/down/unreachable state of every device this process shows (on a core: as the pollers report them). */
  readonly devices: DeviceStateRegistry;
  /** Self-monitoring; `metrics.registry` is the prom-client Registry for /metrics. */
  readonly metrics: SelfMetrics;
  readonly scheduler: PollScheduler;
  /** The InfluxDB writer with its spool (absent with `noStorage` and on a pure cluster poller). */
  readonly storage?: InfluxSink;
  /** The alert engine (with no rules when there is no alerts.yaml); absent on a pure cluster poller. */
  readonly alerts?: AlertEngine;
  /** Escalation and notices (absent without notify.yaml). */
  readonly escalation?: EscalationService;
  /** The state database shared by alerts, escalation and the outbox; a pure cluster poller opens none. */
  readonly db?: Db;
  /** The HTTP API and wall, when enabled. */
  readonly api?: ApiServer;
  /** The weekly and monthly report schedules. */
  readonly reports?: ReportScheduler;
  /** Applies a reloaded configuration: the inventory, the rules and the scheduler limits; other settings need a restart (and say so). */
  reload(cfg: LoadedConfig): DeviceSetChange;
  /**
   * Stops every part in the reverse order of start: drains in-flight polls (up to `scheduler.drainTimeout`),
   * flushes and closes sinks and pollers. Never rejects; logs which parts failed or hung ("noctua stopped").
   */
  stop(): Promise<void>;
}

/** A standby core was told to stop before it took the leader lease: nothing was left running. */
export class StandbyStoppedError extends Error {
  constructor() {
    super('standby core stopped before it took the leader lease');
    this.name = 'StandbyStoppedError';
  }
}
