/**
 * RFC 5424 and RFC 3164 (with the vendor variants seen in the field) parsed by a cursor over the text: the
 * only regular expression that sees the line is one character class (control runs), so 64 KiB of garbage
 * costs linear time.
 * A line that does not parse is still returned, with `parseError` and the raw text.
 */

import { CONTROL_RUN } from '../../core/device-text.js';
import { zoneOffsetMs } from '../../reports/time-zone.js';

/** Wall-clock time as the device wrote it, without a zone: resolved later with the device's site time zone. */
export interface LocalTime { year?: number; month: number; day: number; hour: number; minute: number; second: number; ms: number }

export interface SyslogMessage {
  format: 'rfc5424' | 'rfc3164' | 'none';
  facility?: number;
  /** Syslog severity 0 (emergency) .. 7 (debug), from the PRI. */
  level?: number;
  /** Set when the message carried its own zone or offset. */
  time?: Date;
  /** Set when the message had a time but no zone. */
  localTime?: LocalTime;
  host?: string;
  program?: string;
  pid?: string;
  msgid?: string;
  structuredData?: string;
  /** The MSG part (after the header). */
  text: string;
  /** The whole message as text (control characters replaced, bounded). */
  raw: string;
  truncated: boolean;
  parseError?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes bytes as UTF-8, replacing invalid sequences, and says whether any were invalid. */
export function decodeText(bytes: Uint8Array): { text: string; invalid: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), invalid: false };
  } catch {
    return { text: lossyUtf8.decode(bytes), invalid: true };
  }
}

/**
 * Replaces runs of control and line-breaking/reordering characters with one space (the device-text rule of
 * docs/SCHEMA.md): a newline would split an InfluxDB line, an escape code or a bidi override would paint a screen.
 * Unlike device text the length is not cut to 255 bytes here: a message keeps up to its own limit.
 */
export function cleanText(s: string): string {
  return s.replace(CONTROL_RUN, ' ');
}

/** A cursor over the line; every method moves forward only. */
class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean { return this.pos >= this.s.length; }
  skipSpaces(): void { while (this.s.charCodeAt(this.pos) === 32) this.pos++; }
  /** The next space-delimited token (bounded to 256 characters: header fields are short). */
  token(): string {
    const start = this.pos;
    let end = this.s.indexOf(' ', start);
    if (end < 0) end = this.s.length;
    if (end - start > 256) return '';
    this.pos = end;
    return this.s.slice(start, end);
  }
  peekToken(): string {
    const save = this.pos;
    const t = this.token();
    this.pos = save;
    return t;
  }
  rest(): string { return this.s.slice(this.pos); }
}

function isDigits(s: string, min = 1, max = 10): boolean {
  if (s.length < min || s.length > max) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

/** `<PRI>`: facility*8 + level. */
function readPri(c: Cursor): { facility: number; level: number } | undefined {
  if (c.s[0] !== '<') return undefined;
  const close = c.s.indexOf('>', 1);
  if (close < 2 || close > 4) return undefined;
  const digits = c.s.slice(1, close);
  if (!isDigits(digits, 1, 3)) return undefined;
  const pri = Number(digits);
  if (pri > 191) return undefined;
  c.pos = close + 1;
  return { facility: pri >> 3, level: pri & 7 };
}

/** Parses one syslog message (already cut to the size limit). */
export function parseSyslog(bytes: Uint8Array, truncated = false): SyslogMessage {
  const { text: decoded, invalid } = decodeText(bytes);
  const line = cleanText(trimEnd(decoded));
  const c = new Cursor(line);
  const base = { raw: line, truncated };
  const pri = readPri(c);
  const problems: string[] = [];
  if (invalid) problems.push('invalid UTF-8 (bytes replaced with U+FFFD)');
  if (truncated) problems.push('message longer than the size limit: cut');
  if (!pri) {
    problems.push('no <PRI> header: not syslog framing, kept as text');
    return { ...base, format: 'none', text: line, parseError: problems.join('; ') };
  }
  let msg: SyslogMessage;
  if (line.charCodeAt(c.pos) === 49 /* 1 */ && line.charCodeAt(c.pos + 1) === 32) {
    c.pos += 2;
    msg = { ...base, ...pri, ...parse5424(c, problems) };
  } else {
    msg = { ...base, ...pri, ...parse3164(c, problems) };
  }
  if (problems.length > 0) msg.parseError = problems.join('; ');
  return msg;
}

function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0 && c !== 32) break;
    end--;
  }
  return s.slice(0, end);
}

const nil = (t: string) => (t === '-' || t === '' ? undefined : t);

function parse5424(c: Cursor, problems: string[]): Omit<SyslogMessage, 'raw' | 'truncated'> {
  const ts = c.token(); c.skipSpaces();
  const host = nil(c.token()); c.skipSpaces();
  const program = nil(c.token()); c.skipSpaces();
  const pid = nil(c.token()); c.skipSpaces();
  const msgid = nil(c.token()); c.skipSpaces();
  let structuredData: string | undefined;
  if (c.s[c.pos] === '[') {
    const end = scanStructuredData(c.s, c.pos);
    if (end < 0) { problems.push('unterminated structured data'); structuredData = c.rest(); c.pos = c.s.length; }
    else { structuredData = c.s.slice(c.pos, end); c.pos = end; }
  } else if (c.s[c.pos] === '-') c.pos++;
  else problems.push('missing STRUCTURED-DATA field');
  if (c.s[c.pos] === ' ') c.pos++;
  let text = c.rest();
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: Omit<SyslogMessage, 'raw' | 'truncated'> = { format: 'rfc5424', host, program, pid, msgid, structuredData, text };
  if (ts !== '-') {
    const t = parseIsoTime(ts);
    if (t) out.time = t; else problems.push(`bad TIMESTAMP ${JSON.stringify(ts.slice(0, 40))}`);
  }
  return out;
}

/** End index (exclusive) of one or more `[id k="v"]` elements, honouring `\"` `\]` `\\` escapes; -1 when unterminated. */
function scanStructuredData(s: string, from: number): number {
  let i = from;
  while (s[i] === '[') {
    let inQuote = false;
    i++;
    for (; i < s.length; i++) {
      const ch = s[i];
      if (ch === '\\') { i++; continue; }
      if (ch === '"') inQuote = !inQuote;
      else if (ch === ']' && !inQuote) break;
    }
    if (i >= s.length) return -1;
    i++;
  }
  return i;
}

/** RFC 3339 with a zone (`Z` or `+08:00`); undefined otherwise. */
function parseIsoTime(ts: string): Date | undefined {
  if (ts.length < 20 || ts.length > 40 || ts[4] !== '-' || ts[10] !== 'T') return undefined;
  const last = ts[ts.length - 1];
  const hasZone = last === 'Z' || last === 'z' || ts[ts.length - 6] === '+' || ts[ts.length - 6] === '-';
  if (!hasZone) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function parse3164(c: Cursor, problems: string[]): Omit<SyslogMessage, 'raw' | 'truncated'> {
  const out: Omit<SyslogMessage, 'raw' | 'truncated'> = { format: 'rfc3164', text: '' };
  // Cisco IOS: an optional sequence number `123:` and a time marked `*` (clock not set) or `.` (not in sync).
  const first = c.peekToken();
  if (first.endsWith(':') && isDigits(first.slice(0, -1), 1, 12)) { c.token(); c.skipSpaces(); }
  if (c.s[c.pos] === '*' || c.s[c.pos] === '.') c.pos++;
  const iso = parseIsoTime(c.peekToken());
  if (iso) { out.time = iso; c.token(); c.skipSpaces(); }
  else {
    const local = readBsdTime(c);
    if (local) {
      c.skipSpaces();
      const zone = c.peekToken();
      const bare = zone.endsWith(':') ? zone.slice(0, -1) : zone;
      if (bare === 'UTC' || bare === 'GMT') { out.time = new Date(Date.UTC(local.year ?? new Date().getUTCFullYear(), local.month - 1, local.day, local.hour, local.minute, local.second, local.ms)); c.token(); }
      else out.localTime = local;
    } else if (!c.peekToken().includes('=')) problems.push('no RFC 3164 TIMESTAMP');
  }
  c.skipSpaces();
  const hostCandidate = c.peekToken();
  if (hostCandidate && looksLikeHost(hostCandidate)) { out.host = hostCandidate; c.token(); c.skipSpaces(); }
  const tag = c.peekToken();
  const prog = readTag(tag);
  if (prog) { out.program = prog.program; out.pid = prog.pid; c.token(); c.skipSpaces(); }
  out.text = c.rest();
  return out;
}

/** `Mmm dd hh:mm:ss`, also Huawei's `Mmm dd yyyy hh:mm:ss` and H3C's `Mmm dd hh:mm:ss:ms yyyy`. */
function readBsdTime(c: Cursor): LocalTime | undefined {
  const save = c.pos;
  const mon = MONTHS.indexOf(c.token().toLowerCase());
  if (mon < 0) { c.pos = save; return undefined; }
  c.skipSpaces();
  const day = c.token();
  if (!isDigits(day, 1, 2)) { c.pos = save; return undefined; }
  c.skipSpaces();
  let year: number | undefined;
  let t = c.token();
  if (isDigits(t, 4, 4)) { year = Number(t); c.skipSpaces(); t = c.token(); }
  const clock = readClock(t);
  if (!clock) { c.pos = save; return undefined; }
  const after = c.pos;
  c.skipSpaces();
  const maybeYear = c.peekToken();
  if (year === undefined && isDigits(maybeYear, 4, 4)) { year = Number(maybeYear); c.token(); } else c.pos = after;
  return { year, month: mon + 1, day: Number(day), ...clock };
}

/** `hh:mm:ss`, `hh:mm:ss.fff`, `hh:mm:ss:fff`; a trailing `:` (Cisco) is ignored. */
function readClock(t: string): { hour: number; minute: number; second: number; ms: number } | undefined {
  const s = t.endsWith(':') ? t.slice(0, -1) : t;
  if (s.length < 8 || s[2] !== ':' || s[5] !== ':') return undefined;
  const h = s.slice(0, 2), m = s.slice(3, 5), sec = s.slice(6, 8);
  if (!isDigits(h, 2, 2) || !isDigits(m, 2, 2) || !isDigits(sec, 2, 2)) return undefined;
  const frac = s.slice(9);
  const ms = isDigits(frac, 1, 6) ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  return { hour: Number(h), minute: Number(m), second: Number(sec), ms };
}

/** A host name or address: no colon at the end, no brackets, not a vendor mnemonic. */
function looksLikeHost(t: string): boolean {
  if (t.length > 255 || t.endsWith(':') || t.includes('[') || t.startsWith('%') || t.includes('=')) return false;
  return true;
}

/** `program[pid]:` or `program:`. */
function readTag(t: string): { program: string; pid?: string } | undefined {
  if (!t.endsWith(':') || t.length > 64 || t.startsWith('%')) return undefined;
  const body = t.slice(0, -1);
  const open = body.indexOf('[');
  if (open > 0 && body.endsWith(']')) return { program: body.slice(0, open), pid: body.slice(open + 1, -1) };
  if (open >= 0 || body === '') return undefined;
  // An all-caps token with underscores is a Junos tag such as SNMP_TRAP_LINK_DOWN: not a program.
  if (body.includes('_') && body === body.toUpperCase()) return undefined;
  return { program: body };
}

const QUARTER_HOUR_MS = 900_000;
/** Zone offsets remembered at most (zones × quarter hours seen); cleared when full. */
const MAX_CACHED_OFFSETS = 10_000;
const offsets = new Map<string, number>();

/**
 * Offset of `tz` from UTC at `utcMs`, in milliseconds, remembered per zone and UTC quarter hour: asking Intl costs
 * microseconds, and a syslog flood asks for every line. Zone offsets and the local times of their changes are whole
 * quarter hours, so a change never falls inside one.
 */
function zoneOffsetAt(utcMs: number, tz: string): number {
  const bucket = Math.floor(utcMs / QUARTER_HOUR_MS);
  const key = `${bucket} ${tz}`;
  let v = offsets.get(key);
  if (v === undefined) {
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    v = zoneOffsetMs(new Date(bucket * QUARTER_HOUR_MS), tz);
    offsets.set(key, v);
  }
  return v;
}

/**
 * Turns a zone-less device time into an instant, reading it in the device's time zone; a missing year is
 * the one that puts the time closest before `now` (a December line read in January is last year's).
 */
export function resolveLocalTime(t: LocalTime, tz: string, now: Date): Date {
  const build = (year: number) => {
    const guess = Date.UTC(year, t.month - 1, t.day, t.hour, t.minute, t.second, t.ms);
    const first = guess - zoneOffsetAt(guess, tz);
    return new Date(guess - zoneOffsetAt(first, tz));
  };
  if (t.year !== undefined) return build(t.year);
  const year = new Date(now.getTime() + zoneOffsetAt(now.getTime(), tz)).getUTCFullYear();
  const d = build(year);
  return d.getTime() > now.getTime() + 86_400_000 ? build(year - 1) : d;
}
