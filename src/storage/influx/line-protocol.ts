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

/** Escaped field keys (`key=`) an encoder keeps; field keys come from profiles, so this bound is never reached in practice. */
const MAX_FIELD_KEYS = 4096;
/** Tag-key sets an encoder remembers per measurement (profiles give a handful; churn beyond this is re-sorted each time). */
const MAX_SHAPES = 16;

type Report = (kind: EncodeIssue['kind'], measurement: string, key: string) => void;

/** True when a name or tag value holds a character line protocol must escape (, = space \ newline). */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 61 || c === 32 || c === 92 || c === 10 || c === 13) return true;
  }
  return false;
}

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

function escapeMeasurement(name: string, report: Report): string {
  return needsEscape(name) ? escapeName(name, ', ', (kind) => report(kind, name, '')) : name;
}

function escapeKey(text: string, measurement: string, key: string, report: Report): string {
  return needsEscape(text) ? escapeName(text, ',= ', (kind) => report(kind, measurement, key)) : text;
}

/** A string field value in double quotes; here 1.x does unescape `\\` and `\"`, so every string round-trips. */
function quoteString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34 || c === 92) return `"${value.replace(/[\\"]/g, (q) => `\\${q}`)}"`;
  }
  return `"${value}"`;
}

/** The timestamp of a sample in the given precision (truncated, as InfluxDB would). */
export function timestampOf(time: Date, precision: WritePrecision): number {
  const ms = time.getTime();
  return precision === 'ms' ? ms : Math.floor(ms / 1000);
}

/**
 * What one set of tag keys of one measurement (in the order the sample holds them) becomes, worked out once:
 * which tags are written in InfluxDB's sorted order, their escaped `,key=` prefixes, and the labels written as fields.
 */
interface TagShape {
  keys: string[];
  /** Tag keys to write, sorted, each with its escaped `,key=`. */
  sorted: string[];
  prefixes: string[];
}

/**
 * Encodes samples as line protocol with what repeats worked out once per encoder: the escaped measurement and
 * `,key=` prefixes per set of tag keys, and the escaped `key=` per field key, all bounded. Per point it only
 * checks and copies the tag values and formats the field values: no closures, no key arrays, no sorting.
 */
export class LineEncoder {
  private readonly shapes = new Map<string, { escaped: string; labels: readonly string[] | undefined; shapes: TagShape[] }>();
  private readonly fieldKeys = new Map<string, string>();
  private lastMs = Number.NaN;
  private lastStamp = '';
  private readonly report: Report;

  constructor(private readonly precision: WritePrecision, onIssue?: (issue: EncodeIssue) => void) {
    this.report = onIssue ? (kind, measurement, key) => onIssue({ kind, measurement, key }) : () => undefined;
  }

  /**
   * Encodes one sample as one line, or undefined when nothing is left to write (no fields, or every field
   * NaN/Infinity/out of range). Tags with an empty value are left out, since InfluxDB rejects them and treats a
   * missing tag as the empty string anyway.
   */
  encode(sample: Sample): string | undefined {
    const { measurement, fields, tags, time } = sample;
    const ms = time instanceof Date ? time.getTime() : Number.NaN;
    if (!Number.isFinite(ms)) {
      this.report('invalid-time', measurement, '');
      return undefined;
    }
    let out = '';
    for (const key in fields) {
      const value = this.formatField(fields[key]!, measurement, key);
      if (value !== undefined) out += out === '' ? this.fieldKey(key, measurement) + value : ',' + this.fieldKey(key, measurement) + value;
    }
    if (out === '') {
      this.report('empty-fields', measurement, '');
      return undefined;
    }
    const m = this.measurementOf(measurement);
    if (m.labels) {
      for (const key of m.labels) {
        const value = tags[key];
        // Written even when empty: an alias that was cleared must read as cleared, not as the last one set.
        if (value !== undefined && !(key in fields)) out += ',' + this.fieldKey(key, measurement) + quoteString(value);
      }
    }
    let line = m.escaped;
    const shape = this.shapeOf(m.shapes, tags, m.labels, measurement);
    for (let i = 0; i < shape.sorted.length; i++) {
      const key = shape.sorted[i]!;
      const value = tags[key]!;
      if (value === '') continue;
      line += shape.prefixes[i]! + (needsEscape(value) ? escapeKey(value, measurement, key, this.report) : value);
    }
    return line + ' ' + out + ' ' + this.stamp(ms);
  }

  /** Formats a field value by its JS type: bigint is an integer (`i`), number always a float, never an integer. */
  private formatField(value: FieldValue, measurement: string, key: string): string | undefined {
    switch (typeof value) {
      case 'number':
        // `5` without a suffix is a float in line protocol; exponent forms like 1e+21 are accepted by InfluxDB too.
        if (Number.isFinite(value)) return String(value);
        this.report('non-finite-field', measurement, key);
        return undefined;
      case 'bigint':
        if (value >= INT64_MIN && value <= INT64_MAX) return value.toString() + 'i';
        this.report('integer-out-of-range', measurement, key);
        return undefined;
      case 'boolean':
        return value ? 'true' : 'false';
      default:
        return quoteString(value);
    }
  }

  private fieldKey(key: string, measurement: string): string {
    const known = this.fieldKeys.get(key);
    if (known !== undefined) return known;
    const escaped = escapeKey(key, measurement, key, this.report) + '=';
    if (this.fieldKeys.size < MAX_FIELD_KEYS) this.fieldKeys.set(key, escaped);
    return escaped;
  }

  private measurementOf(measurement: string): { escaped: string; labels: readonly string[] | undefined; shapes: TagShape[] } {
    let m = this.shapes.get(measurement);
    if (!m) {
      m = { escaped: escapeMeasurement(measurement, this.report), labels: STORED_AS_FIELDS[measurement], shapes: [] };
      // Measurement names come from code and profiles; a bound all the same.
      if (this.shapes.size < MAX_FIELD_KEYS) this.shapes.set(measurement, m);
    }
    return m;
  }

  /** The shape whose keys are exactly the sample's, in the sample's order (compared without allocating), or a new one. */
  private shapeOf(shapes: TagShape[], tags: Record<string, string>, labels: readonly string[] | undefined, measurement: string): TagShape {
    for (const shape of shapes) {
      let i = 0;
      let same = true;
      for (const key in tags) {
        if (key !== shape.keys[i++]) { same = false; break; }
      }
      if (same && i === shape.keys.length) return shape;
    }
    const keys = Object.keys(tags);
    // InfluxDB stores tags sorted by key; sending them sorted saves it the work.
    const sorted = keys.filter((k) => !labels?.includes(k)).sort();
    const shape: TagShape = { keys, sorted, prefixes: sorted.map((k) => ',' + escapeKey(k, measurement, k, this.report) + '=') };
    if (shapes.length >= MAX_SHAPES) shapes.shift();
    shapes.push(shape);
    return shape;
  }

  private stamp(ms: number): string {
    // Samples of one poll share their time: format it once.
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastStamp = String(this.precision === 'ms' ? ms : Math.floor(ms / 1000));
    }
    return this.lastStamp;
  }
}

/**
 * Encodes one sample as one line of line protocol, or undefined when nothing is left to write.
 * A one-off {@link LineEncoder}: the writer keeps one encoder for its lifetime instead.
 */
export function encodeSample(sample: Sample, precision: WritePrecision, onIssue?: (issue: EncodeIssue) => void): string | undefined {
  return new LineEncoder(precision, onIssue).encode(sample);
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
