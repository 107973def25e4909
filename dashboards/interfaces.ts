/** Interfaces: bits/s, utilisation, packets, errors, discards and status of chosen interfaces of one device. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  UNITS, UP_DOWN, alertAnnotations, booleanMapping, deviceVariable, finishDashboard, highIsBad, influx, interfaceVariable, matches,
  noctuaDashboard, siteVariable, stateTimelinePanel, tablePanel, timeSeriesPanel, type DashboardJson,
} from './common.js';

const SELECTED = `${matches('device', 'device')} AND ${matches('ifName', 'interface')}`;

/** `mean(field)` of the selected interfaces, one series per interface. */
function perInterface(field: string): string {
  return `SELECT mean("${field}") FROM "interface" WHERE ${SELECTED} AND $timeFilter GROUP BY time($__interval), "ifName" fill(null)`;
}

/** A time series of an in/out field pair, out drawn below the axis as network graphs traditionally are. */
function inOut(title: string, unit: string, inField: string, outField: string, size: { w: number; h: number }) {
  return timeSeriesPanel(title, unit, size)
    .withTarget(influx(perInterface(inField)).alias('$tag_ifName in'))
    .withTarget(influx(perInterface(outField), 'B').alias('$tag_ifName out'))
    .overrideByRegexp('/ out$/', [{ id: 'custom.transform', value: common.GraphTransform.NegativeY }]);
}

/** Builds the Interfaces dashboard. */
export function buildInterfaces(): DashboardJson {
  const builder = noctuaDashboard({ uid: 'noctua-interfaces', title: 'Noctua · Interfaces', tags: ['interfaces'], refresh: '1m', from: 'now-6h' })
    .withVariable(siteVariable())
    .withVariable(deviceVariable({ measurement: 'interface' }))
    .withVariable(interfaceVariable())
    .annotations(alertAnnotations({ deviceVariable: 'device' }))
    .withPanel(inOut('Traffic', UNITS.bitsPerSecond, 'in_bps', 'out_bps', { w: 24, h: 9 }))
    .withPanel(inOut('Utilisation', UNITS.percent, 'in_util_pct', 'out_util_pct', { w: 12, h: 8 })
      .thresholds(highIsBad(70, 90)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .min(-100).max(100))
    .withPanel(inOut('Packets', UNITS.packetsPerSecond, 'in_pps', 'out_pps', { w: 12, h: 8 }))
    .withPanel(inOut('Errors', UNITS.countsPerSecond, 'in_errors_ps', 'out_errors_ps', { w: 12, h: 8 })
      .thresholds(highIsBad(0.01, 1)))
    .withPanel(inOut('Discards', UNITS.countsPerSecond, 'in_discards_ps', 'out_discards_ps', { w: 12, h: 8 })
      .thresholds(highIsBad(0.01, 1)))
    .withPanel(stateTimelinePanel('Operational status', { w: 12, h: 8 })
      .withTarget(influx(`SELECT last("oper_up") FROM "interface" WHERE ${SELECTED} AND $timeFilter GROUP BY time($__interval), "ifName" fill(null)`).alias('$tag_ifName'))
      .mappings(UP_DOWN))
    .withPanel(stateTimelinePanel('Administrative status', { w: 12, h: 8 })
      .withTarget(influx(`SELECT last("admin_up") FROM "interface" WHERE ${SELECTED} AND $timeFilter GROUP BY time($__interval), "ifName" fill(null)`).alias('$tag_ifName'))
      // Admin down is a decision, not a fault: grey, not red.
      .mappings(booleanMapping({ text: 'ENABLED', color: 'green' }, { text: 'SHUT', color: '#8e8e8e' })))
    .withPanel(tablePanel('Interface details', { w: 24, h: 8 })
      .withTarget(influx(
        'SELECT last("speed_bps") AS "speed", last("admin_up") AS "admin", last("oper_up") AS "oper", ' +
        'last("in_errors") AS "in_errors_total", last("out_errors") AS "out_errors_total", last("ifAlias") AS "ifAlias", last("ifDescr") AS "ifDescr" ' +
        `FROM "interface" WHERE ${SELECTED} AND $timeFilter GROUP BY "ifIndex", "ifName"`,
      ).table())
      .overrideByName('Time', [{ id: 'custom.hidden', value: true }])
      .overrideByName('speed', [{ id: 'unit', value: UNITS.bitsPerSecond }])
      .overrideByName('oper', [{ id: 'mappings', value: UP_DOWN }, { id: 'custom.cellOptions', value: { type: 'color-text' } }]));
  return finishDashboard(builder, 'dashboards/interfaces.ts');
}
