import type { LineRule, Vendor } from './vendor.js';

/** Lines longer than this are never volatile (rules only look at short lines, so a regex never sees a 64 KB line). */
const MAX_RULE_LINE = 1024;

const compiled = new Map<string, RegExp>();
function re(pattern: string): RegExp {
  let r = compiled.get(pattern);
  if (!r) { r = new RegExp(pattern); compiled.set(pattern, r); }
  return r;
}

function applyRules(line: string, rules: readonly LineRule[]): string | undefined {
  if (line.length > MAX_RULE_LINE) return line;
  let out = line;
  for (const rule of rules) {
    const r = re(rule.pattern);
    if (!r.test(out)) continue;
    if (rule.replace === undefined) return undefined;
    out = out.replace(r, rule.replace);
  }
  return out;
}

/**
 * The configuration as stored: leading non-configuration lines dropped, lines that change on every read dropped
 * or rewritten by the vendor's rules, trailing blanks trimmed, one final newline. Two reads of an unchanged
 * device give the same text, so they make no new version.
 */
export function normaliseConfig(raw: string, vendor: Pick<Vendor, 'volatile' | 'dropLeading'>): string {
  const lines = raw.split('\n').map((l) => l.trimEnd());
  let start = 0;
  while (start < lines.length && lines[start]!.length <= MAX_RULE_LINE && vendor.dropLeading.some((p) => re(p).test(lines[start]!))) start++;
  const kept: string[] = [];
  for (const line of lines.slice(start)) {
    const out = applyRules(line, vendor.volatile);
    if (out !== undefined) kept.push(out);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}
