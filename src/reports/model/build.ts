/**
 * The report model: queries -> numbers. Everything a renderer prints is decided here, in no language;
 * renderers only translate and format. This file only coordinates: each part of the model is computed by
 * its own module (devices, links, incidents, changes, capacity, recommendations). See docs/REPORTS.md.
 */
import { previousPeriod } from '../period.js';
import type { TimeRange } from '../sources/types.js';
import { assetSummary } from './assets.js';
import { capacityRows } from './capacity.js';
import { changes } from './changes.js';
import { configBackupModel } from './config-backup.js';
import { dailySummary } from './daily.js';
import { deviceRows } from './devices.js';
import { eventsSummary } from './events.js';
import { countBySeverity, incidentRows, slaSummary } from './incidents.js';
import { availabilityByDay, latencyTrend, siteRows, topInterfaces } from './links.js';
import { readAll } from './readings.js';
import { engineerRows } from './engineers.js';
import { problemRows } from './problems.js';
import { monthRows } from './months.js';
import { recommend } from './recommendations.js';
import type { ModelInputs, ReportModel } from './types.js';

/** Builds the model of one report from the sources. */
export async function buildReportModel(input: ModelInputs): Promise<ReportModel> {
  const { period } = input;
  const now = input.now ?? new Date();
  const prev = previousPeriod(period);
  const range: TimeRange = { start: period.start, end: period.end };
  const readings = await readAll(input, range, { start: prev.start, end: prev.end });

  const ups = readings.ups.map((u) => ({ ...u, onBatteryTotalMs: u.onBattery.reduce((a, e) => a + e.durationMs, 0) }));
  const devices = deviceRows(readings, input.inventory, ups);
  const withAvail = devices.filter((d) => d.availabilityPct !== undefined);
  const fleetAvailability = withAvail.length > 0 ? withAvail.reduce((a, d) => a + d.availabilityPct!, 0) / withAvail.length : undefined;
  const hasData = readings.seen.length > 0 || readings.reachability.length > 0;

  // Incidents: SLA is judged as of the end of the period (or now, for a period still running).
  const asOf = now < period.end ? now : period.end;
  const incidents = readings.incidents ? incidentRows(readings.incidents, period, asOf) : undefined;

  const attention = devices.filter((d) => d.verdict === 'attention');
  const openSevere = (incidents ?? []).filter((i) => i.ongoing && (i.severity === 'P1' || i.severity === 'P2')).length;
  const verdict: ReportModel['summary']['verdict'] = !hasData ? 'no-data' : attention.length > 0 || openSevere > 0 ? 'abnormal' : 'normal';

  // The asset register is a monthly matter (service plans ask for it in the monthly report); the daily summary lists the day's changes.
  const assets = input.assets && (period.kind === 'monthly' || period.kind === 'daily') ? await assetSummary(input.assets, period) : undefined;
  const model: ReportModel = {
    period, previous: prev, generatedAt: now, hasData,
    summary: {
      devicesInspected: devices.length, devicesWithData: devices.filter((d) => d.hasData).length,
      availabilityPct: fleetAvailability,
      incidentsBySeverity: incidents ? countBySeverity(incidents) : undefined,
      sla: incidents ? slaSummary(incidents) : undefined,
      verdict, attentionCount: attention.length,
    },
    devices, availabilityByDay: availabilityByDay(readings, period), sites: siteRows(readings), latencyTrend: latencyTrend(readings),
    ...topInterfaces(readings), ups, incidents, changes: changes(readings), problems: readings.problems ? problemRows(readings.problems, period) : undefined,
    assets, engineers: incidents && input.audience !== 'customer' ? engineerRows(incidents) : undefined, months: await monthRows(input, period, incidents), capacity: capacityRows(readings, period.end), recommendations: [],
  };
  model.events = await eventsSummary(input.metrics, range);
  if (input.configBackup) model.configBackup = await configBackupModel(input.configBackup, range, asOf);
  model.recommendations = recommend(model);
  if (period.kind === 'daily') model.daily = dailySummary(model, input.calendar, input.onCall);
  return model;
}
