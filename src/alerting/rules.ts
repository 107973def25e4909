import type { Severity } from '../core/incident.js';
import type { Sample } from '../core/sample.js';
import type { DeviceClass } from '../config/inventory-schema.js';
import { ConfigInvalidError, YamlSource, parseYamlWith, type ConfigError } from '../config/yaml-source.js';
import { buildCondition, type Condition } from './conditions.js';
import { parseCron } from './cron.js';
import { compilePatterns } from './patterns.js';
import { alertsFileSchema, type AlertsFile, type MaintenanceSpec, type RuleSpec } from './rules-schema.js';
import { unknownTemplateVariables } from './templates.js';
import { checkField, checkMatchKey, checkMeasurement, checkTag, instanceFunction, instanceTags, matchFields } from './vocabulary.js';

/** What the engine knows about a device: from the inventory, or from the sample's tags when it is not there. */
export interface DeviceInfo {
  name: string;
  site: string;
  class: DeviceClass | string;
  tags: readonly string[];
  parent?: string;
}

/** A rule ready to evaluate. */
export interface CompiledRule {
  name: string;
  spec: RuleSpec;
  condition: Condition;
  clear?: Condition;
  /** Device-level filters only (class, site, name, tags): used for absence and maintenance of devices never heard from. */
  selectsDevice(d: DeviceInfo): boolean;
  /** The full selector for one sample of one device. */
  selectsSample(s: Sample, d: DeviceInfo): boolean;
  instanceOf(s: Sample): string;
  /** True when the rule's measurement has no instance tag: one alert per device. */
  deviceLevel: boolean;
  severityFor(d: DeviceInfo): Severity;
}

/** A loaded, checked `alerts.yaml`. */
export interface AlertRules {
  file?: string;
  rules: CompiledRule[];
  groupBy: string[];
  flapping: AlertsFile['flapping'];
  evaluationInterval: number;
  /** Polls of a device in a row without an instance before its (not firing) alert tracker is forgotten; 5 when unset. */
  forgetAfterPolls?: number;
  maintenance: MaintenanceSpec[];
}

interface DeviceFilter { class?: readonly string[]; site?: readonly string[]; device?: readonly string[]; deviceTags?: readonly string[]; excludeDeviceTags?: readonly string[] }

function deviceFilter(f: DeviceFilter): (d: DeviceInfo) => boolean {
  const site = f.site && compilePatterns(f.site);
  const name = f.device && compilePatterns(f.device);
  return (d) =>
    (!f.class || f.class.includes(d.class)) &&
    (!site || site(d.site)) &&
    (!name || name(d.name)) &&
    (!f.deviceTags || f.deviceTags.every((t) => d.tags.includes(t))) &&
    (!f.excludeDeviceTags || !f.excludeDeviceTags.some((t) => d.tags.includes(t)));
}

type Test = readonly [string, (value: string) => boolean];

/** The value `match`/`exclude` test: the tag, else (for the measurement's matchable fields) the field as text. */
function selectable(s: Sample, key: string, fields: readonly string[]): string {
  const tag = s.tags[key];
  if (tag !== undefined || !fields.includes(key)) return tag ?? '';
  const v = s.fields[key];
  return v === undefined ? '' : String(v);
}

function compileRule(spec: RuleSpec): CompiledRule {
  const sel = spec.select;
  const selectsDevice = deviceFilter(sel);
  const fields = matchFields(sel.measurement);
  const match: Test[] = Object.entries(sel.match ?? {}).map(([k, v]) => [k, compilePatterns(v)] as const);
  const exclude: Test[] = Object.entries(sel.exclude ?? {}).map(([k, v]) => [k, compilePatterns(v)] as const);
  const tags = sel.instanceTag ?? instanceTags(sel.measurement);
  const named = sel.instanceTag ? undefined : instanceFunction(sel.measurement);
  const instanceOf = named ? (s: Sample) => named(s.tags) : (s: Sample) => tags.map((t) => s.tags[t] ?? '').join('/');
  const instance = sel.instance && compilePatterns(sel.instance);
  const overrides = (spec.severityFor ?? []).map((o) => ({ test: deviceFilter(o), severity: o.severity }));
  const holds = (s: Sample, skip?: ReadonlySet<string>) => {
    for (const [k, test] of match) if (!skip?.has(k) && !test(selectable(s, k, fields))) return false;
    for (const [k, test] of exclude) if (!skip?.has(k) && test(selectable(s, k, fields))) return false;
    return !instance || instance(instanceOf(s));
  };
  const clearing = sel.measurement === 'event' ? clearingEvents(match) : undefined;
  return {
    name: spec.name, spec,
    condition: buildCondition(spec.condition, { clearsSelected: clearing?.clearsSelected }),
    clear: spec.clear && buildCondition(spec.clear, { clearsSelected: clearing?.clearsSelected }),
    selectsDevice,
    selectsSample(s, d) {
      if (s.measurement !== sel.measurement || !selectsDevice(d)) return false;
      if (holds(s)) return true;
      // A clearing event (link-up) reaches the alert of the type it clears, whatever its own type and severity.
      return clearing !== undefined && clearing.clearsSelected(s) && holds(s, CLEARING_IGNORES);
    },
    instanceOf,
    deviceLevel: tags.length === 0,
    severityFor: (d) => overrides.find((o) => o.test(d))?.severity ?? spec.severity,
  };
}

/** A clearing event differs from the fault it ends in these tags only. */
const CLEARING_IGNORES: ReadonlySet<string> = new Set(['type', 'severity']);

/**
 * Catalogs say which types an event clears (`clears: link-down`, the sample's `clears` field, comma-separated):
 * a sample clears a rule's alert when it names a type the rule's `match.type` selects (any type without one).
 */
function clearingEvents(match: readonly Test[]): { clearsSelected: (s: Sample) => boolean } {
  const type = match.find(([k]) => k === 'type')?.[1];
  return {
    clearsSelected(s) {
      const c = s.fields.clears;
      if (typeof c !== 'string' || c === '') return false;
      return c.split(',').some((t) => !type || type(t));
    },
  };
}

/** Checks what the schema cannot (unique names, template variables, cron syntax) and compiles the rules. */
export function compileAlertRules(src: YamlSource, file: AlertsFile): { rules?: AlertRules; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const seen = new Map<string, number>();
  file.rules.forEach((r, i) => {
    const prev = seen.get(r.name);
    if (prev !== undefined) errors.push(src.error(['rules', i, 'name'], `duplicate rule name "${r.name}" (first defined at line ${src.position(['rules', prev, 'name']).line})`));
    else seen.set(r.name, i);
    for (const key of ['summary', 'text'] as const) {
      const t = r[key];
      if (!t) continue;
      for (const locale of ['en', 'zh-CN'] as const) {
        const bad = unknownTemplateVariables(t[locale]);
        if (bad.length === 0) continue;
        const raw = src.doc.getIn(['rules', i, key]);
        const path = typeof raw === 'string' || (raw && typeof raw === 'object' && 'value' in raw) ? ['rules', i, key] : ['rules', i, key, locale];
        errors.push(src.error(path, `unknown template variable${bad.length > 1 ? 's' : ''} ${bad.map((b) => `{{${b}}}`).join(', ')} (expected {{device}}, {{instance}}, {{value}}, {{threshold}}, {{site}}, {{class}}, {{rule}}, {{severity}}, {{measurement}}, {{tags.NAME}} or {{labels.NAME}})`));
      }
    }
    errors.push(...vocabularyErrors(src, r, i));
    if (r.condition.absence && r.consecutive > 1) errors.push(src.error(['rules', i, 'consecutive'], 'an absence condition has no samples to count (use "for" instead)'));
  });
  const windows = new Map<string, number>();
  file.maintenance.forEach((m, i) => {
    if (windows.has(m.name)) errors.push(src.error(['maintenance', i, 'name'], `duplicate maintenance window name "${m.name}"`));
    else windows.set(m.name, i);
    if (m.cron !== undefined) {
      try { parseCron(m.cron, m.timezone); } catch (err) { errors.push(src.error(['maintenance', i, 'cron'], (err as Error).message)); }
    }
  });
  if (errors.length > 0) return { errors };
  return {
    errors,
    rules: {
      file: src.displayName,
      rules: file.rules.filter((r) => r.enabled).map(compileRule),
      groupBy: file.incidents.groupBy,
      flapping: file.flapping,
      evaluationInterval: file.evaluationInterval,
      forgetAfterPolls: file.forgetAfterPolls,
      maintenance: file.maintenance,
    },
  };
}

/** Measurements, tags and fields a rule names must exist (docs/SCHEMA.md), or the rule would never match. */
function vocabularyErrors(src: YamlSource, r: RuleSpec, i: number): ConfigError[] {
  const out: ConfigError[] = [];
  const m = r.select.measurement;
  const bad = checkMeasurement(m);
  if (bad) return [src.error(['rules', i, 'select', 'measurement'], bad)];
  for (const key of ['match', 'exclude'] as const) {
    for (const tag of Object.keys(r.select[key] ?? {})) {
      const e = checkMatchKey(m, tag);
      if (e) out.push(src.error(['rules', i, 'select', key, tag], e, true));
    }
  }
  (r.select.instanceTag ?? []).forEach((tag, j) => {
    const e = checkTag(m, tag);
    if (e) out.push(src.error(['rules', i, 'select', 'instanceTag', ...(src.doc.getIn(['rules', i, 'select', 'instanceTag']) instanceof Object ? [j] : [])], e));
  });
  for (const which of ['condition', 'clear'] as const) {
    const c = r[which];
    if (!c) continue;
    for (const kind of ['threshold', 'change', 'rate'] as const) {
      const spec = c[kind];
      if (!spec) continue;
      const e = checkField(m, spec.field);
      if (e) out.push(src.error(['rules', i, which, kind, 'field'], e));
    }
    (c.while ?? []).forEach((g, j) => {
      const gm = g.measurement ?? m;
      const em = checkMeasurement(gm);
      if (em) { out.push(src.error(['rules', i, which, 'while', j, 'measurement'], em)); return; }
      const ef = checkField(gm, g.field);
      if (ef) out.push(src.error(['rules', i, which, 'while', j, 'field'], ef));
    });
  }
  return out;
}

/** Parses rules from text (tests, `alerts check`); throws {@link ConfigInvalidError} with every error. */
export function parseAlertRules(text: string, fileName = 'alerts.yaml', env: NodeJS.ProcessEnv = process.env): AlertRules {
  return fromSource(new YamlSource(fileName, text), env);
}

/** Loads `alerts.yaml`; throws {@link ConfigInvalidError} listing every error with file:line:col. */
export function loadAlertRules(path: string, env: NodeJS.ProcessEnv = process.env): AlertRules {
  return fromSource(YamlSource.read(path), env);
}

function fromSource(src: YamlSource, env: NodeJS.ProcessEnv): AlertRules {
  const parsed = parseYamlWith(src, alertsFileSchema, env);
  if (!parsed.value) throw new ConfigInvalidError([...parsed.errors].sort((a, b) => a.line - b.line || a.col - b.col));
  const { rules, errors } = compileAlertRules(src, parsed.value);
  if (!rules) throw new ConfigInvalidError(errors.sort((a, b) => a.line - b.line || a.col - b.col));
  return rules;
}
