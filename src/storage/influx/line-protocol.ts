import { STORED_AS_FIELDS, type FieldValue, type Sample } from '../../core/sample.js';

/** Timestamp precision of written points; InfluxDB is told the same in the write URL. */
export type WritePrecision = 's' | 'ms';

/** Why a field or tag of a sample could not be written as given (reported once per kind and place by the caller). */
export interface EncodeIssue {
  kind: 'non-finite-field' | 'integer-out-of-range' | 'newline-in-name' | 'unrepresentable-backslash' | 'empty-fields' | 'invalid-time';
  measurement: string;
  key: string;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// Fast paths: most names and tag values in a NOC need no escaping at all.
const MEASUREMENT_SPECIAL = /[, \\\n\r]/;
const KEY_SPECIAL = /[,= \\\n\r]/;
const STRING_SPECIAL = /["\\]/;

/**
 * Escapes a measurement name, tag key, tag value or field key for InfluxDB 1.x line protocol.
 * 1.x has no escape for a backslash: it keeps `\x` literally, but a backslash before a comma, space or
 * equals sign, or at the very end, would swallow the separator. Such a backslash is written as `/`,
 * and a newline (which no escape can carry) as a space; both are reported through `issue`.
 */
function escapeName(text: string, special: string, issue: (kind: EncodeIssue['kind']) => void): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') { issue('newline-in-name'); out += '\\ '; continue; }
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined || special.includes(next) || next === '\n' || next === '\r') { issue('unrepresentable-backslash'); out += '/'; continue; }
      out += c;
      continue;
    }
    if (special.includes(c)) out += '\\';
    out += c;
  }
  return out;
}

function escapeMeasurement(name: string, issue: (kind: EncodeIssue['kind']) => void): string {
  return MEASUREMENT_SPECIAL.test(name) ? escapeName(name, ', ', issue) : name;
}

function escapeKey(text: string, issue: (kind: EncodeIssue['kind']) => void): string {
  return KEY_SPECIAL.test(text) ? escapeName(text, ',= ', issue) : text;
}

/** A string field value in double quotes; here 1.x does unescape `\\` and `\"`, so every string round-trips. */
function quoteString(value: string): string {
  return STRING_SPECIAL.test(value) ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `"${value}"`;
}

/** Formats a field value by its JS type: bigint is an integer (`i`), number always a float, never an integer. */
function formatField(value: FieldValue): string | undefined {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) return undefined;
      // `5` without a suffix is a float in line protocol; exponent forms like 1e+21 are accepted by InfluxDB too.
      return String(value);
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) return undefined;
      return `${value}i`;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return quoteString(value);
  }
}

/** The timestamp of a sample in the given precision (truncated, as InfluxDB would). */
export function timestampOf(time: Date, precision: WritePrecision): number {
  const ms = time.getTime();
  return precision === 'ms' ? ms : Math.floor(ms / 1000);
}

/**
 * Encodes one sample as one line of line protocol, or undefined when nothing is left to write
 * (no fields, or every field NaN/Infinity/out of range). Tags with an empty value are left out,
 * since InfluxDB rejects them and treats a missing tag as the empty string anyway.
 */
export function encodeSample(sample: Sample, precision: WritePrecision, onIssue?: (issue: EncodeIssue) => void): string | undefined {
  const report = (key: string) => (kind: EncodeIssue['kind']) => onIssue?.({ kind, measurement: sample.measurement, key });
  if (!(sample.time instanceof Date) || !Number.isFinite(sample.time.getTime())) {
    report('')('invalid-time');
    return undefined;
  }
  let fields = '';
  for (const key in sample.fields) {
    const raw = sample.fields[key]!;
    const value = formatField(raw);
    if (value === undefined) {
      report(key)(typeof raw === 'bigint' ? 'integer-out-of-range' : 'non-finite-field');
      continue;
    }
    fields += `${fields === '' ? '' : ','}${escapeKey(key, report(key))}=${value}`;
  }
  if (fields === '') {
    report('')('empty-fields');
    return undefined;
  }
  const labels = STORED_AS_FIELDS[sample.measurement];
  for (const key of labels ?? []) {
    const value = sample.tags[key];
    // Written even when empty: an alias that was cleared must read as cleared, not as the last one set.
    if (value !== undefined && !(key in sample.fields)) fields += `,${escapeKey(key, report(key))}=${quoteString(value)}`;
  }
  let line = escapeMeasurement(sample.measurement, report(''));
  // InfluxDB stores tags sorted by key; sending them sorted saves it the work.
  const tagKeys = Object.keys(sample.tags).sort();
  for (const key of tagKeys) {
    const value = sample.tags[key]!;
    if (value === '' || labels?.includes(key)) continue;
    line += `,${escapeKey(key, report(key))}=${escapeKey(value, report(key))}`;
  }
  return `${line} ${fields} ${timestampOf(sample.time, precision)}`;
}

/**
 * Splits a line-protocol body into its lines the way InfluxDB 1.x does: a newline inside a quoted
 * string field value (multi-line sysDescr, for one) belongs to the line, other newlines end it.
 */
export function splitLines(body: string): string[] {
  const lines: string[] = [];
  let start = 0;
  let i = 0;
  let inFields = false;
  let quoted = false;
  let equals = 0;
  let commas = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c === 92 /* \ */ && i + 2 < body.length) { i += 2; continue; }
    if (c === 32 /* space */) inFields = true;
    if (inFields) {
      if (!quoted && c === 61 /* = */) { equals++; i++; continue; }
      if (!quoted && c === 44 /* , */) { commas++; i++; continue; }
      if (c === 34 /* " */ && equals > commas) { quoted = !quoted; i++; continue; }
    }
    if (c === 10 /* \n */ && !quoted) {
      if (i > start) lines.push(body.slice(start, i));
      start = i + 1;
      inFields = false;
      quoted = false;
      equals = 0;
      commas = 0;
    }
    i++;
  }
  if (start < body.length) lines.push(body.slice(start));
  return lines;
}
