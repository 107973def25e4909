/**
 * Summary and text templates of rules: `{{device}}`, `{{instance}}`, `{{value}}`, `{{threshold}}`,
 * `{{site}}`, `{{class}}`, `{{rule}}`, `{{severity}}`, `{{tags.NAME}}` (sample tags) and `{{labels.NAME}}`.
 */

/** The variables a template may use (besides `tags.*` and `labels.*`). */
export const TEMPLATE_VARIABLES = ['device', 'instance', 'value', 'threshold', 'site', 'class', 'rule', 'severity', 'measurement'] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Names used by a template that are not variables, so a typo is caught at load instead of printed to on-call. */
export function unknownTemplateVariables(template: string): string[] {
  const bad: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if ((TEMPLATE_VARIABLES as readonly string[]).includes(name)) continue;
    if (/^(tags|labels)\.[^.]+$/.test(name)) continue;
    bad.push(name);
  }
  return bad;
}

/** Values for one rendering. */
export interface TemplateData {
  vars: Partial<Record<(typeof TEMPLATE_VARIABLES)[number], string | number | boolean | undefined>>;
  tags: Record<string, string>;
  labels: Record<string, string>;
}

/** Formats a value for people: numbers with at most two decimals, booleans as up/down-neutral true/false. */
export function formatValue(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  return String(v);
}

/** Renders a template; a variable without a value renders as empty text. */
export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    if (name.startsWith('tags.')) return data.tags[name.slice(5)] ?? '';
    if (name.startsWith('labels.')) return data.labels[name.slice(7)] ?? '';
    return formatValue(data.vars[name as keyof TemplateData['vars']]);
  });
}
