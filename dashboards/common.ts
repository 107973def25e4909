/**
 * Pieces every Noctua dashboard shares, defined once: the provisioned datasource, template variables,
 * annotations, units, severity colours and thresholds, value mappings, and the final touches that make
 * a built dashboard importable into Grafana 10 and 11.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQLQueryBuilder, isInfluxQLQuery, type InfluxQLQuery } from './influxql.js';

/** UID of the InfluxDB datasource that provisioning/datasources/noctua.yaml creates; every panel points at it. */
export const DATASOURCE_UID = 'noctua-influxdb';

/** Reference to the provisioned datasource, as panels, targets, variables and annotations carry it. */
export const DATASOURCE: common.DataSourceRef = { type: 'influxdb', uid: DATASOURCE_UID };

/**
 * Dashboard JSON schema version. Grafana 10.0 writes 38; every 10.x and 11.x release migrates 38 forward
 * when it loads the file, whereas a newer number (the SDK's default, 42) is left unmigrated by older releases.
 */
export const SCHEMA_VERSION = 38;

/** Tag on every Noctua dashboard: the dashboard links and the provisioning folder find them by it. */
export const NOCTUA_TAG = 'noctua';

/** Grafana unit ids, chosen as a NOC reads them. */
export const UNITS = {
  /** Bits per second with SI prefixes (kb/s, Mb/s, Gb/s), as link speeds are quoted. */
  bitsPerSecond: 'bps',
  packetsPerSecond: 'pps',
  /** Errors and discards per second. */
  countsPerSecond: 'cps',
  /** 0–100, as every `_pct` field of the schema is. */
  percent: 'percent',
  milliseconds: 'ms',
  seconds: 's',
  minutes: 'm',
  /** Human durations (3d 4h) for uptimes. */
  duration: 'dtdurations',
  celsius: 'celsius',
  volt: 'volt',
  amp: 'amp',
  watt: 'watt',
  /** Optical power (transceiver DOM). */
  dbm: 'dBm',
  hertz: 'hertz',
  rpm: 'rotrpm',
  bytes: 'bytes',
  count: 'short',
  none: 'none',
} as const;

/** Colours by meaning, so red always means critical. */
export const COLORS = { ok: 'green', warning: 'orange', critical: 'red', info: 'blue', neutral: 'text' } as const;

/** Sensor `status` and UPS `battery_status` values of the schema, coloured by how bad they are. */
export const STATUS_COLORS = {
  ok: COLORS.ok, normal: COLORS.ok, warning: COLORS.warning, low: COLORS.warning,
  critical: COLORS.critical, depleted: COLORS.critical, unknown: COLORS.neutral,
} as const;

/** Alert severities of the rules (P1 most urgent) and the colour each is drawn in. */
export const SEVERITY_COLORS = { P1: 'red', P2: 'orange', P3: 'yellow', P4: 'blue' } as const;

/** A raw InfluxQL target on the provisioned datasource. */
export function influx(query: string, refId = 'A'): InfluxQLQueryBuilder {
  return new InfluxQLQueryBuilder(DATASOURCE, query).refId(refId);
}

/** `"tag" =~ /^$variable$/`: matches one, several (Grafana writes `(a|b)`) or all (`.*`) values of a variable. */
export function matches(tag: string, variable: string): string {
  return `"${tag}" =~ /^$${variable}$/`;
}

function thresholdSteps(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Green below `warning`, orange from it, red from `critical`: utilisation, load, latency, temperature. */
export function highIsBad(warning: number, critical: number): dashboard.ThresholdsConfigBuilder {
  return thresholdSteps([
    { value: null, color: COLORS.ok }, { value: warning, color: COLORS.warning }, { value: critical, color: COLORS.critical },
  ]);
}

/** Red below `critical`, orange below `warning`, green above: battery charge, runtime, availability. */
export function lowIsBad(critical: number, warning: number): dashboard.ThresholdsConfigBuilder {
  return thresholdSteps([
    { value: null, color: COLORS.critical }, { value: critical, color: COLORS.warning }, { value: warning, color: COLORS.ok },
  ]);
}

/** Green at zero, red from one: counts of things that should not exist (devices down, failed polls, alarms). */
export function anyIsBad(): dashboard.ThresholdsConfigBuilder {
  return thresholdSteps([{ value: null, color: COLORS.ok }, { value: 1, color: COLORS.critical }]);
}

/** A fixed colour, for values that carry no good or bad (counts of devices up per site). */
export function neutral(color: string = COLORS.info): dashboard.ThresholdsConfigBuilder {
  return thresholdSteps([{ value: null, color }]);
}

/**
 * Maps a boolean state to words and colours. The state timeline hands booleans on as 1/0,
 * the stat panel as true/false, so both spellings are mapped.
 */
export function booleanMapping(whenTrue: { text: string; color: string }, whenFalse: { text: string; color: string }): dashboard.ValueMapping[] {
  return [
    { type: dashboard.MappingType.SpecialValue, options: { match: dashboard.SpecialValueMatch.True, result: { ...whenTrue, index: 0 } } },
    { type: dashboard.MappingType.SpecialValue, options: { match: dashboard.SpecialValueMatch.False, result: { ...whenFalse, index: 1 } } },
    { type: dashboard.MappingType.ValueToText, options: { '1': { ...whenTrue, index: 2 }, '0': { ...whenFalse, index: 3 } } },
  ];
}

/** Up is green, down is red (ICMP `up`, interface `oper_up`). */
export const UP_DOWN = booleanMapping({ text: 'UP', color: COLORS.ok }, { text: 'DOWN', color: COLORS.critical });

/** Text states with fixed colours (UPS `battery_status`, sensor `status`). */
export function textMapping(states: Record<string, string>): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  Object.entries(states).forEach(([text, color], index) => { options[text] = { text, color, index }; });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** Legend as a table under the graph with the numbers a NOC engineer reads first. */
function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).showLegend(true)
    .calcs(['lastNotNull', 'max', 'mean']);
}

/** A time series panel on the provisioned datasource; polls are seconds apart, so gaps under two minutes are bridged. */
export function timeSeriesPanel(title: string, unit: string, size: { w: number; h: number }): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title).datasource(DATASOURCE).unit(unit).span(size.w).height(size.h)
    .lineWidth(1).fillOpacity(10).showPoints(common.VisibilityMode.Never).spanNulls(120_000)
    .legend(legend())
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/** Loss colours of the Smokeping panel: green without loss, orange from 5 %, red from 20 % (a link that drops one echo in five). */
export const LOSS_THRESHOLDS = { warning: 5, critical: 20 } as const;

/**
 * The Smokeping view of one device's `icmp` points (`where` selects the device): the median RTT as a line over
 * two shaded bands, min–max (light) and median–p90 (darker), and the loss of each bucket as bars on a right
 * axis coloured by {@link LOSS_THRESHOLDS}. Within a bucket: lowest min, highest max, mean p90, median of the
 * medians, mean loss. Series are named median, p90, min, max and loss; the bands fill between them by name.
 */
export function smokepingPanel(title: string, where: string, size: { w: number; h: number }): timeseries.PanelBuilder {
  const bucket = `WHERE ${where} AND $timeFilter GROUP BY time($__interval) fill(null)`;
  const band = (fill: string) => ({ id: 'color', value: { mode: 'fixed', fixedColor: fill } });
  return timeSeriesPanel(title, UNITS.milliseconds, size)
    .description('Smokeping-style latency: median RTT line over the min–max band (light) and the median–p90 band (dark); bars: loss per bucket, green 0, orange from 5 %, red from 20 %.')
    .withTarget(influx(`SELECT median("rtt_median_ms") AS "median", mean("rtt_p90_ms") AS "p90", min("rtt_min_ms") AS "min", max("rtt_max_ms") AS "max" FROM "icmp" ${bucket}`).alias('$col'))
    .withTarget(influx(`SELECT mean("loss_pct") AS "loss" FROM "icmp" ${bucket}`, 'B').alias('loss'))
    .min(0)
    .overrideByName('median', [{ id: 'custom.lineWidth', value: 2 }, { id: 'custom.fillOpacity', value: 0 }, { id: 'color', value: { mode: 'fixed', fixedColor: COLORS.info } }])
    .overrideByName('max', [{ id: 'custom.fillBelowTo', value: 'min' }, { id: 'custom.lineWidth', value: 0 }, { id: 'custom.fillOpacity', value: 20 }, band('#8e8e8e')])
    .overrideByName('min', [{ id: 'custom.lineWidth', value: 0 }, { id: 'custom.fillOpacity', value: 0 }, band('#8e8e8e')])
    .overrideByName('p90', [{ id: 'custom.fillBelowTo', value: 'median' }, { id: 'custom.lineWidth', value: 0 }, { id: 'custom.fillOpacity', value: 45 }, band('#5a5a5a')])
    .overrideByName('loss', [
      { id: 'unit', value: UNITS.percent }, { id: 'custom.axisPlacement', value: 'right' }, { id: 'min', value: 0 }, { id: 'max', value: 100 },
      { id: 'custom.drawStyle', value: 'bars' }, { id: 'custom.fillOpacity', value: 80 }, { id: 'custom.gradientMode', value: 'scheme' },
      { id: 'color', value: { mode: 'thresholds' } }, { id: 'thresholds', value: highIsBad(LOSS_THRESHOLDS.warning, LOSS_THRESHOLDS.critical).build() },
    ]);
}

/** A stat panel showing the last value of each series, coloured by its thresholds. */
export function statPanel(title: string, unit: string, size: { w: number; h: number }): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title).datasource(DATASOURCE).unit(unit).span(size.w).height(size.h)
    .graphMode(common.BigValueGraphMode.None).colorMode(common.BigValueColorMode.Background)
    .textMode(common.BigValueTextMode.ValueAndName).justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    // `/.*/` rather than the default numeric-only selection, so boolean and text states show too.
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('/.*/').values(false));
}

/** A state timeline: one lane per series, for up/down, on-battery and status strings. */
export function stateTimelinePanel(title: string, size: { w: number; h: number }): statetimeline.PanelBuilder {
  return new statetimeline.PanelBuilder()
    .title(title).datasource(DATASOURCE).span(size.w).height(size.h)
    .showValue(common.VisibilityMode.Never).mergeValues(true).rowHeight(0.8).fillOpacity(80)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true));
}

/** A table of rows (InfluxQL `resultFormat: table`). */
export function tablePanel(title: string, size: { w: number; h: number }): table.PanelBuilder {
  return new table.PanelBuilder().title(title).datasource(DATASOURCE).span(size.w).height(size.h).filterable(true);
}

/** Horizontal bars, one per row or series: top-N lists and fill levels. */
export function barGaugePanel(title: string, unit: string, size: { w: number; h: number }): bargauge.PanelBuilder {
  return new bargauge.PanelBuilder()
    .title(title).datasource(DATASOURCE).unit(unit).span(size.w).height(size.h)
    .orientation(common.VizOrientation.Horizontal).displayMode(common.BarGaugeDisplayMode.Gradient)
    .valueMode(common.BarGaugeValueMode.Color).showUnfilled(true)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

function queryVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label).datasource(DATASOURCE).query(query).definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged).sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc);
}

/** Makes a variable multi-valued with an "All" that matches everything (`.*`) instead of listing every value. */
function withAll(v: dashboard.QueryVariableBuilder): dashboard.QueryVariableBuilder {
  return v.multi(true).includeAll(true).allValue('.*').current({ text: ['All'], value: ['$__all'], selected: true });
}

/** `$site`: every site that has written samples. */
export function siteVariable(): dashboard.QueryVariableBuilder {
  return withAll(queryVariable('site', 'Site', 'SHOW TAG VALUES WITH KEY = "site"'));
}

/**
 * `$device`: devices of the selected sites that wrote `measurement` (all measurements when omitted).
 * Single-valued unless `multi`: the device dashboards describe one box at a time.
 */
export function deviceVariable(opts: { measurement?: string; multi?: boolean; siteFiltered?: boolean } = {}): dashboard.QueryVariableBuilder {
  const from = opts.measurement ? ` FROM "${opts.measurement}"` : '';
  const where = opts.siteFiltered === false ? '' : ` WHERE ${matches('site', 'site')}`;
  const v = queryVariable('device', 'Device', `SHOW TAG VALUES${from} WITH KEY = "device"${where}`);
  return opts.multi ? withAll(v) : v.multi(false).includeAll(false);
}

/** `$interface`: interface names (`ifName`) of `$device`. */
export function interfaceVariable(): dashboard.QueryVariableBuilder {
  return withAll(queryVariable('interface', 'Interface', `SHOW TAG VALUES FROM "interface" WITH KEY = "ifName" WHERE ${matches('device', 'device')}`));
}

/** A query variable over any tag, for the few dashboard-specific ones (WAN sites, PDUs). */
export function tagVariable(name: string, label: string, query: string, multi: boolean): dashboard.QueryVariableBuilder {
  const v = queryVariable(name, label, query);
  return multi ? withAll(v) : v.multi(false).includeAll(false);
}

/**
 * Alert events (`alert_event`) as annotations: P1 in red, the rest in orange, each event titled by the
 * alert and tagged with its severity, state, device and rule. `deviceVariable` limits them to `$device`.
 */
export function alertAnnotations(opts: { deviceVariable?: string } = {}): dashboard.AnnotationQueryBuilder[] {
  const device = opts.deviceVariable ? ` AND ${matches('device', opts.deviceVariable)}` : '';
  const build = (name: string, severity: string, color: string) => new dashboard.AnnotationQueryBuilder()
    .name(name).datasource(DATASOURCE).enable(true).iconColor(color)
    .target(influx(
      `SELECT "title", "text", "severity", "state", "device", "rule" FROM "alert_event" WHERE $timeFilter AND ${severity}${device}`,
      'Alerts',
    ).table().annotationColumns({ text: 'text', title: 'title', tags: ['severity', 'state', 'device', 'rule'] }));
  return [
    build('Critical alerts (P1)', `"severity" = 'P1'`, SEVERITY_COLORS.P1),
    build('Alerts (P2–P4)', `"severity" != 'P1'`, SEVERITY_COLORS.P2),
  ];
}

/** Reboots (`event` type=reboot) of `$device` as annotations. */
export function rebootAnnotation(): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name('Reboots').datasource(DATASOURCE).enable(true).iconColor('purple')
    .target(influx(
      `SELECT "message", "uptime_s", "device" FROM "event" WHERE "type" = 'reboot' AND ${matches('device', 'device')} AND $timeFilter`,
      'Reboots',
    ).table().annotationColumns({ text: 'message', tags: ['device'] }));
}

/** A link to the Device dashboard for the device of the clicked series, keeping the time range. */
export function deviceLink(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('Open device ${__field.labels.device}')
    .type(dashboard.DashboardLinkType.Link).url('/d/noctua-device/noctua-device?var-device=${__field.labels.device}&${__url_time_range}')
    .targetBlank(false).icon('dashboard').tooltip('').tags([]).asDropdown(false).includeVars(false).keepTime(false);
}

/** The header links of every Noctua dashboard: a drop-down of the others, found by tag. */
function siblingLinks(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('Noctua dashboards')
    .type(dashboard.DashboardLinkType.Dashboards).tags([NOCTUA_TAG]).asDropdown(true)
    .includeVars(true).keepTime(true).targetBlank(false).icon('external link').tooltip('');
}

/** A dashboard builder with the settings every Noctua dashboard shares. */
export function noctuaDashboard(opts: { uid: string; title: string; tags: string[]; refresh: string; from: string }): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(opts.title)
    .uid(opts.uid).tags([NOCTUA_TAG, ...opts.tags]).editable().timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: opts.from, to: 'now' }).refresh(opts.refresh)
    .link(siblingLinks());
}

/** A built dashboard as written to disk: the Grafana model plus the import metadata Grafana understands. */
export type DashboardJson = dashboard.Dashboard & {
  __requires: { type: string; id: string; name: string; version: string }[];
};

/**
 * Finishes a built dashboard: panel ids in reading order, the schema version Grafana 10 and 11 migrate from,
 * the "generated" note, and the `__requires` list Grafana's import screen shows.
 */
export function finishDashboard(builder: dashboard.DashboardBuilder, source: string): DashboardJson {
  const built = builder.build();
  built.schemaVersion = SCHEMA_VERSION;
  built.description = `Generated by \`noctua dashboards\` from ${source}: do not edit here, change the source and regenerate.`;
  built.panels?.forEach((panel, i) => { panel.id = i + 1; });
  // `placement` exists only from Grafana 12 on; 10 and 11 would keep it as an unknown key.
  for (const a of built.annotations.list ?? []) delete a.placement;
  for (const l of built.links ?? []) delete l.placement;
  const panelTypes = [...new Set((built.panels ?? []).map((p) => p.type))].sort();
  return {
    ...built,
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'influxdb', name: 'InfluxDB', version: '1.0.0' },
      ...panelTypes.map((id) => ({ type: 'panel', id, name: id, version: '' })),
    ],
  };
}

/** Every InfluxQL query of a dashboard, with where it comes from: panel targets, variables and annotations. */
export interface DashboardQuery {
  where: string;
  kind: 'panel' | 'variable' | 'annotation';
  query: string;
  target?: InfluxQLQuery;
}

/** Lists every query a dashboard runs, for the tests and for `noctua dashboards --list-queries`. */
export function dashboardQueries(d: dashboard.Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const v of d.templating.list ?? []) {
    if (v.type === 'query' && typeof v.query === 'string') out.push({ where: `variable $${v.name}`, kind: 'variable', query: v.query });
  }
  for (const a of d.annotations.list ?? []) {
    if (isInfluxQLQuery(a.target)) out.push({ where: `annotation "${a.name}"`, kind: 'annotation', query: a.target.query, target: a.target });
  }
  for (const p of d.panels ?? []) {
    for (const t of ('targets' in p ? p.targets ?? [] : [])) {
      if (isInfluxQLQuery(t)) out.push({ where: `panel ${p.id} "${p.title ?? ''}" ${t.refId}`, kind: 'panel', query: t.query, target: t });
    }
  }
  return out;
}
