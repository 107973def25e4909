/** The shape check every user-written regex passes before it runs on device text (profiles, configuration rules). */

/**
 * Why a pattern may backtrack exponentially, or undefined. Flags a group containing a repeat that is itself
 * repeated (`(a+)+`, `(\w*\s?)*`) and backreferences; linear-in-practice shapes such as `\((\S+)\)` pass (the
 * 255-byte cap bounds their quadratic worst case to microseconds). A shape check, not a proof: the test on
 * 64 KB inputs (tests/pollers/snmp/pattern-safety.test.ts) measures the built-in profiles.
 */
export function backtrackRisk(pattern: string): string | undefined {
  // Per open group: does it contain a repeat (+, *, {n,})?
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9k]/.test(next)) return 'a backreference (\\1, \\k<name>) can take exponential time';
      i++;
      continue;
    }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; continue; }
    if (c === '(') { stack.push(false); continue; }
    const repeat = c === '+' || c === '*' || (c === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i)) && !/^\{\d+,\d+\}/.test(pattern.slice(i)));
    if (c === ')') {
      const inner = stack.pop() ?? false;
      const after = pattern[i + 1];
      const repeated = after === '+' || after === '*' || (after === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i + 1)));
      if (inner && repeated) return `a repeated group that contains a repeat ("${pattern.slice(0, i + 2)}…") can take exponential time`;
      if (inner && stack.length > 0) stack[stack.length - 1] = true;
      if (repeated && stack.length > 0) stack[stack.length - 1] = true;
      continue;
    }
    if (repeat && stack.length > 0) stack[stack.length - 1] = true;
  }
  return undefined;
}
