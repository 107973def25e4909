import type { Awaitable } from './awaitable.js';

/** What /readyz reports about the parts the API depends on. */
export interface Readiness {
  configLoaded: boolean;
  /** 'spooling' counts as ready: samples are kept on disk until InfluxDB is back. */
  influx: 'reachable' | 'spooling' | 'down';
  /** Each InfluxDB target in configuration order (`influx.targets`), by position: /readyz may be public, so no address. */
  influxTargets?: { state: 'starting' | 'writing' | 'spooling'; spoolPoints: number }[];
  schedulerRunning: boolean;
  /** End of the scheduler's last completed cycle; the wall turns stale when this gets old. */
  lastCycleAt?: Date;
}

/** The runtime's health summary. */
export interface HealthProbe {
  readiness(): Awaitable<Readiness>;
}
