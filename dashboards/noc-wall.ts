/** NOC wall: the whole estate on one 1080p screen, refreshing itself. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  COLORS, UNITS, UP_DOWN, alertAnnotations, anyIsBad, barGaugePanel, booleanMapping, deviceLink, finishDashboard,
  highIsBad, influx, lowIsBad, matches, neutral, noctuaDashboard, smokepingPanel, stateTimelinePanel, statPanel, tablePanel,
  tagVariable, timeSeriesPanel, type DashboardJson,
} from './common.js';
import { eventAnnotation, eventsByTypePanel } from './event-panels.js';

/** Devices whose latest ICMP poll in the range said `up` is `state`, counted per site or overall. */
function devicesWithState(state: boolean, perSite: boolean): string {
  const bySite = perSite ? ' GROUP BY "site"' : '';
  return `SELECT count("up") AS "devices" FROM (SELECT last("up") AS "up" FROM "icmp" WHERE $timeFilter GROUP BY "site", "device") WHERE "up" = ${state}${bySite}`;
}

/** Incidents whose latest event in the range is firing or acknowledged. */
const OPEN_INCIDENTS = 'SELECT last("title") AS "title", "state", "severity", "device", "site", "rule" FROM "alert_event" WHERE $timeFilter GROUP BY "incident"';
const OPEN_FILTER = `WHERE "state" = 'firing' OR "state" = 'acknowledged'`;

/** Builds the NOC wall dashboard. */
export function buildNocWall(): DashboardJson {
  const wanSite = tagVariable('wan_site', 'WAN sites', 'SHOW TAG VALUES FROM "icmp" WITH KEY = "site"', true)
    .current({ text: ['wan'], value: ['wan'], selected: true });
  // Single-valued: the Smokeping panel draws one link's bands; an engineer switches links on the wall.
  const wanDevice = tagVariable('wan_device', 'WAN link', `SHOW TAG VALUES FROM "icmp" WITH KEY = "device" WHERE ${matches('site', 'wan_site')}`, false);
  const builder = noctuaDashboard({ uid: 'noctua-noc-wall', title: 'Noctua · NOC wall', tags: ['wall'], refresh: '30s', from: 'now-3h' })
    .withVariable(wanSite)
    .withVariable(wanDevice)
    .annotations([...alertAnnotations(), eventAnnotation()])
    // Top band (h 4): the counts a NOC reads from across the room.
    .withPanel(statPanel('Devices up by site', UNITS.count, { w: 8, h: 4 })
      .description('Devices whose latest ICMP poll answered, per site.')
      .withTarget(influx(devicesWithState(true, true)).alias('$tag_site'))
      .thresholds(neutral(COLORS.ok)).noValue('0'))
    .withPanel(statPanel('Devices down', UNITS.count, { w: 4, h: 4 })
      .description('Devices whose latest ICMP poll got no reply.')
      .withTarget(influx(devicesWithState(false, false)).alias('down'))
      .thresholds(anyIsBad()).noValue('0').textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('Open alerts', UNITS.count, { w: 4, h: 4 })
      .description('Incidents whose latest alert event is firing or acknowledged.')
      .withTarget(influx(`SELECT count("title") AS "open" FROM (${OPEN_INCIDENTS}) ${OPEN_FILTER}`).alias('open'))
      .thresholds(anyIsBad()).noValue('0').textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('SNMP polls failing', UNITS.count, { w: 4, h: 4 })
      .description('Devices whose latest SNMP poll failed (timeout, auth, community...).')
      .withTarget(influx('SELECT count("ok") AS "failing" FROM (SELECT last("ok") AS "ok" FROM "snmp_poll" WHERE $timeFilter GROUP BY "device") WHERE "ok" = false').alias('failing'))
      .thresholds(anyIsBad()).noValue('0').textMode(common.BigValueTextMode.Value))
    .withPanel(statPanel('UPS on battery', UNITS.count, { w: 4, h: 4 })
      .description('UPS units whose latest poll reports running on battery.')
      .withTarget(influx('SELECT count("on_battery") AS "on_battery" FROM (SELECT last("on_battery") AS "on_battery" FROM "ups" WHERE $timeFilter GROUP BY "device") WHERE "on_battery" = true').alias('on battery'))
      .thresholds(anyIsBad()).noValue('0').textMode(common.BigValueTextMode.Value))
    // Second band (h 8): who is down, and what is open.
    .withPanel(stateTimelinePanel('Availability by device', { w: 12, h: 8 })
      .description('ICMP up/down per device; click a lane for the device dashboard.')
      .withTarget(influx('SELECT last("up") FROM "icmp" WHERE $timeFilter GROUP BY time($__interval), "site", "device" fill(null)').alias('$tag_site / $tag_device'))
      .mappings(UP_DOWN).dataLinks([deviceLink()]))
    .withPanel(tablePanel('Open incidents', { w: 12, h: 8 })
      .description('Incidents whose latest alert event in the range is firing or acknowledged.')
      .withTarget(influx(`SELECT "severity", "state", "site", "device", "rule", "title" FROM (${OPEN_INCIDENTS}) ${OPEN_FILTER}`).table())
      .overrideByName('severity', [
        { id: 'mappings', value: [{ type: 'value', options: { P1: { color: 'red', index: 0 }, P2: { color: 'orange', index: 1 }, P3: { color: 'yellow', index: 2 }, P4: { color: 'blue', index: 3 } } }] },
        { id: 'custom.cellOptions', value: { type: 'color-background' } },
      ]))
    // Third band (h 7): WAN and the busiest links.
    // One WAN link's Smokeping at a time (bands of several links would hide each other); the loss panel beside it shows them all.
    .withPanel(smokepingPanel('WAN latency · $wan_device (Smokeping)', matches('device', 'wan_device'), { w: 8, h: 7 })
      .thresholds(highIsBad(50, 150)))
    .withPanel(timeSeriesPanel('WAN packet loss', UNITS.percent, { w: 8, h: 7 })
      .withTarget(influx(`SELECT mean("loss_pct") FROM "icmp" WHERE ${matches('site', 'wan_site')} AND $timeFilter GROUP BY time($__interval), "device" fill(null)`).alias('$tag_device'))
      .thresholds(highIsBad(1, 5)).min(0).max(100))
    .withPanel(barGaugePanel('Top interfaces by utilisation', UNITS.percent, { w: 8, h: 7 })
      .description('The ten busiest interfaces (in or out, latest poll) of the range.')
      .withTarget(influx(
        'SELECT top("util", "device", "ifName", 10) AS "util" FROM ' +
        '(SELECT last("in_util_pct") AS "util" FROM "interface" WHERE $timeFilter GROUP BY "device", "ifName"), ' +
        '(SELECT last("out_util_pct") AS "util" FROM "interface" WHERE $timeFilter GROUP BY "device", "ifName")',
      ).table())
      // One bar per row, named by the row's device and ifName.
      .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs([]).fields('/^util$/'))
      .thresholds(highIsBad(70, 90)).min(0).max(100))
    // Bottom band (h 7): power, what devices report, and the poller itself.
    .withPanel(barGaugePanel('UPS battery charge', UNITS.percent, { w: 6, h: 7 })
      .withTarget(influx('SELECT last("charge_pct") FROM "ups" WHERE $timeFilter GROUP BY "device"').alias('$tag_device'))
      .thresholds(lowIsBad(20, 50)).min(0).max(100))
    .withPanel(stateTimelinePanel('UPS power source', { w: 6, h: 7 })
      .withTarget(influx('SELECT last("on_battery") FROM "ups" WHERE $timeFilter GROUP BY time($__interval), "device" fill(null)').alias('$tag_device'))
      .mappings(booleanMapping({ text: 'ON BATTERY', color: COLORS.critical }, { text: 'MAINS', color: COLORS.ok })))
    .withPanel(eventsByTypePanel({ w: 6, h: 7 }))
    .withPanel(timeSeriesPanel('Poll cycle time', UNITS.milliseconds, { w: 6, h: 7 })
      .description('How long each scheduler cycle took, per poll kind.')
      .withTarget(influx(`SELECT max("cycle_ms") FROM "noctua_self" WHERE "component" = 'scheduler' AND $timeFilter GROUP BY time($__interval), "kind" fill(null)`).alias('$tag_kind'))
      .thresholds(highIsBad(10_000, 30_000)).min(0));
  return finishDashboard(builder, 'dashboards/noc-wall.ts');
}
