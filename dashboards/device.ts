/** Device: one box in depth — reachability, identity, CPU, memory, storage, sensors, interfaces, reboots, events, BGP, optics. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  COLORS, UNITS, UP_DOWN, alertAnnotations, barGaugePanel, booleanMapping, deviceVariable, finishDashboard, highIsBad,
  influx, lowIsBad, matches, noctuaDashboard, rebootAnnotation, siteVariable, smokepingPanel, STATUS_COLORS, statPanel, tablePanel, textMapping,
  timeSeriesPanel, type DashboardJson,
} from './common.js';
import { bgpPeersPanel, bgpStatePanel, opticPowerPanel, opticsTablePanel } from './bgp-optics-panels.js';
import { eventAnnotation, eventsByTypePanel, latestEventsPanel } from './event-panels.js';

const DEVICE = matches('device', 'device');

/** Builds the Device dashboard. */
export function buildDevice(): DashboardJson {
  const builder = noctuaDashboard({ uid: 'noctua-device', title: 'Noctua · Device', tags: ['device'], refresh: '1m', from: 'now-6h' })
    .withVariable(siteVariable())
    .withVariable(deviceVariable())
    .annotations([...alertAnnotations({ deviceVariable: 'device' }), rebootAnnotation(), eventAnnotation('device')])
    // Status band (h 4).
    .withPanel(statPanel('Reachable', UNITS.none, { w: 3, h: 4 })
      .withTarget(influx(`SELECT last("up") FROM "icmp" WHERE ${DEVICE} AND $timeFilter`).alias('ICMP'))
      .mappings(UP_DOWN).textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Reachability', UNITS.percent, { w: 3, h: 4 })
      .description('Share of ICMP echo requests answered over the range (100 − mean loss).')
      .withTarget(influx(`SELECT 100 - mean("loss_pct") FROM "icmp" WHERE ${DEVICE} AND $timeFilter`).alias('reachability'))
      .thresholds(lowIsBad(95, 99.9)).decimals(2).textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Uptime', UNITS.duration, { w: 3, h: 4 })
      .description('sysUpTime of the latest SNMP poll; red under five minutes, orange under an hour.')
      .withTarget(influx(`SELECT last("uptime_s") FROM "system" WHERE ${DEVICE} AND $timeFilter`).alias('uptime'))
      .thresholds(lowIsBad(300, 3600)).textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('SNMP', UNITS.none, { w: 3, h: 4 })
      .withTarget(influx(`SELECT last("ok") FROM "snmp_poll" WHERE ${DEVICE} AND $timeFilter`).alias('SNMP'))
      .mappings(booleanMapping({ text: 'OK', color: COLORS.ok }, { text: 'FAILING', color: COLORS.critical }))
      .textMode(common.BigValueTextMode.Value))
    .withPanel(tablePanel('Identity', { w: 12, h: 4 })
      .withTarget(influx(
        'SELECT last("sysName") AS "sysName", last("model") AS "model", last("os") AS "os", last("version") AS "version", ' +
        `last("serial") AS "serial", last("sysLocation") AS "location" FROM "system" WHERE ${DEVICE} AND $timeFilter GROUP BY "vendor"`,
      ).table())
      .overrideByName('Time', [{ id: 'custom.hidden', value: true }]))
    // Reachability and CPU (h 8).
    .withPanel(smokepingPanel('Latency (Smokeping): median, p90, min–max and loss', DEVICE, { w: 12, h: 8 }))
    .withPanel(timeSeriesPanel('CPU load', UNITS.percent, { w: 12, h: 8 })
      .withTarget(influx(`SELECT mean("load_pct") FROM "cpu" WHERE ${DEVICE} AND $timeFilter GROUP BY time($__interval), "cpu" fill(null)`).alias('CPU $tag_cpu'))
      .thresholds(highIsBad(80, 90)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .min(0).max(100))
    // Memory, storage, temperature (h 8).
    .withPanel(timeSeriesPanel('Memory used', UNITS.percent, { w: 8, h: 8 })
      .withTarget(influx(`SELECT mean("used_pct") FROM "memory" WHERE ${DEVICE} AND $timeFilter GROUP BY time($__interval), "pool" fill(null)`).alias('$tag_pool'))
      .thresholds(highIsBad(85, 95)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .min(0).max(100))
    .withPanel(barGaugePanel('Storage used', UNITS.percent, { w: 8, h: 8 })
      .withTarget(influx(`SELECT last("used_pct") FROM "storage" WHERE ${DEVICE} AND $timeFilter GROUP BY "mount"`).alias('$tag_mount'))
      .thresholds(highIsBad(85, 95)).min(0).max(100))
    .withPanel(timeSeriesPanel('Temperatures', UNITS.celsius, { w: 8, h: 8 })
      .withTarget(influx(`SELECT mean("value") FROM "sensor" WHERE ${DEVICE} AND "kind" = 'temperature' AND $timeFilter GROUP BY time($__interval), "name" fill(null)`).alias('$tag_name'))
      .thresholds(highIsBad(50, 65)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)))
    // Sensors and interfaces (h 9).
    .withPanel(tablePanel('Sensors', { w: 10, h: 9 })
      .description('Latest reading of every sensor, in SI units (°C, V, A, W, RPM, %) by kind.')
      .withTarget(influx(`SELECT last("value") AS "value", last("status") AS "status" FROM "sensor" WHERE ${DEVICE} AND $timeFilter GROUP BY "kind", "name"`).table())
      .overrideByName('Time', [{ id: 'custom.hidden', value: true }])
      .overrideByName('status', [{ id: 'mappings', value: textMapping(STATUS_COLORS) }, { id: 'custom.cellOptions', value: { type: 'color-text' } }]))
    .withPanel(tablePanel('Interfaces', { w: 14, h: 9 })
      .description('Latest state and rates of every interface; utilisation needs a known speed.')
      .withTarget(influx(
        'SELECT last("oper_up") AS "oper", last("in_bps") AS "in_bps", last("out_bps") AS "out_bps", last("in_util_pct") AS "in_util", ' +
        `last("out_util_pct") AS "out_util", last("in_errors_ps") AS "in_errors", last("ifAlias") AS "ifAlias" FROM "interface" WHERE ${DEVICE} AND $timeFilter GROUP BY "ifName"`,
      ).table())
      .overrideByName('Time', [{ id: 'custom.hidden', value: true }])
      .overrideByName('oper', [{ id: 'mappings', value: UP_DOWN }, { id: 'custom.cellOptions', value: { type: 'color-text' } }])
      .overrideByRegexp('/_bps$/', [{ id: 'unit', value: UNITS.bitsPerSecond }])
      .overrideByRegexp('/_util$/', [
        { id: 'unit', value: UNITS.percent }, { id: 'custom.cellOptions', value: { type: 'gauge', mode: 'basic' } },
        { id: 'min', value: 0 }, { id: 'max', value: 100 }, { id: 'thresholds', value: highIsBad(70, 90).build() },
      ])
      .overrideByName('in_errors', [{ id: 'unit', value: UNITS.countsPerSecond }]))
    // Traffic (h 9): in above the axis, out below.
    .withPanel(timeSeriesPanel('Traffic by interface', UNITS.bitsPerSecond, { w: 24, h: 9 })
      .withTarget(influx(`SELECT mean("in_bps") FROM "interface" WHERE ${DEVICE} AND $timeFilter GROUP BY time($__interval), "ifName" fill(null)`).alias('$tag_ifName in'))
      .withTarget(influx(`SELECT mean("out_bps") FROM "interface" WHERE ${DEVICE} AND $timeFilter GROUP BY time($__interval), "ifName" fill(null)`, 'B').alias('$tag_ifName out'))
      .overrideByRegexp('/ out$/', [{ id: 'custom.transform', value: common.GraphTransform.NegativeY }]))
    // Events (h 8): what the device told us (traps, syslog) and what polls found.
    .withPanel(eventsByTypePanel({ w: 10, h: 8 }, 'device'))
    .withPanel(latestEventsPanel({ w: 14, h: 8 }, 'device'))
    // Routing and optics (h 8 each): empty on devices without BGP peers or transceiver DOM.
    .withPanel(bgpPeersPanel({ w: 14, h: 8 }, 'device'))
    .withPanel(bgpStatePanel({ w: 10, h: 8 }, 'device'))
    .withPanel(opticPowerPanel({ w: 14, h: 8 }, 'device'))
    .withPanel(opticsTablePanel({ w: 10, h: 8 }, 'device'));
  return finishDashboard(builder, 'dashboards/device.ts');
}
