/**
 * BGP peers (docs/SCHEMA.md `bgp_peer`) and transceiver optics (`sensor` of kind optical) on the Device dashboard:
 * the peers' latest state and prefix counts, their state over time, Rx/Tx power with the module's own limits, and
 * the latest DOM readings beside those limits.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { COLORS, STATUS_COLORS, UNITS, influx, matches, stateTimelinePanel, tablePanel, textMapping, timeSeriesPanel } from './common.js';

/** BGP FSM states: Established is the only good one; OpenSent/OpenConfirm are on the way up. */
const BGP_STATE_COLORS = {
  established: COLORS.ok, opensent: COLORS.warning, openconfirm: COLORS.warning,
  idle: COLORS.critical, connect: COLORS.critical, active: COLORS.critical, unknown: COLORS.neutral,
} as const;

const OPTICAL = `"kind" = 'optical'`;

/** The device's BGP peers: state, admin status, remote AS, time in (or out of) Established, prefixes, flaps. */
export function bgpPeersPanel(size: { w: number; h: number }, deviceVariable: string): table.PanelBuilder {
  return tablePanel('BGP peers', size)
    .description('Latest poll of every BGP peer (BGP4-MIB). "since" is the time in Established, or since it left; prefixes where the vendor exposes them.')
    .withTarget(influx(
      'SELECT last("state") AS "state", last("admin_up") AS "admin_up", last("remote_as") AS "remote_as", last("established_s") AS "since", ' +
      'last("accepted_prefixes") AS "accepted", last("advertised_prefixes") AS "advertised", last("flaps") AS "flaps" ' +
      `FROM "bgp_peer" WHERE ${matches('device', deviceVariable)} AND $timeFilter GROUP BY "peer"`,
    ).table())
    .overrideByName('Time', [{ id: 'custom.hidden', value: true }])
    .overrideByName('state', [{ id: 'mappings', value: textMapping(BGP_STATE_COLORS) }, { id: 'custom.cellOptions', value: { type: 'color-text' } }])
    .overrideByName('since', [{ id: 'unit', value: UNITS.duration }]);
}

/** One lane per peer: its FSM state at every poll, so a flap shows as a red notch. */
export function bgpStatePanel(size: { w: number; h: number }, deviceVariable: string): statetimeline.PanelBuilder {
  return stateTimelinePanel('BGP session state', size)
    .withTarget(influx(`SELECT last("state") FROM "bgp_peer" WHERE ${matches('device', deviceVariable)} AND $timeFilter GROUP BY time($__interval), "peer" fill(null)`).alias('$tag_peer'))
    .mappings(textMapping(BGP_STATE_COLORS));
}

/** Rx and Tx power per port in dBm, with the module's low alarm limits as dashed lines where the device gives them. */
export function opticPowerPanel(size: { w: number; h: number }, deviceVariable: string): timeseries.PanelBuilder {
  const where = (quantity: string) => `FROM "sensor" WHERE ${matches('device', deviceVariable)} AND ${OPTICAL} AND "quantity" = '${quantity}' AND $timeFilter GROUP BY time($__interval), "ifName" fill(null)`;
  return timeSeriesPanel('Optics: Rx/Tx power', UNITS.dbm, size)
    .description('Transceiver DOM power per port (dBm); dashed: the module\'s own low alarm limit for Rx and Tx, where the device exposes it.')
    .withTarget(influx(`SELECT mean("value") ${where('rx_power')}`).alias('$tag_ifName rx'))
    .withTarget(influx(`SELECT mean("value") ${where('tx_power')}`, 'B').alias('$tag_ifName tx'))
    .withTarget(influx(`SELECT mean("low_alarm") ${where('rx_power')}`, 'C').alias('$tag_ifName rx low alarm'))
    .withTarget(influx(`SELECT mean("low_alarm") ${where('tx_power')}`, 'D').alias('$tag_ifName tx low alarm'))
    .overrideByRegexp('/low alarm$/', [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'color', value: { mode: 'fixed', fixedColor: COLORS.critical } },
    ])
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Off));
}

/** The latest DOM reading of every port and quantity beside the module's limits, coloured by status. */
export function opticsTablePanel(size: { w: number; h: number }, deviceVariable: string): table.PanelBuilder {
  return tablePanel('Optics (DOM)', size)
    .description('Latest transceiver readings: power in dBm, temperature °C, bias A, voltage V; limits as the device reports them.')
    .withTarget(influx(
      'SELECT last("value") AS "value", last("low_alarm") AS "low_alarm", last("low_warn") AS "low_warn", last("high_warn") AS "high_warn", ' +
      `last("high_alarm") AS "high_alarm", last("status") AS "status" FROM "sensor" WHERE ${matches('device', deviceVariable)} AND ${OPTICAL} AND $timeFilter GROUP BY "ifName", "quantity"`,
    ).table())
    .overrideByName('Time', [{ id: 'custom.hidden', value: true }])
    .overrideByName('status', [{ id: 'mappings', value: textMapping(STATUS_COLORS) }, { id: 'custom.cellOptions', value: { type: 'color-text' } }]);
}
