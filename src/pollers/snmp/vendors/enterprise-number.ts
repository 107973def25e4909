/**
 * The IANA Private Enterprise Number in a sysObjectID (1.3.6.1.4.1.<N>...), read with string operations only:
 * the value comes from the device and may be long, malformed or hostile.
 */

/** Longest sysObjectID text looked at; real ones are under 100 characters. */
const MAX_OID_TEXT = 256;
const ENTERPRISES = '1.3.6.1.4.1.';
/** Largest enterprise number (sub-identifiers are 32-bit). */
const MAX_NUMBER = 4_294_967_295;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** The leading run of digits and single dots, without a trailing dot. */
function leadingOid(s: string): string {
  let end = 0;
  while (end < s.length && (isDigit(s[end]) || (s[end] === '.' && isDigit(s[end + 1])))) end++;
  return s.slice(0, end);
}

/**
 * A sysObjectID as a plain numeric OID, also from the malformed forms agents send: a leading dot,
 * `iso.3.6...`, `SNMPv2-SMI::enterprises.N...` text, a missing `1.` before `3.6.1.4.1`, trailing garbage.
 * Returns '' when no numeric OID can be read.
 */
export function normaliseSysObjectID(raw: string): string {
  let s = raw.slice(0, MAX_OID_TEXT).trim();
  const lower = s.toLowerCase();
  const ent = lower.indexOf('enterprises.');
  if (ent >= 0) s = ENTERPRISES + s.slice(ent + 'enterprises.'.length);
  else if (lower.startsWith('iso.')) s = '1.' + s.slice(4);
  else if (s.startsWith('.')) s = s.slice(1);
  if (s.startsWith('3.6.1.4.1.')) s = '1.' + s;
  const oid = leadingOid(s);
  return oid.includes('.') ? oid : '';
}

/** The enterprise number under 1.3.6.1.4.1 in a (possibly malformed) sysObjectID, or undefined. */
export function enterpriseNumber(raw: string): number | undefined {
  const oid = normaliseSysObjectID(raw);
  if (!oid.startsWith(ENTERPRISES)) return undefined;
  const rest = oid.slice(ENTERPRISES.length);
  const dot = rest.indexOf('.');
  const digits = dot < 0 ? rest : rest.slice(0, dot);
  if (digits === '' || digits.length > 10) return undefined;
  const n = Number(digits);
  return Number.isInteger(n) && n <= MAX_NUMBER ? n : undefined;
}
