import { deviceText, deviceTextFromBytes } from '../../core/device-text.js';
import type { FieldValue } from '../../core/sample.js';
import { testPattern } from './patterns.js';
import type { FieldSpec, MetricSpec, RowFilter, TagSpec } from './profile.js';
import type { ColumnValues, SnmpValue } from './session.js';

/** A sample before the device tags and the time are added. */
export interface RawSample {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
}

/** Every table column the metrics read (to be walked in one go). */
export function metricColumns(metrics: readonly MetricSpec[]): string[] {
  const cols = new Set<string>();
  const addTag = (t: TagSpec) => { if (t.column) cols.add(t.column); if (t.via) cols.add(t.via); };
  for (const m of metrics) {
    for (const t of Object.values(m.tags)) (Array.isArray(t) ? t : [t]).forEach(addTag);
    for (const f of Object.values(m.fields)) {
      if (f.column) cols.add(f.column);
      if (f.multiplyBy) cols.add(f.multiplyBy);
      if (f.pow10) cols.add(f.pow10.column);
      if (f.wordHigh) cols.add(f.wordHigh);
      if (f.divPow10) cols.add(f.divPow10);
    }
    for (const flt of m.filter) cols.add(flt.column);
  }
  return [...cols];
}

/** Every scalar OID the metrics GET. */
export function metricScalars(metrics: readonly MetricSpec[]): string[] {
  const oids = new Set<string>();
  for (const m of metrics) for (const f of Object.values(m.fields)) if (f.oid) oids.add(f.oid);
  return [...oids];
}

/** Text of an OCTET STRING (UTF-8, trailing NULs dropped) or of an OID, bounded as device text (src/core/device-text.ts). */
export function snmpText(v: SnmpValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Buffer.isBuffer(v) ? deviceTextFromBytes(v) : deviceText(String(v));
}

/** A number from an integer, counter or numeric text (some agents send "23.5" as OCTET STRING). */
export function snmpNumber(v: SnmpValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = snmpText(v);
  if (t === undefined || t === '') return undefined;
  const n = Number(t.replace(/[^\d.+-eE]/g, ''));
  return /\d/.test(t) && Number.isFinite(n) ? n : undefined;
}

function keyOf(v: SnmpValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return String(v);
  return snmpText(v);
}

function passes(filters: readonly RowFilter[], cols: ColumnValues, index: string): boolean {
  for (const f of filters) {
    const v = cols.get(f.column)?.get(index);
    if (v === undefined) return false;
    const key = keyOf(v)!;
    if (f.in && !f.in.some((x) => String(x) === key)) return false;
    if (f.gt !== undefined) { const n = snmpNumber(v); if (n === undefined || !(n > f.gt)) return false; }
    if (f.match && !testPattern(f.match, key)) return false;
    if (f.notMatch && testPattern(f.notMatch, key)) return false;
  }
  return true;
}

function tagValue(spec: TagSpec | TagSpec[], cols: ColumnValues, index: string): string | undefined {
  for (const t of Array.isArray(spec) ? spec : [spec]) {
    let raw: string | undefined;
    if (t.value !== undefined) raw = t.value;
    else if (t.index !== undefined && t.index !== false) raw = t.index === true ? index : index.split('.')[t.index - 1];
    else if (t.column) {
      const at = t.via ? keyOf(cols.get(t.via)?.get(index)) : index;
      raw = at === undefined ? undefined : snmpText(cols.get(t.column)?.get(at));
    }
    if (raw !== undefined && t.map) {
      const m = t.map[raw];
      raw = m === undefined || m === null ? undefined : String(m);
    }
    if (raw !== undefined && raw !== '') return (t.prefix ?? '') + raw;
  }
  return undefined;
}

/** Reads one field of one row (or a scalar), applying map, scale and range; undefined when absent or invalid. */
export function fieldValue(f: FieldSpec, v: SnmpValue | undefined, row: (col: string) => SnmpValue | undefined): FieldValue | undefined {
  if (v === undefined) return undefined;
  let x: FieldValue | undefined;
  if (f.map) {
    const m = f.map[keyOf(v)!] ?? f.default;
    if (m === undefined) {
      // An enumeration value the profile does not know: strings become "unknown", the rest is dropped.
      return f.type === 'string' ? 'unknown' : undefined;
    }
    if (m === null) return undefined;
    x = m;
  } else if (f.type === 'string') {
    return snmpText(v);
  } else if (f.type === 'integer' && typeof v === 'bigint' && !f.scale && !f.multiplyBy) {
    return v;
  } else {
    x = snmpNumber(v);
  }
  if (x === undefined) return undefined;
  if (f.wordHigh && typeof x === 'number') {
    const high = snmpNumber(row(f.wordHigh));
    if (high === undefined) return undefined;
    // The low half is often sent as a signed Integer32.
    x = high * 4294967296 + (x < 0 ? x + 4294967296 : x);
  }
  if (f.type === 'boolean') return typeof x === 'boolean' ? x : Boolean(x);
  if (f.type === 'string') return String(x);
  if (typeof x !== 'number') return undefined;
  if (f.min !== undefined && x < f.min) return undefined;
  if (f.max !== undefined && x > f.max) return undefined;
  if (f.scale !== undefined) x *= f.scale;
  if (f.multiplyBy) { const m = snmpNumber(row(f.multiplyBy)); if (m === undefined) return undefined; x *= m; }
  if (f.pow10) {
    const e = snmpNumber(row(f.pow10.column));
    const exp = e === undefined ? undefined : f.pow10.map ? f.pow10.map[String(e)] : e;
    if (exp === undefined) return undefined;
    x *= 10 ** exp;
  }
  if (f.divPow10) { const p = snmpNumber(row(f.divPow10)); if (p !== undefined && p > 0 && p < 10) x /= 10 ** p; }
  if (f.add !== undefined) x += f.add;
  if (f.fit !== undefined) for (let i = 0; i < 3 && Math.abs(x) > f.fit; i++) x /= 10;
  if (!Number.isFinite(x)) return undefined;
  // Scaling by 0.1 leaves binary noise (15.200000000000001): keep 12 significant digits where that is exact enough.
  if ((f.scale !== undefined || f.pow10 || f.divPow10) && Math.abs(x) < 1e9) x = Number(x.toPrecision(12));
  return f.type === 'integer' ? BigInt(Math.round(x)) : x;
}

/** Fills derived fields every memory/storage sample should have (used from free, percentage from bytes). */
function derive(fields: Record<string, FieldValue>): void {
  const num = (k: string) => (typeof fields[k] === 'number' ? (fields[k] as number) : undefined);
  const total = num('total_bytes');
  // Every `_free*` helper counts as free (available + buffers + cache on Linux).
  const frees = Object.keys(fields).filter((k) => k.startsWith('_free') && typeof fields[k] === 'number');
  const free = frees.length > 0 ? frees.reduce((a, k) => a + (fields[k] as number), 0) : undefined;
  if (fields.used_bytes === undefined && total !== undefined && free !== undefined) fields.used_bytes = Math.max(0, total - free);
  if (fields.total_bytes === undefined && num('used_bytes') !== undefined && free !== undefined) fields.total_bytes = num('used_bytes')! + free;
  const used = num('used_bytes');
  const t2 = num('total_bytes');
  if (fields.used_pct === undefined && used !== undefined && t2 !== undefined && t2 > 0) fields.used_pct = (used / t2) * 100;
  if (fields.used_bytes === undefined && num('used_pct') !== undefined && t2 !== undefined) fields.used_bytes = (t2 * num('used_pct')!) / 100;
  for (const k of Object.keys(fields)) if (k.startsWith('_')) delete fields[k];
}

function aggregate(kind: NonNullable<FieldSpec['aggregate']>, values: FieldValue[]): FieldValue | undefined {
  if (values.length === 0) return kind === 'count' ? 0 : undefined;
  if (kind === 'first') return values[0];
  if (kind === 'count') return values.length;
  const nums = values.filter((v): v is number => typeof v === 'number');
  if (nums.length === 0) return values[0];
  switch (kind) {
    case 'max': return Math.max(...nums);
    case 'min': return Math.min(...nums);
    case 'sum': return nums.reduce((a, b) => a + b, 0);
    case 'avg': return nums.reduce((a, b) => a + b, 0) / nums.length;
  }
}

/** Turns walked columns and scalars into samples, per metric spec. */
export function evaluateMetrics(metrics: readonly MetricSpec[], cols: ColumnValues, scalars: Map<string, SnmpValue | undefined>): RawSample[] {
  const out: RawSample[] = [];
  for (const m of metrics) {
    const fieldEntries = Object.entries(m.fields);
    const columnFields = fieldEntries.filter(([, f]) => f.column !== undefined);
    // Rows are the indexes any value column has; a row without any value is no instance.
    const indexes = new Set<string>();
    for (const [, f] of columnFields) for (const idx of cols.get(f.column!)?.keys() ?? []) indexes.add(idx);
    const rows = [...indexes].filter((idx) => passes(m.filter, cols, idx));

    if (m.single) {
      const fields: Record<string, FieldValue> = {};
      for (const [name, f] of fieldEntries) {
        if (f.oid) {
          const v = fieldValue(f, scalars.get(f.oid), () => undefined);
          if (v !== undefined) fields[name] = v;
          continue;
        }
        const vals: FieldValue[] = [];
        for (const idx of rows) {
          const v = fieldValue(f, cols.get(f.column!)?.get(idx), (c) => cols.get(c)?.get(idx));
          if (v !== undefined) vals.push(v);
        }
        const a = aggregate(f.aggregate ?? 'first', vals);
        if (a !== undefined && !(f.aggregate === 'count' && rows.length === 0)) fields[name] = f.type === 'integer' && typeof a === 'number' ? BigInt(Math.round(a)) : a;
      }
      derive(fields);
      if (Object.keys(fields).length === 0) continue;
      const tags: Record<string, string> = {};
      for (const [name, spec] of Object.entries(m.tags)) {
        const v = tagValue(spec, cols, rows[0] ?? '');
        if (v !== undefined) tags[name] = v;
      }
      out.push({ measurement: m.measurement, tags, fields });
      continue;
    }

    for (const idx of rows) {
      const fields: Record<string, FieldValue> = {};
      for (const [name, f] of columnFields) {
        const v = fieldValue(f, cols.get(f.column!)?.get(idx), (c) => cols.get(c)?.get(idx));
        if (v !== undefined) fields[name] = v;
      }
      derive(fields);
      if (Object.keys(fields).length === 0) continue;
      const tags: Record<string, string> = {};
      let complete = true;
      for (const [name, spec] of Object.entries(m.tags)) {
        const v = tagValue(spec, cols, idx);
        if (v === undefined) { complete = false; break; }
        tags[name] = v;
      }
      // A row whose identifying tag cannot be read (or maps to nothing) is not an instance we can name.
      if (!complete) continue;
      out.push({ measurement: m.measurement, tags, fields });
    }
  }
  return out;
}

/**
 * Merges samples that describe the same instance (same measurement and tags): generic MIBs first,
 * vendor profiles after, so a vendor's more precise value replaces the generic one.
 */
export function mergeSamples(samples: readonly RawSample[]): RawSample[] {
  const byKey = new Map<string, RawSample>();
  for (const s of samples) {
    const key = s.measurement + '\u0000' + Object.entries(s.tags).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',');
    const prev = byKey.get(key);
    if (prev) Object.assign(prev.fields, s.fields);
    else byKey.set(key, { measurement: s.measurement, tags: { ...s.tags }, fields: { ...s.fields } });
  }
  return [...byKey.values()];
}
