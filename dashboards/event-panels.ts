/**
 * Events (SNMP traps, syslog, events found by polls; docs/SCHEMA.md `event`) on dashboards: counts by type
 * over time, the latest events as a table, and the faults as annotations. Storm summaries stand for the
 * events they held back, so counts sum the `count` field rather than counting rows.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, UNITS, influx, matches, tablePanel, timeSeriesPanel } from './common.js';

/** Severity colours of event rows (X.733 words, as the catalogs use them). */
const EVENT_SEVERITY_COLORS = { critical: 'red', major: 'orange', minor: 'yellow', warning: 'yellow', info: 'blue' } as const;

/** `AND "device" =~ /^$var$/` when a device variable narrows the query. */
function deviceCondition(deviceVariable?: string): string {
  return deviceVariable ? ` AND ${matches('device', deviceVariable)}` : '';
}

/** Events per bucket, stacked by type (a flap storm shows as its full count). */
export function eventsByTypePanel(size: { w: number; h: number }, deviceVariable?: string): timeseries.PanelBuilder {
  return timeSeriesPanel('Events by type', UNITS.count, size)
    .description('Trap, syslog and poll events per interval, stacked by type; storm summaries count every event they held back.')
    .withTarget(influx(`SELECT sum("count") FROM "event" WHERE $timeFilter${deviceCondition(deviceVariable)} GROUP BY time($__interval), "type" fill(null)`).alias('$tag_type'))
    .drawStyle(common.GraphDrawStyle.Bars).fillOpacity(80).lineWidth(1)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
    .min(0);
}

/** The newest events, one row each (the device, where it came from, its type and interface or entity, the text). */
export function latestEventsPanel(size: { w: number; h: number }, deviceVariable?: string): table.PanelBuilder {
  return tablePanel('Latest events', size)
    .description('The 100 newest events in the range; count > 1 is a storm summary standing for that many events.')
    .withTarget(influx(
      'SELECT "device", "source", "type", "severity", "ifName", "entity", "message", "count" FROM "event" ' +
      `WHERE $timeFilter${deviceCondition(deviceVariable)} ORDER BY time DESC LIMIT 100`,
    ).table())
    .overrideByName('severity', [
      { id: 'mappings', value: [{ type: 'value', options: Object.fromEntries(Object.entries(EVENT_SEVERITY_COLORS).map(([k, color], index) => [k, { color, index }])) }] },
      { id: 'custom.cellOptions', value: { type: 'color-text' } },
    ]);
}

/**
 * Trap and syslog faults (critical and major) as annotations, titled by their type and tagged with device,
 * type, severity and interface; clearing events and info are left out so the graph marks what went wrong.
 */
export function eventAnnotation(deviceVariable?: string): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name('Device events (traps, syslog)').datasource(DATASOURCE).enable(true).iconColor('yellow')
    .target(influx(
      `SELECT "message", "type", "severity", "device", "ifName" FROM "event" WHERE $timeFilter${deviceCondition(deviceVariable)} ` +
      `AND ("severity" = 'critical' OR "severity" = 'major') AND ("source" = 'trap' OR "source" = 'syslog')`,
      'Events',
    ).table().annotationColumns({ text: 'message', title: 'type', tags: ['device', 'type', 'severity', 'ifName'] }));
}
