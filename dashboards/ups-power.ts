/** UPS & power: battery charge and runtime, load, input/output, on-battery periods, alarms, PDU feeds. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  COLORS, UNITS, alertAnnotations, anyIsBad, barGaugePanel, booleanMapping, deviceVariable, finishDashboard, highIsBad,
  influx, lowIsBad, matches, noctuaDashboard, siteVariable, stateTimelinePanel, statPanel, tagVariable, textMapping,
  timeSeriesPanel, STATUS_COLORS, type DashboardJson,
} from './common.js';

const UPS = matches('device', 'device');
const PDU = matches('device', 'pdu');

/** `mean(field)` of the selected UPS units, one series per unit. */
function perUps(field: string): string {
  return `SELECT mean("${field}") FROM "ups" WHERE ${UPS} AND $timeFilter GROUP BY time($__interval), "device" fill(null)`;
}

/** Latest value of `field` per selected UPS unit. */
function latestPerUps(field: string): string {
  return `SELECT last("${field}") FROM "ups" WHERE ${UPS} AND $timeFilter GROUP BY "device"`;
}

/** Builds the UPS & power dashboard. */
export function buildUpsPower(): DashboardJson {
  const builder = noctuaDashboard({ uid: 'noctua-ups-power', title: 'Noctua · UPS & power', tags: ['power'], refresh: '1m', from: 'now-24h' })
    .withVariable(siteVariable())
    .withVariable(deviceVariable({ measurement: 'ups', multi: true }).label('UPS'))
    .withVariable(tagVariable('pdu', 'PDU', `SHOW TAG VALUES FROM "pdu" WITH KEY = "device" WHERE ${matches('site', 'site')}`, true))
    .annotations(alertAnnotations({ deviceVariable: 'device' }))
    // Now (h 5).
    .withPanel(barGaugePanel('Battery charge', UNITS.percent, { w: 8, h: 5 })
      .withTarget(influx(latestPerUps('charge_pct')).alias('$tag_device'))
      .thresholds(lowIsBad(20, 50)).min(0).max(100))
    .withPanel(statPanel('Runtime left', UNITS.minutes, { w: 4, h: 5 })
      .withTarget(influx(latestPerUps('runtime_min')).alias('$tag_device'))
      .thresholds(lowIsBad(10, 20)))
    .withPanel(statPanel('Battery status', UNITS.none, { w: 4, h: 5 })
      .withTarget(influx(latestPerUps('battery_status')).alias('$tag_device'))
      .mappings(textMapping(STATUS_COLORS)))
    .withPanel(statPanel('Alarms', UNITS.count, { w: 4, h: 5 })
      .withTarget(influx(latestPerUps('alarms')).alias('$tag_device'))
      .thresholds(anyIsBad()))
    .withPanel(statPanel('Battery replacement', UNITS.none, { w: 4, h: 5 })
      .withTarget(influx(latestPerUps('replace_battery')).alias('$tag_device'))
      .mappings(booleanMapping({ text: 'REPLACE', color: COLORS.critical }, { text: 'OK', color: COLORS.ok })))
    // On-battery periods (h 6).
    .withPanel(stateTimelinePanel('On-battery periods', { w: 24, h: 6 })
      .withTarget(influx(`SELECT last("on_battery") FROM "ups" WHERE ${UPS} AND $timeFilter GROUP BY time($__interval), "device" fill(null)`).alias('$tag_device'))
      .mappings(booleanMapping({ text: 'ON BATTERY', color: COLORS.critical }, { text: 'MAINS', color: COLORS.ok })))
    // Battery over time (h 8).
    .withPanel(timeSeriesPanel('Battery charge', UNITS.percent, { w: 12, h: 8 })
      .withTarget(influx(perUps('charge_pct')).alias('$tag_device'))
      .thresholds(lowIsBad(20, 50)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .min(0).max(100))
    .withPanel(timeSeriesPanel('Runtime left', UNITS.minutes, { w: 12, h: 8 })
      .withTarget(influx(perUps('runtime_min')).alias('$tag_device'))
      .thresholds(lowIsBad(10, 20)).min(0))
    // Load and mains (h 8).
    .withPanel(timeSeriesPanel('Output load', UNITS.percent, { w: 8, h: 8 })
      .withTarget(influx(perUps('load_pct')).alias('$tag_device'))
      .thresholds(highIsBad(80, 90)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .min(0).max(100))
    .withPanel(timeSeriesPanel('Input and output voltage', UNITS.volt, { w: 8, h: 8 })
      .withTarget(influx(perUps('input_v')).alias('$tag_device in'))
      .withTarget(influx(perUps('output_v'), 'B').alias('$tag_device out')))
    .withPanel(timeSeriesPanel('Input and output frequency', UNITS.hertz, { w: 8, h: 8 })
      .withTarget(influx(perUps('input_hz')).alias('$tag_device in'))
      .withTarget(influx(perUps('output_hz'), 'B').alias('$tag_device out')))
    // Battery temperature and PDUs (h 8).
    .withPanel(timeSeriesPanel('Battery temperature', UNITS.celsius, { w: 8, h: 8 })
      .withTarget(influx(perUps('battery_temp_c')).alias('$tag_device'))
      .thresholds(highIsBad(35, 45)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)))
    .withPanel(timeSeriesPanel('PDU current', UNITS.amp, { w: 8, h: 8 })
      .withTarget(influx(`SELECT mean("current_a") FROM "pdu" WHERE ${PDU} AND $timeFilter GROUP BY time($__interval), "device", "scope", "name" fill(null)`).alias('$tag_device $tag_scope $tag_name'))
      .min(0))
    .withPanel(timeSeriesPanel('PDU power', UNITS.watt, { w: 8, h: 8 })
      .withTarget(influx(`SELECT mean("power_w") FROM "pdu" WHERE ${PDU} AND $timeFilter GROUP BY time($__interval), "device", "scope", "name" fill(null)`).alias('$tag_device $tag_scope $tag_name'))
      .min(0));
  return finishDashboard(builder, 'dashboards/ups-power.ts');
}
