import type { ConfigBackupSource, ReportConfigChange } from '../reports/model/config-backup.js';
import { checkConfig } from './compliance.js';
import type { ComplianceRule } from './compliance-rules.js';
import type { ConfigStore } from './store.js';

/**
 * The reports' view of configuration backup over the git store: the period's versions, and compliance of the
 * version each device had at a moment, checked afresh with the rules in force (so a rule added this week is
 * judged on last week's configuration too, and "new violation" means the configuration changed, not the rules).
 */
export function configBackupReportSource(store: ConfigStore, rules: readonly ComplianceRule[], platforms: () => ReadonlyMap<string, string>): ConfigBackupSource {
  return {
    async changes(range) {
      const all = await store.history(undefined, range.start);
      return all
        .map((v): ReportConfigChange => ({ device: v.device, time: new Date(v.time), added: v.added, removed: v.removed, first: v.first, trigger: v.kind ?? v.trigger, by: v.by, commit: v.commit }))
        .filter((c) => c.device !== '' && c.time >= range.start && c.time < range.end)
        .sort((a, b) => a.time.getTime() - b.time.getTime());
    },
    async complianceAt(at) {
      const out: Awaited<ReturnType<ConfigBackupSource['complianceAt']>> = [];
      for (const [device, platform] of platforms()) {
        const v = (await store.versions(device)).find((x) => new Date(x.time) <= at);
        if (!v) continue;
        const results = checkConfig(rules, platform, await store.read(device, v.commit));
        out.push({ device, results: results.map((r) => ({ rule: r.rule, title: r.title, severity: r.severity, passed: r.passed, violations: r.violations })) });
      }
      return out;
    },
  };
}
