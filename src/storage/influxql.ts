/**
 * Safe pieces of InfluxQL: the one place Noctua quotes names and values for a query (the API, the
 * dashboards' tests and the reports all build their statements from these). Every name and value that
 * reaches a query goes through one of them, so what a device or a user sent is always data, never query text.
 */

// InfluxQL's lexer reads \\ \" \' and \n inside a quoted string or identifier; a raw newline ends the
// literal with an error and any other escape is refused, so exactly these four are written escaped.
function escapeIn(text: string, quote: '"' | "'"): string {
  return text.replace(quote === '"' ? /[\\"\n]/g : /[\\'\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** A double-quoted identifier (database, retention policy, measurement, tag or field key). */
export function quoteIdent(name: string): string {
  return `"${escapeIn(name, '"')}"`;
}

/** A single-quoted string literal (tag values in WHERE). */
export function quoteString(value: string): string {
  return `'${escapeIn(value, "'")}'`;
}

// Letters, digits, space, `_` and `-` mean themselves in RE2 and in InfluxQL's /…/ literal.
const REGEX_PLAIN = /^[A-Za-z0-9 _-]$/;

/**
 * A regex literal that matches `text` character for character: `/^text$/`, or `/text/` (anywhere in the
 * value) with `anchored: false`. Every other character is written as RE2's `\x{HEX}`, so no character of
 * `text` can act as a regex operator, end the literal (`/`), meet InfluxQL's `\/` unescaping (a trailing
 * backslash would otherwise swallow the closing slash) or be a raw newline, which ends a /…/ literal.
 */
export function quoteRegex(text: string, opts: { anchored?: boolean } = {}): string {
  let body = '';
  for (const c of text) body += REGEX_PLAIN.test(c) ? c : `\\x{${c.codePointAt(0)!.toString(16)}}`;
  return opts.anchored === false ? `/${body}/` : `/^${body}$/`;
}

/** An absolute time literal, exact to the millisecond (InfluxDB reads an integer with a unit as epoch time). */
export function timeLiteral(time: Date): string {
  const ms = time.getTime();
  if (!Number.isFinite(ms)) throw new Error('expected a valid time');
  return `${Math.trunc(ms)}ms`;
}

/** The two conditions of a half-open time range: `time >= from` and `time < to`. */
export function timeRange(from: Date, to: Date): [string, string] {
  return [`time >= ${timeLiteral(from)}`, `time < ${timeLiteral(to)}`];
}

/** A duration literal for GROUP BY time() and now() arithmetic, in whole milliseconds. */
export function durationLiteral(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`expected a positive duration, got ${ms}`);
  return `${Math.round(ms)}ms`;
}

/**
 * A tag filter: `{ device: 'a' }` becomes `"device" = 'a'`, `{ device: ['a', 'b'] }` becomes
 * `("device" = 'a' OR "device" = 'b')`; conditions are joined with AND. Empty input gives no condition.
 */
export function tagFilter(tags: Readonly<Record<string, string | readonly string[]>> | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(tags ?? {})) {
    const values = typeof value === 'string' ? [value] : value;
    if (values.length === 0) throw new Error(`tag filter ${key}: expected at least one value`);
    const parts = values.map((v) => `${quoteIdent(key)} = ${quoteString(v)}`);
    out.push(parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`);
  }
  return out;
}
