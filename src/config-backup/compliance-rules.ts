import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readYamlDirs } from '../config/data-files.js';
import { ConfigInvalidError, YamlSource, parseYamlWith, type ConfigError } from '../config/yaml-source.js';
import { pattern } from './vendor.js';

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a rule id of lower-case letters, digits and dashes, such as no-telnet-server');
const platformName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a command set name such as huawei-vrp');
const CHECKS = ['mustContain', 'mustNotContain', 'mustMatch', 'mustNotMatch'] as const;

/**
 * One compliance rule: where to look (`section`, a header line and the lines indented under it; the whole
 * configuration without it) and exactly one check: a line must (not) contain a text, or must (not) match a pattern.
 */
const ruleSchema = z.strictObject({
  id: ruleId,
  title: z.strictObject({ en: z.string().min(1).max(200), 'zh-CN': z.string().min(1).max(200) }),
  severity: z.enum(['critical', 'major', 'minor', 'warning']).default('warning'),
  /** The command sets (ssh.platform) this rule applies to; the file's `platforms` when left out. */
  platforms: z.array(platformName).min(1).optional(),
  /** A section header pattern; the check runs in each such section (with its indented lines). No section: nothing to check. */
  section: pattern.optional(),
  mustContain: z.string().min(1).max(255).optional(),
  mustNotContain: z.string().min(1).max(255).optional(),
  mustMatch: pattern.optional(),
  mustNotMatch: pattern.optional(),
  why: z.string().max(500).optional(),
}).superRefine((r, ctx) => {
  const given = CHECKS.filter((c) => r[c] !== undefined);
  if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `expected exactly one of ${CHECKS.join(', ')}${given.length ? `, got ${given.join(' and ')}` : ''}` });
});

/** A rules file: shipped (src/config-backup/compliance/*.yaml) or the user's (`configBackup.compliance`). */
export const complianceFileSchema = z.strictObject({
  /** The command sets every rule of this file applies to, unless a rule names its own. */
  platforms: z.array(platformName).min(1).optional(),
  rules: z.array(ruleSchema).default([]),
  /** Ids of shipped rules to leave out (user file only). */
  disable: z.array(ruleId).default([]),
});

/** What a rule checks, after its file's defaults were applied. */
export type ComplianceCheck =
  | { kind: 'mustContain' | 'mustNotContain'; text: string }
  | { kind: 'mustMatch' | 'mustNotMatch'; regex: RegExp };

/** A loaded rule: its platforms resolved, its check compiled, and the file it came from. */
export interface ComplianceRule {
  id: string;
  title: { en: string; 'zh-CN': string };
  severity: 'critical' | 'major' | 'minor' | 'warning';
  platforms: string[];
  section?: RegExp;
  check: ComplianceCheck;
  why?: string;
  file: string;
}

/** The shipped rules, one file per vendor family. */
export const BUILTIN_COMPLIANCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'compliance');

type RuleInput = z.output<typeof ruleSchema>;

function compile(r: RuleInput, platforms: string[], file: string): ComplianceRule {
  const check: ComplianceCheck = r.mustContain !== undefined ? { kind: 'mustContain', text: r.mustContain }
    : r.mustNotContain !== undefined ? { kind: 'mustNotContain', text: r.mustNotContain }
      : r.mustMatch !== undefined ? { kind: 'mustMatch', regex: new RegExp(r.mustMatch) }
        : { kind: 'mustNotMatch', regex: new RegExp(r.mustNotMatch!) };
  return { id: r.id, title: r.title, severity: r.severity, platforms, section: r.section ? new RegExp(r.section) : undefined, check, why: r.why, file };
}

/**
 * Loads the shipped rules, then the user's file (which adds rules, replaces shipped ones of the same id and
 * platform, and `disable`s ids). Every mistake is reported with file:line:col: bad YAML, an unknown key, a rule
 * with no or two checks, a pattern that can backtrack, an unknown platform (when `platforms` names the known ones).
 */
export function loadComplianceRules(opts: { userFile?: string; builtinDir?: string; knownPlatforms?: readonly string[] } = {}): ComplianceRule[] {
  const errors: ConfigError[] = [];
  const byKey = new Map<string, ComplianceRule>();
  const known = opts.knownPlatforms ? new Set(opts.knownPlatforms) : undefined;
  const take = (src: YamlSource, value: z.output<typeof complianceFileSchema>, file: string) => {
    value.rules.forEach((r, i) => {
      const platforms = r.platforms ?? value.platforms;
      if (!platforms) { errors.push(src.error(['rules', i], `rule "${r.id}": expected platforms (on the rule or at the top of the file)`)); return; }
      for (const [j, p] of platforms.entries()) {
        if (known && !known.has(p)) errors.push(src.error(r.platforms ? ['rules', i, 'platforms', j] : ['platforms', j], `unknown platform "${p}" (expected one of: ${[...known].join(', ')})`));
      }
      for (const p of platforms) byKey.set(`${p}\u0000${r.id}`, compile(r, platforms, file));
    });
  };
  readYamlDirs([opts.builtinDir ?? BUILTIN_COMPLIANCE_DIR], complianceFileSchema, (value, file) => take(YamlSource.read(file), value, file));
  if (opts.userFile) {
    if (!existsSync(opts.userFile)) throw new ConfigInvalidError([{ file: opts.userFile, line: 1, col: 1, path: '', message: 'compliance rules file not found (configBackup.compliance in noctua.yaml)' }]);
    const src = YamlSource.read(opts.userFile);
    const parsed = parseYamlWith(src, complianceFileSchema);
    if (parsed.value === undefined) errors.push(...parsed.errors);
    else {
      const off = new Set(parsed.value.disable);
      for (const [k, r] of byKey) if (off.has(r.id)) byKey.delete(k);
      take(src, parsed.value, opts.userFile);
    }
  }
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  // One rule object per (platform, id); a rule shared by platforms appears once in the list.
  return [...new Set(byKey.values())].map((r) => ({ ...r, platforms: [...byKey.entries()].filter(([, v]) => v === r).map(([k]) => k.split('\u0000')[0]!) }));
}
