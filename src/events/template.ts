/**
 * Catalog text with `{name}` placeholders, used two ways: to render event text from values, and as a
 * pattern that captures values out of a syslog message. Both scan with indexOf only, so a hostile message
 * costs linear time (no regular expression that could backtrack).
 */

/** A pattern split into literal text and capture names: literals[i] comes before captures[i]. */
export interface CompiledTemplate {
  literals: string[];
  captures: string[];
}

/** Splits `Interface {ifName}, changed state to {state}`; throws with the reason on an unclosed or empty `{}`. */
export function compileTemplate(text: string): CompiledTemplate {
  const literals: string[] = [];
  const captures: string[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf('{', at);
    if (open < 0) { literals.push(text.slice(at)); break; }
    const close = text.indexOf('}', open + 1);
    if (close < 0) throw new Error(`"{" at character ${open + 1} is not closed by "}"`);
    const name = text.slice(open + 1, close).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`"{${name}}" at character ${open + 1} is not a name (expected letters, digits, _ . -)`);
    literals.push(text.slice(at, open));
    captures.push(name);
    at = close + 1;
  }
  return { literals, captures };
}

/**
 * Matches a compiled pattern anywhere in `text`: the first literal is searched, the rest follow in order;
 * a capture runs up to the next literal (or to the end of the text for the last one, then trimmed).
 */
export function matchTemplate(t: CompiledTemplate, text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const first = t.literals[0] ?? '';
  let pos = first === '' ? 0 : text.indexOf(first);
  if (pos < 0) return undefined;
  pos += first.length;
  for (let i = 0; i < t.captures.length; i++) {
    const next = t.literals[i + 1] ?? '';
    let end: number;
    if (next === '') end = i + 1 < t.captures.length ? nextSpace(text, pos) : text.length;
    else { end = text.indexOf(next, pos); if (end < 0) return undefined; }
    // The last capture runs to the end of the message: sentence punctuation is not part of the value.
    const raw = text.slice(pos, end).trim();
    const value = end === text.length && next === '' ? trimSentenceEnd(raw) : raw;
    if (value === '') return undefined;
    out[t.captures[i]!] = value;
    pos = end + next.length;
  }
  return out;
}

function trimSentenceEnd(v: string): string {
  let end = v.length;
  while (end > 0 && (v[end - 1] === '.' || v[end - 1] === ';' || v[end - 1] === ',')) end--;
  return v.slice(0, end);
}

function nextSpace(text: string, from: number): number {
  const i = text.indexOf(' ', from);
  return i < 0 ? text.length : i;
}

/** Fills `{name}` from values; a missing value renders as `?` so a text never silently loses its meaning. */
export function renderTemplate(t: CompiledTemplate, values: Readonly<Record<string, string>>): string {
  let out = t.literals[0] ?? '';
  for (let i = 0; i < t.captures.length; i++) out += (values[t.captures[i]!] ?? '?') + (t.literals[i + 1] ?? '');
  return out;
}

/** Renders, or undefined when any placeholder has no value (for optional tags such as ifName). */
export function renderIfComplete(t: CompiledTemplate, values: Readonly<Record<string, string>>): string | undefined {
  for (const c of t.captures) if (values[c] === undefined || values[c] === '') return undefined;
  return renderTemplate(t, values);
}
