/**
 * Name patterns in rules and maintenance scopes: `*` any run of characters, `?` one character,
 * case-insensitive, because NOC staff write `ge0/0/*` as often as `GE0/0/*`.
 */

/** Compiles globs into one predicate; an empty list matches nothing. */
export function compilePatterns(globs: readonly string[]): (value: string) => boolean {
  const res = globs.map((g) => new RegExp(`^${g.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'is'));
  return (value) => res.some((re) => re.test(value));
}
