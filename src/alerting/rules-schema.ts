import { z } from 'zod';
import { SEVERITIES } from '../core/incident.js';
import { DEVICE_CLASSES } from '../config/inventory-schema.js';
import { durationSchema } from '../config/duration.js';

/** Comparison operators of threshold, rate and guard conditions. */
export const OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
/** One comparison operator. */
export type Operator = (typeof OPERATORS)[number];

const ruleName = z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a rule name of letters, digits, "_", "." or "-"');
const fieldName = z.string().min(1);
const scalar = z.union([z.number(), z.boolean(), z.string()]);
/** One glob (`*`, `?`) or a list of them; matching is case-insensitive. */
const patterns = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
const severity = z.enum(SEVERITIES);

/** Which samples (and which devices) a rule looks at. */
export const selectorSchema = z.strictObject({
  measurement: z.string().min(1),
  /** Inventory device classes. */
  class: z.array(z.enum(DEVICE_CLASSES)).min(1).optional(),
  /** Inventory sites (globs). */
  site: patterns.optional(),
  /** Device names (globs). */
  device: patterns.optional(),
  /** Inventory tags the device must all carry. */
  deviceTags: z.array(z.string().min(1)).min(1).optional(),
  /** Inventory tags the device must not carry. */
  excludeDeviceTags: z.array(z.string().min(1)).min(1).optional(),
  /** Sample tags (globs), e.g. `{ kind: temperature }` or `{ ifAlias: "*uplink*" }`. */
  match: z.record(z.string().min(1), patterns).optional(),
  /** Sample tags (globs) that exclude a sample. */
  exclude: z.record(z.string().min(1), patterns).optional(),
  /** Instance names (globs): ifName, sensor name, mount, ... */
  instance: patterns.optional(),
  /** The sample tag(s) that name the instance; defaults per measurement (interface: ifName, sensor: name, ...). */
  instanceTag: patterns.optional(),
});

/** A test on one field of a sample (or of the device's latest sample of another measurement). */
export const guardSchema = z.strictObject({
  measurement: z.string().min(1).optional(),
  field: fieldName,
  op: z.enum(OPERATORS),
  value: scalar,
  /** How old the other measurement's latest sample may be. */
  maxAge: durationSchema.default(300_000),
  /** What a guard on data that does not exist yields. */
  missing: z.enum(['pass', 'fail']).default('fail'),
});

const thresholdSchema = z.strictObject({ field: fieldName, op: z.enum(OPERATORS), value: scalar });
const absenceSchema = z.strictObject({ after: durationSchema });
const changeSchema = z.strictObject({ field: fieldName, from: scalar, to: scalar });
const eventSchema = z.strictObject({ resolveAfter: durationSchema.default(3_600_000) });
const rateSchema = z.strictObject({
  field: fieldName,
  window: durationSchema,
  per: z.enum(['s', 'm', 'h']).default('s'),
  op: z.enum(OPERATORS),
  value: z.number(),
  /** A raw counter: a value lower than the previous one is a reset (reboot, wrap), not a fall. */
  counter: z.boolean().default(false),
});

/** A condition: exactly one kind, plus optional guards that must also hold. */
export const conditionSchema = z
  .strictObject({
    threshold: thresholdSchema.optional(),
    absence: absenceSchema.optional(),
    change: changeSchema.optional(),
    event: eventSchema.optional(),
    rate: rateSchema.optional(),
    while: z.array(guardSchema).min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const kinds = (['threshold', 'absence', 'change', 'event', 'rate'] as const).filter((k) => c[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: kinds.length === 0 ? 'expected one condition kind: threshold, absence, change, event or rate' : `expected exactly one condition kind, got ${kinds.join(' and ')}` });
    }
  });

const localisedText = z.union([
  z.string().min(1).transform((s) => ({ en: s, 'zh-CN': s })),
  z.strictObject({ en: z.string().min(1), 'zh-CN': z.string().min(1) }),
], { error: (iss) => (iss.input === undefined ? 'required (expected a text, or en and zh-CN texts)' : 'expected a text, or a mapping with en and zh-CN texts') });

const noDataSchema = z.strictObject({
  /** How long an instance may stay silent before its alert counts as having no data. */
  after: durationSchema.default(600_000),
  /** keep: leave the alert as it is; resolve: resolve it; fire: treat no data as the condition holding. */
  action: z.enum(['keep', 'resolve', 'fire']).default('keep'),
});

/** One rule of `alerts.yaml`. */
export const ruleSchema = z.strictObject({
  name: ruleName,
  description: z.string().optional(),
  severity,
  /** The first entry whose device filter matches sets the severity instead (e.g. P1 for devices tagged core). */
  severityFor: z.array(z.strictObject({
    deviceTags: z.array(z.string().min(1)).min(1).optional(),
    class: z.array(z.enum(DEVICE_CLASSES)).min(1).optional(),
    site: patterns.optional(),
    device: patterns.optional(),
    severity,
  })).optional(),
  select: selectorSchema,
  condition: conditionSchema,
  /** How long the condition must hold before the alert fires. */
  for: durationSchema.default(0),
  /** How many samples in a row must meet the condition (e.g. 2 = two poll cycles). */
  consecutive: z.number().int().min(1).max(100).default(1),
  /** The condition that resolves a firing alert; without it the alert resolves when the condition stops holding. */
  clear: conditionSchema.optional(),
  /** How long the clear condition must hold before the alert resolves (hysteresis). */
  clearFor: durationSchema.default(0),
  noData: noDataSchema.prefault({}),
  /** This alert means the device itself is down: its children's alerts are suppressed while it fires. */
  deviceDown: z.boolean().default(false),
  /** Suppress this alert while a parent (inventory `parent`, transitively) is down. */
  suppressedByParent: z.boolean().default(false),
  /** Incident grouping for this rule's alerts (overrides `incidents.groupBy`). */
  groupBy: z.array(z.string().min(1)).min(1).optional(),
  labels: z.record(z.string().min(1), z.string()).default({}),
  summary: localisedText,
  text: localisedText.optional(),
  enabled: z.boolean().default(true),
});

/** One maintenance window: scope, schedule, reason and owner. */
export const maintenanceSchema = z
  .strictObject({
    name: z.string().min(1),
    reason: z.string().min(1),
    owner: z.string().min(1),
    devices: patterns.optional(),
    sites: patterns.optional(),
    deviceTags: z.array(z.string().min(1)).min(1).optional(),
    /** Fixed range: ISO 8601 times. */
    start: z.string().optional(),
    end: z.string().optional(),
    /** Recurring: a 5-field cron expression (minute hour day-of-month month day-of-week) and a duration. */
    cron: z.string().optional(),
    duration: durationSchema.optional(),
    timezone: z.string().default('UTC'),
  })
  .superRefine((m, ctx) => {
    if (!m.devices && !m.sites && !m.deviceTags) ctx.addIssue({ code: 'custom', message: 'expected a scope: devices, sites or deviceTags' });
    const range = m.start !== undefined || m.end !== undefined;
    const recurring = m.cron !== undefined || m.duration !== undefined;
    if (range && recurring) ctx.addIssue({ code: 'custom', message: 'expected either start/end or cron/duration, not both' });
    else if (!range && !recurring) ctx.addIssue({ code: 'custom', message: 'expected a schedule: start and end, or cron and duration' });
    else if (range) {
      for (const k of ['start', 'end'] as const) {
        const v = m[k];
        if (v === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'required with a fixed range (expected an ISO 8601 time such as 2026-11-28T22:00:00+08:00)' });
        else if (Number.isNaN(Date.parse(v))) ctx.addIssue({ code: 'custom', path: [k], message: `expected an ISO 8601 time such as 2026-11-28T22:00:00+08:00, got ${JSON.stringify(v)}` });
      }
      if (m.start && m.end && Date.parse(m.end) <= Date.parse(m.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'expected end after start' });
    } else {
      if (m.cron === undefined) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'required with duration (expected a cron expression such as "0 2 * * 0")' });
      if (m.duration === undefined) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'required with cron (expected a duration such as "2h")' });
      else if (m.duration <= 0) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'expected a duration above 0' });
    }
    try { new Intl.DateTimeFormat('en', { timeZone: m.timezone }); } catch {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: `expected an IANA time zone such as Asia/Shanghai or UTC, got ${JSON.stringify(m.timezone)}` });
    }
  });

/** The whole `alerts.yaml`. */
export const alertsFileSchema = z.strictObject({
  incidents: z.strictObject({
    /** Labels whose values put alerts in the same incident. */
    groupBy: z.array(z.string().min(1)).min(1).default(['device']),
  }).prefault({}),
  flapping: z.strictObject({
    /** More than this many state changes within `window` marks an alert flapping. */
    changes: z.number().int().min(2).default(4),
    window: durationSchema.default(1_800_000),
    /** A flapping alert is stable again after this long without a change. */
    stableFor: durationSchema.default(900_000),
  }).prefault({}),
  /** How often timers (for, clearFor, absence, no data, maintenance) are checked. */
  evaluationInterval: durationSchema.default(5000),
  /**
   * An instance (interface, mount, sensor) missing from this many polls of its device in a row is forgotten, unless
   * its alert fires: device-supplied names that change must not grow memory. Absence and no-data-fire rules keep theirs.
   * Five polls let a port that vanishes for a line-card reset come back with its memory (an uplink seen up, then down).
   */
  forgetAfterPolls: z.number().int().min(1).max(1000).default(5),
  rules: z.array(ruleSchema).default([]),
  maintenance: z.array(maintenanceSchema).default([]),
});

/** `alerts.yaml` with defaults filled. */
export type AlertsFile = z.output<typeof alertsFileSchema>;
/** One rule with defaults filled. */
export type RuleSpec = z.output<typeof ruleSchema>;
/** A condition (or clear condition) as written. */
export type ConditionSpec = z.output<typeof conditionSchema>;
/** One `while:` guard. */
export type GuardSpec = z.output<typeof guardSchema>;
/** A rule's selector. */
export type SelectorSpec = z.output<typeof selectorSchema>;
/** A maintenance window with defaults filled. */
export type MaintenanceSpec = z.output<typeof maintenanceSchema>;
/** Maintenance input as the API receives it (before defaults). */
export type MaintenanceInput = z.input<typeof maintenanceSchema>;
