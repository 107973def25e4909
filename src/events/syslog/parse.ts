/**
 * RFC 5424 and RFC 3164 (with the vendor variants seen in the field) parsed by a cursor over the text: the
 * only regular expression that sees the line is one character class (control runs), so 64 KiB of garbage
 * costs linear time.
 * A line that does not parse is still returned, with `parseError` and the raw text.
 */

import { CONTROL_RUN, decodeDeviceBytes } from '../../core/device-text.js';
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
  /** Cisco's `*` before the time: the device's clock was never set (its time says nothing about when). */
  clockUnset: boolean;
  parseError?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** The three lower-case letters of each month packed into one number (see {@link monthAt}), in MONTHS order. */
const MONTH_KEYS = MONTHS.map((m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2));

/**
 * Replaces runs of control and line-breaking/reordering characters with one space (the device-text rule of
 * docs/SCHEMA.md): a newline would split an InfluxDB line, an escape code or a bidi override would paint a screen.
 * Unlike device text the length is not cut to 255 bytes here: a message keeps up to its own limit.
 */
export function cleanText(s: string): string {
  // Most lines have none: a test (no result to build) before the replace.
  return HAS_CONTROL.test(s) ? s.replace(CONTROL_RUN, ' ') : s;
}

/** {@link CONTROL_RUN} without the global flag (whose `lastIndex` would make `test` stateful). */
const HAS_CONTROL = new RegExp(CONTROL_RUN.source);

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

/** `<PRI>` (facility*8 + level) at the start of the line; -1 when there is none. */
function readPri(c: Cursor): number {
  if (c.s.charCodeAt(0) !== 60 /* < */) return -1;
  const close = c.s.indexOf('>', 1);
  if (close < 2 || close > 4) return -1;
  let pri = 0;
  for (let i = 1; i < close; i++) {
    const d = c.s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    pri = pri * 10 + d;
  }
  if (pri > 191) return -1;
  c.pos = close + 1;
  return pri;
}

/**
 * A message with every field present from the start: one object shape for every line, filled in place, so the
 * parser allocates one object per message and the code reading it stays monomorphic.
 */
function emptyMessage(raw: string, truncated: boolean): SyslogMessage {
  return {
    format: 'none', facility: undefined, level: undefined, time: undefined, localTime: undefined, host: undefined, program: undefined,
    pid: undefined, msgid: undefined, structuredData: undefined, text: '', raw, truncated, clockUnset: false, parseError: undefined,
  };
}

/** Parses one syslog message (already cut to the size limit). */
export function parseSyslog(bytes: Uint8Array, truncated = false): SyslogMessage {
  const { text: decoded, invalid } = decodeDeviceBytes(bytes);
  const line = cleanText(trimEnd(decoded));
  const c = new Cursor(line);
  const msg = emptyMessage(line, truncated);
  const pri = readPri(c);
  let problems: string[] | undefined;
  if (invalid) (problems ??= []).push('neither UTF-8 nor GBK (bytes replaced with U+FFFD)');
  if (truncated) (problems ??= []).push('message longer than the size limit: cut');
  if (pri < 0) {
    (problems ??= []).push('no <PRI> header: not syslog framing, kept as text');
    msg.text = line;
    msg.parseError = problems.join('; ');
    return msg;
  }
  msg.facility = pri >> 3;
  msg.level = pri & 7;
  if (line.charCodeAt(c.pos) === 49 /* 1 */ && line.charCodeAt(c.pos + 1) === 32) {
    c.pos += 2;
    msg.format = 'rfc5424';
    problems = parse5424(c, msg, problems);
  } else {
    msg.format = 'rfc3164';
    problems = parse3164(c, msg, problems);
  }
  if (problems) msg.parseError = problems.join('; ');
  return msg;
}

function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0 && c !== 32) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

const nil = (t: string) => (t === '-' || t === '' ? undefined : t);

/** Fills the RFC 5424 header fields into `msg`; returns the problems list (made when the first problem is found). */
function parse5424(c: Cursor, msg: SyslogMessage, problems: string[] | undefined): string[] | undefined {
  const ts = c.token(); c.skipSpaces();
  msg.host = nil(c.token()); c.skipSpaces();
  msg.program = nil(c.token()); c.skipSpaces();
  msg.pid = nil(c.token()); c.skipSpaces();
  msg.msgid = nil(c.token()); c.skipSpaces();
  if (c.s.charCodeAt(c.pos) === 91 /* [ */) {
    const end = scanStructuredData(c.s, c.pos);
    if (end < 0) { (problems ??= []).push('unterminated structured data'); msg.structuredData = c.rest(); c.pos = c.s.length; }
    else { msg.structuredData = c.s.slice(c.pos, end); c.pos = end; }
  } else if (c.s.charCodeAt(c.pos) === 45 /* - */) c.pos++;
  else (problems ??= []).push('missing STRUCTURED-DATA field');
  if (c.s.charCodeAt(c.pos) === 32) c.pos++;
  let text = c.rest();
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  msg.text = text;
  if (ts !== '-') {
    const t = parseIsoTime(ts);
    if (t) msg.time = t; else (problems ??= []).push(`bad TIMESTAMP ${JSON.stringify(ts.slice(0, 40))}`);
  }
  return problems;
}

/** End index (exclusive) of one or more `[id k="v"]` elements, honouring `\"` `\]` `\\` escapes; -1 when unterminated. */
function scanStructuredData(s: string, from: number): number {
  let i = from;
  while (s.charCodeAt(i) === 91 /* [ */) {
    let inQuote = false;
    i++;
    for (; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 92 /* \ */) { i++; continue; }
      if (ch === 34 /* " */) inQuote = !inQuote;
      else if (ch === 93 /* ] */ && !inQuote) break;
    }
    if (i >= s.length) return -1;
    i++;
  }
  return i;
}

/** RFC 3339 with a zone (`Z` or `+08:00`); undefined otherwise. */
function parseIsoTime(ts: string): Date | undefined {
  if (ts.length < 20 || ts.length > 40 || ts.charCodeAt(4) !== 45 || ts.charCodeAt(10) !== 84 /* T */) return undefined;
  const last = ts[ts.length - 1];
  const hasZone = last === 'Z' || last === 'z' || ts[ts.length - 6] === '+' || ts[ts.length - 6] === '-';
  if (!hasZone) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** True when the token at the cursor ends with `:` and is otherwise 1..12 digits (Cisco's sequence number). */
function atSequenceNumber(c: Cursor): boolean {
  let i = c.pos;
  const s = c.s;
  while (i < s.length && i - c.pos <= 12 && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  return i > c.pos && i - c.pos <= 12 && s.charCodeAt(i) === 58 /* : */ && (i + 1 === s.length || s.charCodeAt(i + 1) === 32);
}

/** Fills the RFC 3164 header fields (and the vendors' variants) into `msg`; returns the problems list. */
function parse3164(c: Cursor, msg: SyslogMessage, problems: string[] | undefined): string[] | undefined {
  // Cisco IOS: an optional sequence number `123:` and a time marked `*` (clock not set) or `.` (not in sync).
  if (atSequenceNumber(c)) { c.token(); c.skipSpaces(); }
  const mark = c.s.charCodeAt(c.pos);
  if (mark === 42 /* * */ || mark === 46 /* . */) { msg.clockUnset = mark === 42; c.pos++; }
  // An ISO time starts with four digits; only then is it worth cutting the token out.
  const iso = isDigitAt(c.s, c.pos) && c.s.charCodeAt(c.pos + 4) === 45 ? parseIsoTime(c.peekToken()) : undefined;
  if (iso) { msg.time = iso; c.token(); c.skipSpaces(); }
  else {
    const local = readBsdTime(c);
    if (local) {
      c.skipSpaces();
      const zone = c.peekToken();
      const bare = zone.endsWith(':') ? zone.slice(0, -1) : zone;
      if (bare === 'UTC' || bare === 'GMT') { msg.time = new Date(Date.UTC(local.year ?? new Date().getUTCFullYear(), local.month - 1, local.day, local.hour, local.minute, local.second, local.ms)); c.token(); }
      else msg.localTime = local;
    } else if (!c.peekToken().includes('=')) (problems ??= []).push('no RFC 3164 TIMESTAMP');
  }
  c.skipSpaces();
  const hostCandidate = c.peekToken();
  if (hostCandidate && looksLikeHost(hostCandidate)) { msg.host = hostCandidate; c.token(); c.skipSpaces(); }
  const tag = c.peekToken();
  if (readTag(tag, msg)) { c.token(); c.skipSpaces(); }
  msg.text = c.rest();
  return problems;
}

function isDigitAt(s: string, i: number): boolean {
  const ch = s.charCodeAt(i);
  return ch >= 48 && ch <= 57;
}

/** The month (0..11) of a three-letter English name at `i`, case-insensitive; -1 otherwise. */
function monthAt(s: string, i: number, end: number): number {
  if (end - i !== 3) return -1;
  // Lower-case the three letters by setting bit 5 (ASCII letters only; anything else fails the lookup). A character
  // past 0xff cannot be a letter: it is kept out of the packed key, where it could alias another byte.
  const a = s.charCodeAt(i) | 32, b = s.charCodeAt(i + 1) | 32, c = s.charCodeAt(i + 2) | 32;
  if (a > 0xff || b > 0xff || c > 0xff) return -1;
  return MONTH_KEYS.indexOf((a << 16) | (b << 8) | c);
}

/** `Mmm dd hh:mm:ss`, also Huawei's `Mmm dd yyyy hh:mm:ss` and H3C's `Mmm dd hh:mm:ss:ms yyyy`. */
function readBsdTime(c: Cursor): LocalTime | undefined {
  const save = c.pos;
  let end = c.s.indexOf(' ', c.pos);
  if (end < 0) end = c.s.length;
  const mon = monthAt(c.s, c.pos, end);
  if (mon < 0) return undefined;
  c.pos = end;
  c.skipSpaces();
  const day = c.token();
  if (!isDigits(day, 1, 2)) { c.pos = save; return undefined; }
  c.skipSpaces();
  let year: number | undefined;
  let t = c.token();
  if (isDigits(t, 4, 4)) { year = Number(t); c.skipSpaces(); t = c.token(); }
  const out: LocalTime = { year, month: mon + 1, day: Number(day), hour: 0, minute: 0, second: 0, ms: 0 };
  if (!readClock(t, out)) { c.pos = save; return undefined; }
  const after = c.pos;
  c.skipSpaces();
  if (year === undefined && isDigitAt(c.s, c.pos)) {
    const maybeYear = c.peekToken();
    if (isDigits(maybeYear, 4, 4)) { out.year = Number(maybeYear); c.token(); } else c.pos = after;
  } else c.pos = after;
  return out;
}

/** Two ASCII digits at `i` as a number; -1 when either is not a digit. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48, b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `hh:mm:ss`, `hh:mm:ss.fff`, `hh:mm:ss:fff` into `out`; a trailing `:` (Cisco) is ignored. False when it is no clock. */
function readClock(t: string, out: LocalTime): boolean {
  const len = t.endsWith(':') ? t.length - 1 : t.length;
  if (len < 8 || t.charCodeAt(2) !== 58 || t.charCodeAt(5) !== 58) return false;
  const h = twoDigits(t, 0), m = twoDigits(t, 3), sec = twoDigits(t, 6);
  if (h < 0 || m < 0 || sec < 0) return false;
  out.hour = h; out.minute = m; out.second = sec;
  // A fraction of 1..6 digits after `.` or `:`; anything else leaves 0 ms, as before.
  if (len > 9 && len - 9 <= 6) {
    let frac = 0, scale = 1;
    for (let i = 9; i < len; i++) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return true;
      frac = frac * 10 + d; scale *= 10;
    }
    out.ms = Math.floor((frac / scale) * 1000);
  }
  return true;
}

/** A host name or address: no colon at the end, no brackets, not a vendor mnemonic. */
function looksLikeHost(t: string): boolean {
  if (t.length > 255 || t.endsWith(':') || t.includes('[') || t.startsWith('%') || t.includes('=')) return false;
  return true;
}

/** `program[pid]:` or `program:` into `msg`; false when the token is no tag. */
function readTag(t: string, msg: SyslogMessage): boolean {
  if (!t.endsWith(':') || t.length > 64 || t.startsWith('%')) return false;
  const body = t.slice(0, -1);
  const open = body.indexOf('[');
  if (open > 0 && body.endsWith(']')) { msg.program = body.slice(0, open); msg.pid = body.slice(open + 1, -1); return true; }
  if (open >= 0 || body === '') return false;
  // An all-caps token with underscores is a Junos tag such as SNMP_TRAP_LINK_DOWN: not a program.
  if (body.includes('_') && body === body.toUpperCase()) return false;
  msg.program = body;
  return true;
}

const QUARTER_HOUR_MS = 900_000;
/** Zone offsets remembered at most per zone (quarter hours seen); a zone's list is cleared when full. */
const MAX_CACHED_OFFSETS = 10_000;
/** Offsets by zone, then by UTC quarter hour. Zones come from the site config, not from devices: few of them. */
const offsets = new Map<string, Map<number, number>>();

/**
 * Offset of `tz` from UTC at `utcMs`, in milliseconds, remembered per zone and UTC quarter hour: asking Intl costs
 * microseconds, and a syslog flood asks for every line. Zone offsets and the local times of their changes are whole
 * quarter hours, so a change never falls inside one.
 */
function zoneOffsetAt(utcMs: number, tz: string): number {
  const bucket = Math.floor(utcMs / QUARTER_HOUR_MS);
  let zone = offsets.get(tz);
  if (!zone) { zone = new Map(); offsets.set(tz, zone); }
  let v = zone.get(bucket);
  if (v === undefined) {
    if (zone.size >= MAX_CACHED_OFFSETS) zone.clear();
    v = zoneOffsetMs(new Date(bucket * QUARTER_HOUR_MS), tz);
    zone.set(bucket, v);
  }
  return v;
}

/** The instant of a wall-clock time in `tz` (two passes settle the offset across a DST change). */
function zonedInstant(t: LocalTime, year: number, tz: string): number {
  const guess = Date.UTC(year, t.month - 1, t.day, t.hour, t.minute, t.second, t.ms);
  return guess - zoneOffsetAt(guess - zoneOffsetAt(guess, tz), tz);
}

/**
 * Turns a zone-less device time into an instant, reading it in the device's time zone; a missing year is
 * the one that puts the time closest before `now` (a December line read in January is last year's).
 */
export function resolveLocalTime(t: LocalTime, tz: string, now: Date): Date {
  if (t.year !== undefined) return new Date(zonedInstant(t, t.year, tz));
  const nowMs = now.getTime();
  const year = new Date(nowMs + zoneOffsetAt(nowMs, tz)).getUTCFullYear();
  const ms = zonedInstant(t, year, tz);
  return new Date(ms > nowMs + 86_400_000 ? zonedInstant(t, year - 1, tz) : ms);
}
