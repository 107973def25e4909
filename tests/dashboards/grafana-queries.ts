/**
 * Runs a dashboard's InfluxQL the way Grafana's InfluxDB datasource would: variables resolved from their own
 * queries against the database, then `$timeFilter`, `$__interval` and `$variable` substituted before the
 * statement goes to InfluxDB's HTTP /query.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardQueries, type DashboardQuery } from '../../dashboards/common.js';
import { influxQuery } from '../../src/lab/influxd.js';

/** An absolute time range in ms since the epoch. */
export interface TimeRange { from: number; to: number }

/** What one variable is set to: everything (`All`), or some values. */
export type VariableValue = { all: true } | { values: string[] };

/** Grafana's `$timeFilter` for an absolute range. */
export function timeFilter(range: TimeRange): string {
  return `time >= ${range.from}ms and time <= ${range.to}ms`;
}

/** Escapes a value for use inside an InfluxQL regex literal, as Grafana does for multi-value variables. */
export function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** The text a variable stands for in a query: `allValue` for All, escaped `(a|b)` for multi-value variables, the raw value otherwise. */
export function formatVariable(model: dashboard.VariableModel, value: VariableValue): string {
  if ('all' in value) {
    if (model.allValue === undefined) throw new Error(`$${model.name} has no allValue`);
    return model.allValue;
  }
  if (!model.multi && !model.includeAll) {
    if (value.values.length !== 1) throw new Error(`$${model.name} is single-valued`);
    return value.values[0]!;
  }
  const escaped = value.values.map(regexEscape);
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

/** Substitutes built-ins and variables; throws on a `$name` nothing defines, so a typo cannot pass unnoticed. */
export function interpolate(query: string, vars: Map<string, string>, range: TimeRange, interval: string): string {
  return query.replace(/\$(\w+)|\$\{(\w+)\}|\[\[(\w+)\]\]/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (name === 'timeFilter') return timeFilter(range);
    if (name === '__interval' || name === 'interval') return interval;
    const v = vars.get(name);
    if (v === undefined) throw new Error(`undefined variable ${whole} in: ${query}`);
    return v;
  });
}

/** Variable names a query refers to (built-ins excluded). */
export function variablesIn(query: string): string[] {
  const names = [...query.matchAll(/\$(\w+)|\$\{(\w+)\}|\[\[(\w+)\]\]/g)].map((m) => (m[1] ?? m[2] ?? m[3])!);
  return [...new Set(names.filter((n) => n !== 'timeFilter' && n !== 'interval' && !n.startsWith('__')))];
}

type Series = { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] };

/** Runs one statement; returns its series (an InfluxDB error throws, with the statement). */
export async function runQuery(url: string, db: string, q: string): Promise<Series[]> {
  const results = await influxQuery(url, q, db);
  return results.flatMap((r) => (r.series ?? []) as Series[]);
}

/** True when some series holds a non-null value outside the time column. */
export function hasValues(series: Series[]): boolean {
  return series.some((s) => s.values.some((row) => row.some((v, i) => s.columns[i] !== 'time' && v !== null && v !== undefined)));
}

/** The outcome of one dashboard query against the database. */
export interface QueryOutcome {
  query: DashboardQuery;
  /** The statement as sent, for the report of the last attempt. */
  sent: string;
  /** Variable values the statement was run with. */
  with: Record<string, string>;
  series: number;
  hasData: boolean;
}

/**
 * Resolves the dashboard's variables in order (each may use the ones before it) and returns, per variable,
 * the settings to try: All for variables that have it, otherwise each value the variable's query returned.
 */
export async function variableChoices(url: string, db: string, d: dashboard.Dashboard, range: TimeRange, interval: string): Promise<Map<string, { model: dashboard.VariableModel; choices: VariableValue[]; values: string[] }>> {
  const out = new Map<string, { model: dashboard.VariableModel; choices: VariableValue[]; values: string[] }>();
  const current = new Map<string, string>();
  for (const model of d.templating.list ?? []) {
    if (model.type !== 'query' || typeof model.query !== 'string') continue;
    const series = await runQuery(url, db, interpolate(model.query, current, range, interval));
    // SHOW TAG VALUES answers one series per measurement with [key, value] rows.
    const values = [...new Set(series.flatMap((s) => s.values.map((row) => String(row[1]))))].sort();
    // A saved selection (the NOC wall's `wan_site` = wan) is what Grafana opens with, so it goes first.
    const saved = [model.current?.value ?? []].flat().filter((v) => v !== '$__all' && values.includes(v));
    const choices: VariableValue[] = [
      ...(saved.length > 0 ? [{ values: saved }] : []),
      ...(model.includeAll ? [{ all: true as const }] : values.map((v) => ({ values: [v] }))),
    ];
    out.set(model.name, { model, choices, values });
    if (choices[0]) current.set(model.name, formatVariable(model, choices[0]));
  }
  return out;
}

/**
 * Runs every panel and annotation query of a dashboard. A query using a single-valued variable is tried with
 * each of its values (bounded by the values the lab has) until one returns data, as an engineer would pick
 * a device that has the thing the panel shows.
 */
export async function runDashboard(url: string, db: string, d: dashboard.Dashboard, range: TimeRange, interval: string): Promise<{ variables: QueryOutcome[]; panels: QueryOutcome[] }> {
  const choices = await variableChoices(url, db, d, range, interval);
  const queries = dashboardQueries(d);
  const variables: QueryOutcome[] = [];
  const fixed = new Map<string, string>();
  for (const q of queries.filter((x) => x.kind === 'variable')) {
    const sent = interpolate(q.query, fixed, range, interval);
    const series = await runQuery(url, db, sent);
    variables.push({ query: q, sent, with: Object.fromEntries(fixed), series: series.length, hasData: hasValues(series) });
    const name = q.where.replace(/^variable \$/, '');
    const first = choices.get(name)?.choices[0];
    const model = choices.get(name)?.model;
    if (first && model) fixed.set(name, formatVariable(model, first));
  }
  const panels: QueryOutcome[] = [];
  for (const q of queries.filter((x) => x.kind !== 'variable')) {
    const used = variablesIn(q.query);
    // The one variable (if any) without All is iterated; the rest stay at their first choice (All).
    const iterated = used.find((n) => !choices.get(n)?.model.includeAll);
    const tries = iterated ? choices.get(iterated)?.choices ?? [] : [undefined];
    let outcome: QueryOutcome | undefined;
    for (const choice of tries.length > 0 ? tries : [undefined]) {
      const vars = new Map(fixed);
      if (iterated && choice) vars.set(iterated, formatVariable(choices.get(iterated)!.model, choice));
      const sent = interpolate(q.query, vars, range, interval);
      const series = await runQuery(url, db, sent);
      const withVars = Object.fromEntries([...vars].filter(([k]) => used.includes(k)));
      outcome = { query: q, sent, with: withVars, series: series.length, hasData: hasValues(series) };
      if (outcome.hasData) break;
    }
    panels.push(outcome!);
  }
  return { variables, panels };
}
