/**
 * The report's configuration sections, in no language: the period's configuration changes per device, and how
 * the configurations in force at the end of the period fare against the compliance rules, with the violations that
 * are new since the start. Fed by a {@link ConfigBackupSource} (src/config-backup/report-source.ts implements it).
 */
import type { TimeRange } from '../sources/types.js';

/** One stored version in the period. */
export interface ReportConfigChange { device: string; time: Date; added: number; removed: number; first: boolean; trigger: string; by: string; commit: string }

/** One device's verdict on one rule, for the configuration in force at a moment. */
export interface ReportRuleVerdict { rule: string; title: { en: string; 'zh-CN': string }; severity: string; passed: boolean; violations: number }

/** What configuration backup tells a report. */
export interface ConfigBackupSource {
  /** Versions stored within the range, oldest first. */
  changes(range: TimeRange): Promise<ReportConfigChange[]>;
  /** Every backed-up device's rule verdicts for the version in force at `at` (devices without one are left out). */
  complianceAt(at: Date): Promise<{ device: string; results: ReportRuleVerdict[] }[]>;
}

/** The configuration sections' model. */
export interface ConfigBackupModel {
  changes: ReportConfigChange[];
  /** Per device with a change (first backups aside) in the period, most lines changed first. */
  perDevice: { device: string; versions: number; added: number; removed: number; last: Date }[];
  compliance: {
    devicesChecked: number;
    /** Per rule: how many devices pass and fail it at the end of the period, failing devices named. */
    rules: { rule: string; title: { en: string; 'zh-CN': string }; severity: string; passed: number; failed: number; failedDevices: string[] }[];
    /** Failing at the end of the period but not at its start (passing then, or the device not yet backed up). */
    newViolations: { device: string; rule: string; title: { en: string; 'zh-CN': string }; severity: string; violations: number }[];
  };
}

const SEVERITY_ORDER = ['critical', 'major', 'minor', 'warning'];

/** Builds the configuration sections' model for the period (as of `asOf` for a period still running). */
export async function configBackupModel(source: ConfigBackupSource, range: TimeRange, asOf: Date): Promise<ConfigBackupModel> {
  const changes = await source.changes(range);
  const byDevice = new Map<string, ConfigBackupModel['perDevice'][number]>();
  // A first backup records what was there; it is listed, but its lines are not counted as changed.
  for (const c of changes.filter((x) => !x.first)) {
    const d = byDevice.get(c.device) ?? { device: c.device, versions: 0, added: 0, removed: 0, last: c.time };
    d.versions++; d.added += c.added; d.removed += c.removed;
    if (c.time > d.last) d.last = c.time;
    byDevice.set(c.device, d);
  }
  const [atStart, atEnd] = await Promise.all([source.complianceAt(range.start), source.complianceAt(asOf)]);
  const before = new Map(atStart.map((d) => [d.device, new Map(d.results.map((r) => [r.rule, r.passed]))]));
  const rules = new Map<string, ConfigBackupModel['compliance']['rules'][number]>();
  const newViolations: ConfigBackupModel['compliance']['newViolations'] = [];
  for (const d of atEnd) {
    for (const r of d.results) {
      const row = rules.get(r.rule) ?? { rule: r.rule, title: r.title, severity: r.severity, passed: 0, failed: 0, failedDevices: [] };
      if (r.passed) row.passed++;
      else {
        row.failed++;
        row.failedDevices.push(d.device);
        if (before.get(d.device)?.get(r.rule) !== false) newViolations.push({ device: d.device, rule: r.rule, title: r.title, severity: r.severity, violations: r.violations });
      }
      rules.set(r.rule, row);
    }
  }
  const sev = (s: string) => { const i = SEVERITY_ORDER.indexOf(s); return i < 0 ? SEVERITY_ORDER.length : i; };
  return {
    changes,
    perDevice: [...byDevice.values()].sort((a, b) => b.added + b.removed - (a.added + a.removed) || a.device.localeCompare(b.device)),
    compliance: {
      devicesChecked: atEnd.length,
      rules: [...rules.values()].sort((a, b) => b.failed - a.failed || sev(a.severity) - sev(b.severity) || a.rule.localeCompare(b.rule)),
      newViolations: newViolations.sort((a, b) => sev(a.severity) - sev(b.severity) || a.device.localeCompare(b.device) || a.rule.localeCompare(b.rule)),
    },
  };
}
