import type { Sample } from '../core/sample.js';
import type { ComplianceRule } from './compliance-rules.js';
import { maskSecrets } from './secrets.js';

/** Longest line a rule looks at; device text beyond this is not matched (patterns run on what devices send). */
const MAX_LINE = 1024;
/** Evidence lines kept per rule and device. */
const MAX_EVIDENCE = 5;

/** A line that shows a violation, secrets masked (results are shown to every role). */
export interface Evidence { line: number; text: string }

/** One rule's verdict on one configuration. */
export interface RuleResult {
  rule: string;
  title: { en: string; 'zh-CN': string };
  severity: ComplianceRule['severity'];
  passed: boolean;
  /** Offending lines (must not) or sections without the required line (must); 1 for a whole configuration missing it. */
  violations: number;
  /** Why it failed, in no language: the missing text or pattern, or the offending lines. */
  evidence: Evidence[];
  /** Sections checked (0 when the rule has no section or none was found: then it passes, nothing to check). */
  sections: number;
}

/** A device's compliance at one configuration version. */
export interface DeviceCompliance { device: string; platform: string; commit: string; checkedAt: Date; results: RuleResult[] }

interface Line { n: number; text: string; indent: number }

function linesOf(config: string): Line[] {
  return config.split('\n').map((raw, i) => {
    const text = raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw;
    return { n: i + 1, text, indent: text.length - text.trimStart().length };
  });
}

/** The header lines matching `section`, each with the lines indented deeper under it (blank lines included). */
function sectionsOf(lines: readonly Line[], header: RegExp): Line[][] {
  const out: Line[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const h = lines[i]!;
    if (!header.test(h.text)) continue;
    const block = [h];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.text.trim() !== '' && l.indent <= h.indent) break;
      block.push(l);
    }
    out.push(block);
  }
  return out;
}

function hit(rule: ComplianceRule, text: string): boolean {
  const c = rule.check;
  return 'text' in c ? text.includes(c.text) : c.regex.test(text);
}

/** Checks one rule against one configuration. */
export function checkRule(rule: ComplianceRule, config: string, secretKeywords: readonly string[] = []): RuleResult {
  const lines = linesOf(config);
  const scopes = rule.section ? sectionsOf(lines, rule.section) : [lines];
  const must = rule.check.kind === 'mustContain' || rule.check.kind === 'mustMatch';
  const evidence: Evidence[] = [];
  let violations = 0;
  for (const scope of scopes) {
    if (must) {
      if (!scope.some((l) => hit(rule, l.text))) {
        violations++;
        // The section header (or nothing, for the whole configuration) shows where the text is missing.
        if (rule.section && evidence.length < MAX_EVIDENCE) evidence.push({ line: scope[0]!.n, text: maskSecrets(scope[0]!.text, secretKeywords) });
      }
    } else {
      for (const l of scope) {
        if (!hit(rule, l.text)) continue;
        violations++;
        if (evidence.length < MAX_EVIDENCE) evidence.push({ line: l.n, text: maskSecrets(l.text, secretKeywords) });
      }
    }
  }
  return {
    rule: rule.id, title: rule.title, severity: rule.severity, passed: violations === 0, violations, evidence,
    sections: rule.section ? scopes.length : 0,
  };
}

/** The rules of a platform checked against a configuration. */
export function checkConfig(rules: readonly ComplianceRule[], platform: string, config: string, secretKeywords: readonly string[] = []): RuleResult[] {
  return rules.filter((r) => r.platforms.includes(platform)).map((r) => checkRule(r, config, secretKeywords));
}

/**
 * The `compliance` samples of docs/SCHEMA.md: one per device and rule (violations 0 when it passes), so an alert
 * rule can page when `violations > 0` appears, and one per device with the totals.
 */
export function complianceSamples(c: DeviceCompliance, labels: { site?: string; class?: string } = {}): Sample[] {
  const common: Record<string, string> = { device: c.device, platform: c.platform };
  if (labels.site) common.site = labels.site;
  if (labels.class) common.class = labels.class;
  const out: Sample[] = c.results.map((r) => ({
    measurement: 'compliance', time: c.checkedAt,
    tags: { ...common, rule: r.rule, severity: r.severity },
    fields: { violations: BigInt(r.violations), passed: r.passed, commit: c.commit.slice(0, 12) },
  }));
  const failed = c.results.filter((r) => !r.passed).length;
  out.push({
    measurement: 'compliance', time: c.checkedAt, tags: { ...common, rule: '_all' },
    fields: { violations: BigInt(failed), passed: failed === 0, rules: BigInt(c.results.length), commit: c.commit.slice(0, 12) },
  });
  return out;
}
