import type { FieldValue, Sample } from '../core/sample.js';
import type { ConditionSpec, GuardSpec, Operator } from './rules-schema.js';

/** What one evaluation of a condition found. */
export interface Evaluation {
  active: boolean;
  value?: number | string | boolean;
  threshold?: number | string | boolean;
}

/** Per-instance memory of a condition (previous value, rate window, last seen), kept JSON-serialisable for the store. */
export type SeriesState = Record<string, unknown>;

/** The device's latest sample of a measurement, for guards that look at another measurement. */
export type LatestLookup = (device: string, measurement: string) => { fields: Sample['fields']; time: number } | undefined;

/** A compiled condition: evaluated on each matching sample, and on each tick for the kinds that depend on time. */
export interface Condition {
  kind: string;
  /** Undefined when the sample does not carry what the condition needs (the state is left as it is). */
  onSample(sample: Sample, state: SeriesState, latest: LatestLookup): Evaluation | undefined;
  /** Time-driven kinds only (absence, event). */
  onTick?(state: SeriesState, now: number, device: string, latest: LatestLookup): Evaluation | undefined;
  /** The field this condition reads, for `{{value}}`. */
  field?: string;
}

function toComparable(v: FieldValue | undefined): number | string | boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** Compares a sample value with a rule value; booleans compare with true/false or 1/0, strings only with == and !=. */
export function compare(actual: number | string | boolean, op: Operator, expected: number | string | boolean): boolean {
  let a = actual; let b = expected;
  if (typeof a === 'boolean' && typeof b === 'number') a = a ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'boolean') b = b ? 1 : 0;
  if (typeof a === 'string' && typeof b !== 'string') b = String(b);
  if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))) b = Number(b);
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    default:
      if (typeof a !== 'number' || typeof b !== 'number') return false;
      return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
  }
}

function equalish(actual: number | string | boolean, expected: number | string | boolean): boolean {
  return compare(actual, '==', expected);
}

/** Guards (`while:`): every one must hold for the condition to be active. */
function guardsHold(guards: readonly GuardSpec[], sample: Sample | undefined, device: string, now: number, latest: LatestLookup): boolean {
  for (const g of guards) {
    let v: FieldValue | undefined;
    if (g.measurement === undefined || (sample && g.measurement === sample.measurement)) {
      if (!sample) continue;
      v = sample.fields[g.field];
    } else {
      const l = latest(device, g.measurement);
      v = l && now - l.time <= g.maxAge ? l.fields[g.field] : undefined;
    }
    const c = toComparable(v);
    if (c === undefined) { if (g.missing === 'fail') return false; continue; }
    if (!compare(c, g.op, g.value)) return false;
  }
  return true;
}

/** What a condition may know of its rule beyond its own spec. */
export interface ConditionContext {
  /** Event rules: true for a sample that clears a type the rule selects (see rules.ts). */
  clearsSelected?: (sample: Sample) => boolean;
}

type Builder<K extends keyof ConditionSpec> = (spec: NonNullable<ConditionSpec[K]>, ctx: ConditionContext) => Condition;

/** One builder per condition kind: a new kind is a new entry here and in the schema, nothing else. */
const KINDS: { [K in 'threshold' | 'absence' | 'change' | 'event' | 'rate']: Builder<K> } = {
  threshold: (s) => ({
    kind: 'threshold', field: s.field,
    onSample(sample) {
      const v = toComparable(sample.fields[s.field]);
      if (v === undefined) return undefined;
      return { active: compare(v, s.op, s.value), value: v, threshold: s.value };
    },
  }),

  absence: (s) => ({
    kind: 'absence',
    onSample(sample, state) {
      state.lastSeen = sample.time.getTime();
      return { active: false };
    },
    onTick(state, now) {
      const last = typeof state.lastSeen === 'number' ? state.lastSeen : undefined;
      if (last === undefined) return undefined;
      const silent = now - last;
      return { active: silent >= s.after, value: Math.round(silent / 1000), threshold: Math.round(s.after / 1000) };
    },
  }),

  // Active from the moment the field goes from `from` to `to` until it leaves `to`: a port that was
  // never up, or was already down when Noctua started, does not alarm.
  change: (s) => ({
    kind: 'change', field: s.field,
    onSample(sample, state) {
      const v = toComparable(sample.fields[s.field]);
      if (v === undefined) return undefined;
      const prev = state.prev as number | string | boolean | undefined;
      state.prev = v;
      if (!equalish(v, s.to)) state.latched = false;
      else if (prev !== undefined && equalish(prev, s.from)) state.latched = true;
      return { active: state.latched === true, value: v, threshold: s.to };
    },
  }),

  // An event is active when it arrives and stays so until an event that clears its type (the catalogs' `clears`:
  // link-up ends link-down on the same interface) or, failing one, for `resolveAfter`. Several types may be
  // active on one instance (battery low while on battery): each is cleared by its own clearing event.
  event: (s, ctx) => ({
    kind: 'event',
    onSample(sample, state) {
      const active = new Set(Array.isArray(state.types) ? (state.types as string[]) : []);
      const clears = typeof sample.fields.clears === 'string' ? sample.fields.clears : '';
      const msg = typeof sample.fields.message === 'string' ? sample.fields.message : undefined;
      if (ctx.clearsSelected?.(sample)) {
        for (const t of clears.split(',')) active.delete(t);
      } else {
        active.add(sample.tags.type ?? '');
        state.lastEvent = sample.time.getTime();
      }
      state.types = [...active];
      return { active: active.size > 0, value: msg };
    },
    onTick(state, now) {
      const last = typeof state.lastEvent === 'number' ? state.lastEvent : undefined;
      if (last === undefined || now - last < s.resolveAfter) return undefined;
      state.types = [];
      return { active: false };
    },
  }),

  rate: (s) => {
    const perMs = s.per === 's' ? 1000 : s.per === 'm' ? 60_000 : 3_600_000;
    return {
      kind: 'rate', field: s.field,
      onSample(sample, state) {
        const v = toComparable(sample.fields[s.field]);
        if (typeof v !== 'number') return undefined;
        const t = sample.time.getTime();
        let points = (Array.isArray(state.points) ? state.points : []) as [number, number][];
        const last = points[points.length - 1];
        // A counter that went backwards was reset (reboot, wrap): start the window again.
        if (s.counter && last && v < last[1]) points = [];
        if (last && t <= last[0]) return undefined;
        points.push([t, v]);
        // Times only grow: the points out of the window are a prefix (dropped in place, no new array per sample).
        let old = 0;
        while (old < points.length && points[old]![0] < t - s.window) old++;
        if (old > 0) points.splice(0, old);
        // Bounded memory whatever the poll rate: thin the middle of the window.
        if (points.length > 200) points = points.filter((_p, i) => i % 2 === 0 || i === points.length - 1);
        state.points = points;
        const first = points[0]!;
        if (points.length < 2 || t - first[0] < s.window / 2) return undefined;
        const rate = ((v - first[1]) / (t - first[0])) * perMs;
        return { active: compare(rate, s.op, s.value), value: rate, threshold: s.value };
      },
    };
  },
};

/** Builds the condition of a rule (or its clear condition), with its guards. */
export function buildCondition(spec: ConditionSpec, ctx: ConditionContext = {}): Condition {
  const kind = (['threshold', 'absence', 'change', 'event', 'rate'] as const).find((k) => spec[k] !== undefined)!;
  const inner = (KINDS[kind] as Builder<typeof kind>)(spec[kind] as never, ctx);
  const guards = spec.while ?? [];
  if (guards.length === 0) return inner;
  return {
    kind: inner.kind, field: inner.field,
    onSample(sample, state, latest) {
      const e = inner.onSample(sample, state, latest);
      if (!e || !e.active) return e;
      return guardsHold(guards, sample, sample.tags.device ?? '', sample.time.getTime(), latest) ? e : { ...e, active: false };
    },
    onTick: inner.onTick && ((state, now, device, latest) => {
      const e = inner.onTick!(state, now, device, latest);
      if (!e || !e.active) return e;
      return guardsHold(guards, undefined, device, now, latest) ? e : { ...e, active: false };
    }),
  };
}
