import type { MetricsSource } from '../../src/reports/sources/types.js';

/** A metrics source with no data at all: for report parts that do not come from InfluxDB. */
export class EmptyFleet implements MetricsSource {
  async devicesSeen() { return []; }
  async reachability() { return []; }
  async availabilityByDay() { return []; }
  async siteLatency() { return []; }
  async siteLatencyTrend() { return []; }
  async load() { return []; }
  async storage() { return []; }
  async temperatures() { return []; }
  async hardware() { return []; }
  async reboots() { return []; }
  async ups() { return []; }
  async interfaces() { return []; }
  async identity() { return []; }
}
