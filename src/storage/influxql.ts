/**
 * Safe pieces of InfluxQL. Every name and value that reaches a query goes through one of these,
 * so user input is always data, never query text.
 */

// InfluxQL's lexer knows the escapes \\ \" \' and \n; a raw newline ends the literal, any other escape is an error.
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

/** An absolute time literal, exact to the millisecond (InfluxDB reads an integer with a unit as epoch time). */
export function timeLiteral(time: Date): string {
  const ms = time.getTime();
  if (!Number.isFinite(ms)) throw new Error('expected a valid time');
  return `${Math.trunc(ms)}ms`;
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
