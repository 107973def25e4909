import { Gauge, type Registry } from 'prom-client';
import type { InfluxSink, InfluxTargetStatus } from './sink.js';

const GAUGES: readonly { name: string; help: string; value: (t: InfluxTargetStatus) => number }[] = [
  { name: 'noctua_influx_target_up', help: 'Whether the InfluxDB target takes writes now (1) or its writer spools (0).', value: (t) => (t.state === 'writing' ? 1 : 0) },
  { name: 'noctua_influx_spool_points', help: 'Points waiting in the target\'s disk spool (its backlog).', value: (t) => t.spoolPoints },
  { name: 'noctua_influx_spool_bytes', help: 'Bytes of the target\'s disk spool.', value: (t) => t.spoolBytes },
  { name: 'noctua_influx_queued_points', help: 'Points waiting in memory for the target.', value: (t) => t.queuedPoints },
  { name: 'noctua_influx_written_points', help: 'Points the target acknowledged since start.', value: (t) => t.writtenPoints },
  { name: 'noctua_influx_dropped_points', help: 'Points lost for the target since start (spool cap, or a spool write that failed).', value: (t) => t.droppedPoints },
];

/**
 * Adds each InfluxDB target's state and backlog to the Prometheus registry served on /metrics, read from the writer
 * at each scrape (label `target` = `host:port database`). Registering again replaces the gauges (a new writer after
 * a restart of the runtime in the same process).
 */
export function registerInfluxMetrics(registry: Registry, sink: Pick<InfluxSink, 'targetStatus'>): void {
  for (const g of GAUGES) {
    registry.removeSingleMetric(g.name);
    new Gauge({
      name: g.name, help: g.help, labelNames: ['target'], registers: [registry],
      collect() {
        this.reset();
        for (const t of sink.targetStatus()) this.set({ target: t.target }, g.value(t));
      },
    });
  }
}
