/**
 * Finds the vendor's message identifier in a syslog text, scanning with indexOf over a bounded prefix:
 * Huawei/H3C `%%01IFNET/4/LINK_STATE(l)[0]:`, Cisco/Ruijie `%LINK-3-UPDOWN:`, Junos `SNMP_TRAP_LINK_DOWN:`,
 * FortiGate `logid="0100032001"` key=value lines.
 */

export interface Mnemonic {
  /** Catalog key: `IFNET/LINK_STATE`, `LINK/UPDOWN`, `SNMP_TRAP_LINK_DOWN`, `FORTIGATE/0100032001`. */
  key: string;
  /** The vendor's own severity digit (0..7, syslog scale) when the mnemonic carries one. */
  level?: number;
  /** The text after the mnemonic, which catalog patterns match. */
  body: string;
  /** FortiGate key=value pairs (values unquoted), for templates. */
  values?: Record<string, string>;
}

/** Mnemonics sit near the start; looking further only gives an attacker more to make us scan. */
const SEARCH_PREFIX = 512;
const MAX_KV_PAIRS = 100;

function isUpperName(ch: number): boolean {
  return (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch === 95; // A-Z 0-9 _
}
function isName(ch: number): boolean {
  return isUpperName(ch) || (ch >= 97 && ch <= 122) || ch === 45; // a-z -
}

/** Cisco's FACILITY-SEVERITY-MNEMONIC characters: upper-case names and `-` (split below). One function, not a closure per line. */
function isCiscoName(ch: number): boolean {
  return isUpperName(ch) || ch === 45;
}

/** Reads name characters from `i`; returns the end index. */
function scanName(s: string, i: number, accept: (ch: number) => boolean, max = 64): number {
  const limit = Math.min(s.length, i + max);
  while (i < limit && accept(s.charCodeAt(i))) i++;
  return i;
}

/** `%%01IFNET/4/LINK_STATE(l)[0]:` at `at` (pointing at the first %). */
function huawei(s: string, at: number): Mnemonic | undefined {
  let i = at + 2;
  while (i < s.length && i < at + 6 && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const modEnd = scanName(s, i, isName);
  if (modEnd === i || s[modEnd] !== '/') return undefined;
  const module = s.slice(i, modEnd);
  const lvl = s.charCodeAt(modEnd + 1) - 48;
  if (lvl < 0 || lvl > 7 || s[modEnd + 2] !== '/') return undefined;
  const nameStart = modEnd + 3;
  const nameEnd = scanName(s, nameStart, isName);
  if (nameEnd === nameStart) return undefined;
  const colon = s.indexOf(':', nameEnd);
  if (colon < 0 || colon - nameEnd > 16) return undefined;
  return { key: `${module}/${s.slice(nameStart, nameEnd)}`, level: lvl, body: s.slice(colon + 1).trim() };
}

/** `%LINK-3-UPDOWN:` at `at`. */
function cisco(s: string, at: number): Mnemonic | undefined {
  const facStart = at + 1;
  const facEnd = scanName(s, facStart, isCiscoName);
  // FACILITY-SEVERITY-MNEMONIC: split at the first "-<digit>-".
  const token = s.slice(facStart, facEnd);
  for (let k = 1; k + 2 < token.length; k++) {
    if (token[k] === '-' && token[k + 2] === '-') {
      const lvl = token.charCodeAt(k + 1) - 48;
      if (lvl < 0 || lvl > 7) continue;
      const name = token.slice(k + 3);
      if (!name || s[facEnd] !== ':') return undefined;
      return { key: `${token.slice(0, k)}/${name}`, level: lvl, body: s.slice(facEnd + 1).trim() };
    }
  }
  return undefined;
}

/** Junos: the text starts with `TAG_NAME:`. */
function junos(s: string): Mnemonic | undefined {
  const end = scanName(s, 0, isUpperName);
  if (end < 3 || s[end] !== ':' || !s.slice(0, end).includes('_')) return undefined;
  return { key: s.slice(0, end), body: s.slice(end + 1).trim() };
}

/** FortiGate `key=value key="quoted value"` pairs; undefined unless a logid is among them. */
export function keyValues(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let i = 0, pairs = 0;
  while (i < s.length && pairs < MAX_KV_PAIRS) {
    while (s.charCodeAt(i) === 32) i++;
    const keyEnd = scanName(s, i, isName);
    if (keyEnd === i || s[keyEnd] !== '=') break;
    const key = s.slice(i, keyEnd);
    i = keyEnd + 1;
    let value: string;
    if (s[i] === '"') {
      const close = s.indexOf('"', i + 1);
      if (close < 0) { value = s.slice(i + 1); i = s.length; }
      else { value = s.slice(i + 1, close); i = close + 1; }
    } else {
      let end = s.indexOf(' ', i);
      if (end < 0) end = s.length;
      value = s.slice(i, end);
      i = end;
    }
    out[key] = value;
    pairs++;
  }
  return out.logid !== undefined ? out : undefined;
}

/** The mnemonic of a syslog text, or undefined when it has none this module knows. */
export function findMnemonic(text: string): Mnemonic | undefined {
  const head = text.length > SEARCH_PREFIX ? text.slice(0, SEARCH_PREFIX) : text;
  let at = head.indexOf('%');
  while (at >= 0) {
    const m = head[at + 1] === '%' ? huawei(text, at) : cisco(text, at);
    if (m) return m;
    at = head.indexOf('%', at + (head[at + 1] === '%' ? 2 : 1));
  }
  const j = junos(head);
  if (j) return j;
  if (head.includes('logid=')) {
    const kv = keyValues(text);
    if (kv?.logid) {
      const level = FORTI_LEVELS[kv.level ?? ''];
      return { key: `FORTIGATE/${kv.logid}`, level, body: kv.msg ?? kv.logdesc ?? '', values: kv };
    }
  }
  return undefined;
}

const FORTI_LEVELS: Record<string, number> = {
  emergency: 0, alert: 1, critical: 2, error: 3, warning: 4, notice: 5, information: 6, debug: 7,
};
