import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { backtrackRisk, testPattern } from './patterns.js';
import { readYamlDirs } from '../../config/data-files.js';
import { NEIGHBOR_TABLE_NAMES } from './neighbors/index.js';
import { L2_TABLE_NAMES } from './l2/index.js';
import { BGP_SOURCE_NAMES } from './bgp/index.js';
import { OPTICS_SOURCE_NAMES } from './optics/index.js';

/**
 * Device knowledge as data: a profile says how to recognise a vendor's devices and which OIDs
 * become which samples. One YAML file per vendor or MIB family; see docs/PROFILES.md.
 */

const oid = z.string().regex(/^\d+(\.\d+)+$/, 'expected a numeric OID such as 1.3.6.1.2.1.2.2.1.10');
const regex = z.string().min(1)
  .refine((s) => { try { new RegExp(s, 'i'); return true; } catch { return false; } }, { message: 'expected a valid regular expression' })
  .superRefine((s, ctx) => {
    const risk = backtrackRisk(s);
    if (risk) ctx.addIssue({ code: 'custom', message: `expected a pattern that cannot backtrack without bound: ${risk}` });
  });
const scalarMapValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** Enum translation: the agent's integer (or text) -> our value; null drops the value. */
const valueMap = z.record(z.string(), scalarMapValue);

/** One way to get a tag value; several can be listed, the first non-empty wins. */
export const tagSpecSchema = z.strictObject({
  /** A column of the same table (or a table with the same index). */
  column: oid.optional(),
  /** Use the value of this column as the row index into `column` (e.g. cpmCPUTotalPhysicalIndex -> entPhysicalName). */
  via: oid.optional(),
  /** A fixed text. */
  value: z.string().optional(),
  /** The row index itself (`index: true`), or one part of it (`index: 2` = second sub-identifier). */
  index: z.union([z.boolean(), z.number().int().min(1)]).optional(),
  map: valueMap.optional(),
  /** Text put before the value (e.g. "outlet "). */
  prefix: z.string().optional(),
}).refine((t) => [t.column, t.value, t.index].filter((x) => x !== undefined && x !== false).length === 1, {
  message: 'expected exactly one of column, value or index',
});
export type TagSpec = z.output<typeof tagSpecSchema>;

/** How one field is read and scaled. */
export const fieldSpecSchema = z.strictObject({
  /** A table column (walked); the metric yields one sample per row, or one aggregated value with `aggregate`. */
  column: oid.optional(),
  /** A scalar instance (GET), e.g. 1.3.6.1.4.1.12356.101.4.1.8.0. */
  oid: oid.optional(),
  /** Field type in InfluxDB; see docs/SCHEMA.md. */
  type: z.enum(['float', 'integer', 'boolean', 'string']).default('float'),
  /** Multiply by a constant (0.1 for tenths, 1024 for KiB...). */
  scale: z.number().optional(),
  /** Add a constant after scaling (100 - idle: `scale: -1, add: 100`). */
  add: z.number().optional(),
  /**
   * Agents that send tenths or hundredths where the MIB says units: while the value is above this,
   * divide by 10 (at most three times). Only for quantities with a physical ceiling (mains volts, hertz).
   */
  fit: z.number().positive().optional(),
  /** Multiply by another column of the same row (hrStorageAllocationUnits). */
  multiplyBy: oid.optional(),
  /** Multiply by 10^(exponent) where the exponent is read from a column, through `map` (ENTITY-SENSOR scale). */
  pow10: z.strictObject({ column: oid, map: z.record(z.string(), z.number()).optional() }).optional(),
  /** Divide by 10^(this column's value) (ENTITY-SENSOR precision). */
  divPow10: oid.optional(),
  /** Translate enumerations before scaling (e.g. status 2 -> "ok", 1 -> true). */
  map: valueMap.optional(),
  /** With `map`: the value for anything the map does not list (otherwise strings become "unknown", the rest is dropped). */
  default: scalarMapValue.optional(),
  /** The high 32 bits of a value split over two columns (NetApp dfHighTotalKBytes and dfLowTotalKBytes); this column is the low half. */
  wordHigh: oid.optional(),
  /** Values outside this range are dropped as "not available" (e.g. -1 sentinels). */
  min: z.number().optional(),
  max: z.number().optional(),
  /** How rows combine into one value when the metric is `single`. */
  aggregate: z.enum(['first', 'max', 'min', 'sum', 'avg', 'count']).optional(),
}).refine((f) => (f.column === undefined) !== (f.oid === undefined), { message: 'expected exactly one of column or oid' });
export type FieldSpec = z.output<typeof fieldSpecSchema>;

const filterSchema = z.strictObject({
  column: oid,
  /** Keep rows whose value is one of these. */
  in: z.array(z.union([z.number(), z.string()])).optional(),
  /** Keep rows whose value is greater than this. */
  gt: z.number().optional(),
  /** Keep rows whose text matches. */
  match: regex.optional(),
  /** Drop rows whose text matches. */
  notMatch: regex.optional(),
});
export type RowFilter = z.output<typeof filterSchema>;

const MEASUREMENTS = ['cpu', 'memory', 'storage', 'sensor', 'ups', 'ups_line', 'pdu', 'firewall'] as const;

/** One sample family read from a table or from scalars. */
export const metricSpecSchema = z.strictObject({
  measurement: z.enum(MEASUREMENTS),
  /** What it is, for people reading the profile. */
  description: z.string().optional(),
  /** One sample from scalars and aggregated columns, instead of one per row. */
  single: z.boolean().default(false),
  tags: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a tag name'), z.union([tagSpecSchema, z.array(tagSpecSchema).min(1)])).default({}),
  fields: z.record(z.string().regex(/^_?[a-z][a-z0-9_]*$/, 'expected a snake_case field name (leading _ = helper, not stored)'), fieldSpecSchema),
  filter: z.array(filterSchema).default([]),
}).superRefine((m, ctx) => {
  for (const [name, f] of Object.entries(m.fields)) {
    if (!m.single && f.oid !== undefined) ctx.addIssue({ code: 'custom', path: ['fields', name, 'oid'], message: 'scalar oid fields need `single: true` on the metric (use column for table rows)' });
    if (!m.single && f.aggregate !== undefined) ctx.addIssue({ code: 'custom', path: ['fields', name, 'aggregate'], message: 'aggregate needs `single: true` on the metric' });
  }
});
export type MetricSpec = z.output<typeof metricSpecSchema>;

/** A text read for identification: a scalar OID, a sysDescr regex (first capture group), or a fixed value. */
const identitySourceSchema = z.strictObject({
  oid: oid.optional(),
  sysDescr: regex.optional(),
  value: z.string().optional(),
}).refine((s) => [s.oid, s.sysDescr].filter((x) => x !== undefined).length + (s.value !== undefined && s.sysDescr === undefined ? 1 : 0) === 1, {
  message: 'expected exactly one of oid, sysDescr or value (value may go with sysDescr: the text to use when it matches)',
});
export type IdentitySource = z.output<typeof identitySourceSchema>;
const identityList = z.union([identitySourceSchema, z.array(identitySourceSchema).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const matchSchema = z.strictObject({
  /** sysObjectID starts with this (whole sub-identifiers). */
  sysObjectID: oid.optional(),
  /** sysDescr matches this (case-insensitive), to split an ambiguous prefix. */
  sysDescr: regex.optional(),
  /** The agent has something under this OID (one GETNEXT at identification). */
  exists: oid.optional(),
}).refine((m) => m.sysObjectID !== undefined || m.sysDescr !== undefined || m.exists !== undefined, { message: 'expected at least one of sysObjectID, sysDescr or exists' });
export type MatchRule = z.output<typeof matchSchema>;

/** A whole profile file. */
export const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lower-case profile name'),
  description: z.string().optional(),
  /** generic: applies to every device whose agent has the tables; vendor: chosen by `match`. */
  kind: z.enum(['generic', 'vendor']).default('vendor'),
  vendor: z.string().min(1).optional(),
  identity: z.strictObject({
    os: identityList.optional(),
    model: identityList.optional(),
    version: identityList.optional(),
    serial: identityList.optional(),
  }).default({}),
  match: z.array(matchSchema).default([]),
  metrics: z.array(metricSpecSchema).default([]),
  /** Neighbour tables read on the inventory interval (docs/TOPOLOGY.md); a generic profile's apply to every device. */
  neighbors: z.array(z.enum(NEIGHBOR_TABLE_NAMES)).default([]),
  /** Layer-2 tables (ARP, FDB, VLANs) read on the inventory interval for the topology store and locate (docs/TOPOLOGY.md). */
  l2: z.array(z.enum(L2_TABLE_NAMES)).default([]),
  /**
   * The vendor's own VLAN table (docs/TOPOLOGY.md): `names`, columns indexed by the VLAN id, first non-empty wins;
   * `status`, a column and its enumeration. Read with the `vlan` table, only for VLANs Q-BRIDGE leaves unnamed or unlisted.
   */
  vlanNames: z.strictObject({
    names: z.array(oid).min(1),
    status: z.strictObject({
      column: oid,
      values: z.record(z.string(), z.string().min(1)).superRefine((r, ctx) => {
        for (const k of Object.keys(r)) if (!/^\d+$/.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `expected an integer the agent sends as the key (e.g. '2': static), got "${k}"` });
      }),
    }).optional(),
  }).optional(),
  /** BGP tables read on the SNMP poll into `bgp_peer` samples (docs/SCHEMA.md): `bgp4` and the vendor's prefix counts. */
  bgp: z.array(z.enum(BGP_SOURCE_NAMES)).default([]),
  /** Optics DOM tables read on the SNMP poll into `sensor` samples of kind optical (docs/SCHEMA.md). */
  optics: z.array(z.enum(OPTICS_SOURCE_NAMES)).default([]),
}).superRefine((p, ctx) => {
  if (p.kind === 'vendor' && p.match.length === 0) ctx.addIssue({ code: 'custom', path: ['match'], message: 'a vendor profile needs at least one match rule' });
  if (p.kind === 'vendor' && !p.vendor) ctx.addIssue({ code: 'custom', path: ['vendor'], message: 'required for a vendor profile (expected the vendor tag, e.g. huawei)' });
});
export type Profile = z.output<typeof profileSchema> & { file: string };

/** The profiles shipped with Noctua. */
export const BUILTIN_PROFILE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');

/** Reads every *.yaml profile in the directories (later directories add to or replace earlier ones by name). */
export function loadProfiles(dirs: readonly string[] = [BUILTIN_PROFILE_DIR]): Profile[] {
  const byName = new Map<string, Profile>();
  readYamlDirs(dirs, profileSchema, (value, file) => { byName.set(value.name, { ...value, file }); });
  return [...byName.values()];
}

/** How specific a match is: longer sysObjectID prefixes and extra conditions win. */
function matchScore(m: MatchRule, sysObjectID: string, sysDescr: string, has: (oid: string) => boolean | undefined): number {
  let score = 0;
  if (m.sysObjectID !== undefined) {
    if (!(sysObjectID === m.sysObjectID || sysObjectID.startsWith(m.sysObjectID + '.'))) return -1;
    score += m.sysObjectID.split('.').length * 10;
  }
  if (m.sysDescr !== undefined) {
    if (!testPattern(m.sysDescr, sysDescr)) return -1;
    score += 5;
  }
  if (m.exists !== undefined) {
    if (has(m.exists) !== true) return -1;
    // The agent carrying a vendor's own MIB says more than a sysDescr pattern.
    score += 8;
  }
  return score;
}

/** OIDs that `exists` rules of candidate profiles need probed for this sysObjectID/sysDescr. */
export function existsProbes(profiles: readonly Profile[]): string[] {
  return [...new Set(profiles.flatMap((p) => p.match.map((m) => m.exists).filter((x): x is string => x !== undefined)))];
}

/** Picks the vendor profile that fits best, or undefined (generic only). */
export function chooseProfile(profiles: readonly Profile[], sysObjectID: string, sysDescr: string, has: (oid: string) => boolean | undefined = () => undefined): Profile | undefined {
  let best: Profile | undefined;
  let bestScore = -1;
  for (const p of profiles) {
    if (p.kind !== 'vendor') continue;
    for (const m of p.match) {
      const s = matchScore(m, sysObjectID, sysDescr, has);
      if (s > bestScore) { best = p; bestScore = s; }
    }
  }
  return best;
}
