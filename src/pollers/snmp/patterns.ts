import { deviceText } from '../../core/device-text.js';
import { backtrackRisk } from '../../core/regex-safety.js';

export { backtrackRisk };

/**
 * Profile regexes (match.sysDescr, identity sysDescr, filter match/notMatch) run on text a device sends.
 * JavaScript's engine backtracks, so two guards: every input is capped as device text before a pattern sees it,
 * and a pattern whose shape can take exponential time (a quantified group that itself repeats, a backreference)
 * is refused when the profile loads.
 */

const compiled = new Map<string, RegExp>();

/** A profile pattern compiled once, case-insensitive (patterns are few and fixed; rows are many). */
export function profilePattern(pattern: string): RegExp {
  let r = compiled.get(pattern);
  if (!r) { r = new RegExp(pattern, 'i'); compiled.set(pattern, r); }
  return r;
}

/** Runs a profile pattern on device text, capped at 255 bytes whatever the caller passed. */
export function execPattern(pattern: string, text: string): RegExpExecArray | null {
  return profilePattern(pattern).exec(deviceText(text));
}

/** True when the profile pattern matches the (capped) device text. */
export function testPattern(pattern: string, text: string): boolean {
  return profilePattern(pattern).test(deviceText(text));
}

