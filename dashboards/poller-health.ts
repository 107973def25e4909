/** Poller health: is Noctua itself keeping up — cycle times, overruns, failures per device, spool, outbox. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  UNITS, alertAnnotations, anyIsBad, barGaugePanel, finishDashboard, highIsBad, influx, matches, noctuaDashboard,
  siteVariable, statPanel, tablePanel, timeSeriesPanel, type DashboardJson,
} from './common.js';

const SITE = matches('site', 'site');

/** `aggregate(field)` of one Noctua component over time, one series per poll kind when `byKind`. */
function self(aggregate: string, field: string, component: string, byKind: boolean): string {
  const kind = byKind ? ', "kind"' : '';
  return `SELECT ${aggregate}("${field}") FROM "noctua_self" WHERE "component" = '${component}' AND $timeFilter GROUP BY time($__interval)${kind} fill(null)`;
}

/** Latest value of a Noctua component's field, summed over instances. */
function latestSelf(field: string, component: string): string {
  return `SELECT sum("v") FROM (SELECT last("${field}") AS "v" FROM "noctua_self" WHERE "component" = '${component}' AND $timeFilter GROUP BY "instance")`;
}

/** Builds the Poller health dashboard. */
export function buildPollerHealth(): DashboardJson {
  const builder = noctuaDashboard({ uid: 'noctua-poller-health', title: 'Noctua · Poller health', tags: ['poller'], refresh: '30s', from: 'now-6h' })
    .withVariable(siteVariable())
    .annotations(alertAnnotations())
    // Now (h 4).
    .withPanel(statPanel('Devices failing SNMP', UNITS.count, { w: 4, h: 4 })
      .withTarget(influx(`SELECT count("ok") AS "failing" FROM (SELECT last("ok") AS "ok" FROM "snmp_poll" WHERE ${SITE} AND $timeFilter GROUP BY "device") WHERE "ok" = false`).alias('failing'))
      .thresholds(anyIsBad()).noValue('0').textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Overruns', UNITS.count, { w: 4, h: 4 })
      .description('Cycles that did not finish before the next was due, over the range.')
      .withTarget(influx(`SELECT sum("overruns") FROM "noctua_self" WHERE "component" = 'scheduler' AND $timeFilter`).alias('overruns'))
      .thresholds(anyIsBad()).noValue('0').textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Spool', UNITS.bytes, { w: 4, h: 4 })
      .description('Samples kept on disk while InfluxDB could not take them.')
      .withTarget(influx(latestSelf('spool_bytes', 'spool')).alias('spool'))
      .thresholds(highIsBad(1, 512 * 1024 * 1024)).textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Dropped points', UNITS.count, { w: 4, h: 4 })
      .withTarget(influx(`SELECT sum("dropped_points") FROM "noctua_self" WHERE $timeFilter`).alias('dropped'))
      .thresholds(anyIsBad()).noValue('0').textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Outbox pending', UNITS.count, { w: 4, h: 4 })
      .withTarget(influx(latestSelf('outbox_pending', 'outbox')).alias('pending'))
      .thresholds(highIsBad(10, 100)).textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Outbox failed', UNITS.count, { w: 4, h: 4 })
      .withTarget(influx(latestSelf('outbox_failed', 'outbox')).alias('failed'))
      .thresholds(anyIsBad()).textMode(common.BigValueTextMode.Value))
    // Scheduler (h 8).
    .withPanel(timeSeriesPanel('Cycle time', UNITS.milliseconds, { w: 12, h: 8 })
      .withTarget(influx(self('max', 'cycle_ms', 'scheduler', true)).alias('$tag_kind'))
      .thresholds(highIsBad(10_000, 30_000)).min(0))
    .withPanel(timeSeriesPanel('Queue lag', UNITS.milliseconds, { w: 12, h: 8 })
      .description('How late polls start after they were due.')
      .withTarget(influx(self('max', 'queue_lag_ms', 'scheduler', true)).alias('$tag_kind'))
      .thresholds(highIsBad(5_000, 15_000)).min(0))
    .withPanel(timeSeriesPanel('Polls per cycle', UNITS.count, { w: 12, h: 8 })
      .withTarget(influx(self('sum', 'polls_ok', 'scheduler', true)).alias('$tag_kind ok'))
      .withTarget(influx(self('sum', 'polls_failed', 'scheduler', true), 'B').alias('$tag_kind failed'))
      .overrideByRegexp('/ failed$/', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }])
      .min(0))
    .withPanel(timeSeriesPanel('Due, completed and overruns', UNITS.count, { w: 12, h: 8 })
      .withTarget(influx(self('sum', 'due', 'scheduler', true)).alias('$tag_kind due'))
      .withTarget(influx(self('sum', 'completed', 'scheduler', true), 'B').alias('$tag_kind completed'))
      .withTarget(influx(self('sum', 'overruns', 'scheduler', true), 'C').alias('$tag_kind overruns'))
      .overrideByRegexp('/ overruns$/', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }, { id: 'custom.drawStyle', value: 'bars' }])
      .min(0))
    // Per device (h 9).
    .withPanel(tablePanel('SNMP failures by device', { w: 12, h: 9 })
      .description('Failed SNMP polls over the range, by device and reason.')
      .withTarget(influx(`SELECT count("ok") AS "failed", last("error") AS "last_error" FROM "snmp_poll" WHERE "ok" = false AND ${SITE} AND $timeFilter GROUP BY "device", "error_kind"`).table())
      .overrideByName('Time', [{ id: 'custom.hidden', value: true }])
      .overrideByName('failed', [{ id: 'custom.cellOptions', value: { type: 'color-background' } }, { id: 'thresholds', value: anyIsBad().build() }]))
    .withPanel(barGaugePanel('Slowest SNMP polls', UNITS.milliseconds, { w: 12, h: 9 })
      .description('The fifteen devices with the longest SNMP poll of the range.')
      .withTarget(influx(`SELECT top("duration", "device", 15) AS "duration" FROM (SELECT max("duration_ms") AS "duration" FROM "snmp_poll" WHERE ${SITE} AND $timeFilter GROUP BY "device")`).table())
      .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs([]).fields('/^duration$/'))
      .thresholds(highIsBad(5_000, 10_000)).min(0))
    // Storage and notification backlog (h 8).
    .withPanel(timeSeriesPanel('Spool size', UNITS.bytes, { w: 12, h: 8 })
      .withTarget(influx(self('max', 'spool_bytes', 'spool', false)).alias('spool'))
      .withTarget(influx(self('sum', 'dropped_points', 'spool', false), 'B').alias('dropped points'))
      .overrideByName('dropped points', [{ id: 'unit', value: UNITS.count }, { id: 'custom.axisPlacement', value: 'right' }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }])
      .min(0))
    .withPanel(timeSeriesPanel('Outbox backlog', UNITS.count, { w: 12, h: 8 })
      .description('Notices waiting to be sent, and those that gave up.')
      .withTarget(influx(self('max', 'outbox_pending', 'outbox', false)).alias('pending'))
      .withTarget(influx(self('max', 'outbox_failed', 'outbox', false), 'B').alias('failed'))
      .overrideByName('failed', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }])
      .min(0));
  return finishDashboard(builder, 'dashboards/poller-health.ts');
}
