import type { Severity } from '../../core/incident.js';
import { SEVERITIES } from '../../core/incident.js';
import { ConfigInvalidError, YamlSource, parseYamlWith, type ConfigError } from '../../config/yaml-source.js';
import type { Calendar } from '../../service/calendar.js';
import { resolveCalendars } from './calendars.js';
import { parseLocalDateTime } from './rotation.js';
import { notifyFileSchema, type NotifyFile, type TargetConfig } from './schema.js';

/** SLA targets of the service contracts, respond / resolve, per severity. */
export const DEFAULT_SLA: Record<Severity, { respond: number; resolve: number }> = {
  P1: { respond: 30 * 60_000, resolve: 2 * 3_600_000 },
  P2: { respond: 3_600_000, resolve: 4 * 3_600_000 },
  P3: { respond: 2 * 3_600_000, resolve: 8 * 3_600_000 },
  P4: { respond: 4 * 3_600_000, resolve: 24 * 3_600_000 },
};

/** The three tiers the default policies escalate through, in order. */
export const DEFAULT_TIERS = ['engineer', 'lead', 'manager'] as const;

const DEFAULT_TIER_LABELS: Record<string, { en: string; 'zh-CN': string }> = {
  engineer: { en: 'on-site engineer', 'zh-CN': '现场工程师' },
  lead: { en: 'team lead', 'zh-CN': '组长' },
  manager: { en: 'manager', 'zh-CN': '经理' },
};

/** Default reminder lead time before an SLA target is missed. */
export const DEFAULT_REMIND_BEFORE = 10 * 60_000;

/** An escalation step with its targets resolved (a tier's targets copied in). */
export interface ResolvedStep {
  index: number;
  after: number;
  targets: TargetConfig[];
  label: { en: string; 'zh-CN': string };
  until: 'acknowledged' | 'resolved';
  repeat?: number;
}

/** A complete policy for one severity. */
export interface ResolvedPolicy {
  severity: Severity;
  respond: number;
  resolve: number;
  remindBefore: number;
  steps: ResolvedStep[];
}

/** notify.yaml, validated, with a policy for every severity. */
export interface NotifyConfig extends Omit<NotifyFile, 'policies'> {
  file: string;
  policies: Record<Severity, ResolvedPolicy>;
  /** Service calendars by name, "7x24" included, with their holiday data loaded. */
  serviceCalendars: ReadonlyMap<string, Calendar>;
}

function tierLabel(name: string, label: NotifyFile['tiers'][string]['label']): { en: string; 'zh-CN': string } {
  if (typeof label === 'string') return { en: label, 'zh-CN': label };
  return label ?? DEFAULT_TIER_LABELS[name] ?? { en: name, 'zh-CN': name };
}

/** Checks every name that points elsewhere in the file, and fills the default policies. */
// One pass over notify.yaml that collects every mistake with its position; each reference check is a few lines.
export function resolveNotifyFile(src: YamlSource, file: NotifyFile, env: NodeJS.ProcessEnv = {}): { config?: NotifyConfig; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const { calendars, errors: calendarErrors } = resolveCalendars(src, file, env);
  const has = (kind: 'channels' | 'people' | 'schedules' | 'tiers', name: string) => Object.hasOwn(file[kind], name);
  const known = (kind: 'channels' | 'people' | 'schedules' | 'tiers') => Object.keys(file[kind]).join(', ') || 'none defined';

  for (const [name, p] of Object.entries(file.people)) {
    p.channels.forEach((c, i) => { if (!has('channels', c)) errors.push(src.error(['people', name, 'channels', i], `unknown channel "${c}" (channels: ${known('channels')})`)); });
  }
  for (const [name, s] of Object.entries(file.schedules)) {
    s.people.forEach((p, i) => { if (!has('people', p)) errors.push(src.error(['schedules', name, 'people', i], `unknown person "${p}" (people: ${known('people')})`)); });
    s.overrides.forEach((o, i) => {
      if (!has('people', o.person)) errors.push(src.error(['schedules', name, 'overrides', i, 'person'], `unknown person "${o.person}" (people: ${known('people')})`));
      const tz = s.timezone ?? 'UTC';
      if (!(parseLocalDateTime(o.to, tz) > parseLocalDateTime(o.from, tz))) errors.push(src.error(['schedules', name, 'overrides', i, 'to'], `expected "to" to be after "from" (${o.from}), got ${JSON.stringify(o.to)}`));
    });
  }
  const checkTargets = (targets: TargetConfig[], path: (string | number)[]) => {
    targets.forEach((t, i) => {
      if ('person' in t && !has('people', t.person)) errors.push(src.error([...path, i, 'person'], `unknown person "${t.person}" (people: ${known('people')})`));
      if ('schedule' in t && !has('schedules', t.schedule)) errors.push(src.error([...path, i, 'schedule'], `unknown schedule "${t.schedule}" (schedules: ${known('schedules')})`));
      if ('channel' in t && !has('channels', t.channel)) errors.push(src.error([...path, i, 'channel'], `unknown channel "${t.channel}" (channels: ${known('channels')})`));
    });
  };
  for (const [name, t] of Object.entries(file.tiers)) checkTargets(t.notify, ['tiers', name, 'notify']);
  if (file.reports) checkTargets(file.reports.notify, ['reports', 'notify']);
  const placeholders = (text: string, allowed: string[], path: string[]) => {
    const unknown = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) errors.push(src.error(path, `unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')} (expected ${allowed.map((a) => `{${a}}`).join(', ')})`));
  };
  placeholders(file.dashboardUrl, ['publicUrl', 'incident', 'device', 'site'], ['dashboardUrl']);
  if (file.ackLinks) {
    for (const key of ['url', 'claimUrl', 'muteUrl'] as const) {
      placeholders(file.ackLinks[key], ['publicUrl', 'token', 'incident', 'device', 'site'], ['ackLinks', key]);
      if (!file.ackLinks[key].includes('{token}')) errors.push(src.error(['ackLinks', key], 'expected the link to contain {token}'));
    }
  }
  if (file.phoneFallback) checkTargets(file.phoneFallback.notify, ['phoneFallback', 'notify']);
  // Chat buttons carry the same signed tokens as the links: without ackLinks there is nothing to sign them with.
  if (file.chat && !file.ackLinks) errors.push(src.error(['chat'], 'expected ackLinks to be configured too: chat buttons carry signed link tokens'));

  const policies = {} as Record<Severity, ResolvedPolicy>;
  for (const sev of SEVERITIES) {
    const own = file.policies[sev];
    const sla = { respond: own?.respond ?? DEFAULT_SLA[sev].respond, resolve: own?.resolve ?? DEFAULT_SLA[sev].resolve };
    const path = ['policies', sev];
    if (sla.resolve < sla.respond) errors.push(src.error([...path, 'resolve'], `expected the resolution target to be at least the response target (${sla.respond / 60_000} min)`));
    const steps: ResolvedStep[] = [];
    if (own?.steps) {
      let previous = 0;
      own.steps.forEach((s, i) => {
        const at = [...path, 'steps', i];
        if (s.tier !== undefined && s.notify !== undefined) errors.push(src.error(at, 'expected either "tier" or "notify", not both'));
        else if (s.tier === undefined && s.notify === undefined) errors.push(src.error(at, 'expected "tier: NAME" or "notify: [targets]"'));
        if (s.tier !== undefined && !has('tiers', s.tier)) errors.push(src.error([...at, 'tier'], `unknown tier "${s.tier}" (tiers: ${known('tiers')})`));
        if (s.notify) checkTargets(s.notify, [...at, 'notify']);
        if (s.after < previous) errors.push(src.error([...at, 'after'], `expected steps in order of "after" (at least ${previous / 60_000} min, the step before)`));
        previous = s.after;
        if (s.repeat !== undefined && i !== own.steps!.length - 1) errors.push(src.error([...at, 'repeat'], 'only the last step can repeat'));
        if (s.repeat !== undefined && s.repeat < 60_000) errors.push(src.error([...at, 'repeat'], `expected a repeat interval of at least 1m, got ${s.repeat}ms`));
        const tier = s.tier !== undefined ? file.tiers[s.tier] : undefined;
        steps.push({
          index: i, after: s.after, until: s.until, repeat: s.repeat,
          targets: s.notify ?? tier?.notify ?? [],
          label: s.tier !== undefined ? tierLabel(s.tier, tier?.label) : { en: `step ${i + 1}`, 'zh-CN': `第 ${i + 1} 级` },
        });
      });
    } else {
      // Defaults: engineer at once; team lead when the response target passes unacknowledged;
      // manager when the resolution target passes unresolved, again every response interval.
      const missing = DEFAULT_TIERS.filter((t) => !has('tiers', t));
      if (missing.length > 0) {
        errors.push(src.error(Object.keys(file.tiers).length > 0 ? ['tiers'] : [], `the default ${sev} policy escalates through tiers ${DEFAULT_TIERS.join(' -> ')}: define tiers ${missing.join(', ')} or give policies.${sev}.steps`, Object.keys(file.tiers).length > 0));
      } else {
        const at = [0, sla.respond, sla.resolve];
        DEFAULT_TIERS.forEach((t, i) => steps.push({
          index: i, after: at[i]!, targets: file.tiers[t]!.notify, label: tierLabel(t, file.tiers[t]!.label),
          until: i === 2 ? 'resolved' : 'acknowledged', repeat: i === 2 ? sla.respond : undefined,
        }));
      }
    }
    policies[sev] = { severity: sev, ...sla, remindBefore: own?.remindBefore ?? DEFAULT_REMIND_BEFORE, steps };
  }
  // Only one default-tier error is worth reading, not four.
  const seen = new Set<string>();
  const unique = errors.filter((e) => { const k = e.message.replace(/P[1-4]/g, ''); if (seen.has(k)) return false; seen.add(k); return true; });
  unique.sort((a, b) => a.line - b.line || a.col - b.col);
  // Holiday files' errors first, in their own order; then notify.yaml's by position.
  if (unique.length + calendarErrors.length > 0) return { errors: [...calendarErrors.filter((e) => e.file !== src.displayName), ...[...unique, ...calendarErrors.filter((e) => e.file === src.displayName)].sort((a, b) => a.line - b.line || a.col - b.col)] };
  return { config: { ...file, file: src.displayName, policies, serviceCalendars: calendars }, errors: [] };
}

/** Reads and validates notify.yaml; throws ConfigInvalidError listing every mistake as file:line:col. */
export function loadNotifyConfig(path: string, env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const src = YamlSource.read(path);
  const parsed = parseYamlWith(src, notifyFileSchema, env);
  if (!parsed.value) throw new ConfigInvalidError(parsed.errors);
  const { config, errors } = resolveNotifyFile(src, parsed.value, env);
  if (!config) throw new ConfigInvalidError(errors);
  return config;
}
