import type { FieldValue } from '../../core/sample.js';
import { counterRate } from './counters.js';
import { snmpNumber, snmpText, type RawSample } from './metrics.js';
import type { ColumnValues, SnmpValue } from './session.js';

/** Below this a rate above twice ifSpeed is still believed: virtual interfaces' ifSpeed is nominal, not a line rate. */
const NOMINAL_SPEED_CEILING_BPS = 10e9;

/**
 * IF-MIB: ifTable + ifXTable into `interface` samples, with 64-bit HC counters preferred per row.
 * Kept in code rather than a profile because rates need the previous poll's counters.
 */

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';

export const IF_COLUMNS = {
  ifDescr: `${IF}.2`, ifSpeed: `${IF}.5`, ifAdminStatus: `${IF}.7`, ifOperStatus: `${IF}.8`,
  ifName: `${IFX}.1`, ifHighSpeed: `${IFX}.15`, ifAlias: `${IFX}.18`,
} as const;

/** Each raw counter: the 32-bit column of ifTable/ifXTable and its HC twin. */
const COUNTERS: readonly { field: string; c32?: string; c64?: string }[] = [
  { field: 'in_octets', c32: `${IF}.10`, c64: `${IFX}.6` },
  { field: 'out_octets', c32: `${IF}.16`, c64: `${IFX}.10` },
  { field: 'in_ucast_pkts', c32: `${IF}.11`, c64: `${IFX}.7` },
  { field: 'out_ucast_pkts', c32: `${IF}.17`, c64: `${IFX}.11` },
  { field: 'in_mcast_pkts', c32: `${IFX}.2`, c64: `${IFX}.8` },
  { field: 'out_mcast_pkts', c32: `${IFX}.4`, c64: `${IFX}.12` },
  { field: 'in_bcast_pkts', c32: `${IFX}.3`, c64: `${IFX}.9` },
  { field: 'out_bcast_pkts', c32: `${IFX}.5`, c64: `${IFX}.13` },
  { field: 'in_discards', c32: `${IF}.13` },
  { field: 'out_discards', c32: `${IF}.19` },
  { field: 'in_errors', c32: `${IF}.14` },
  { field: 'out_errors', c32: `${IF}.20` },
];

/** The field names of each direction's rates, built once rather than per row. */
const DIRECTION_KEYS = (['in', 'out'] as const).map((dir) => ({
  ucast: `${dir}_ucast_pkts`, mcast: `${dir}_mcast_pkts`, bcast: `${dir}_bcast_pkts`, errors: `${dir}_errors`, discards: `${dir}_discards`,
  pps: `${dir}_pps`, errorsPs: `${dir}_errors_ps`, discardsPs: `${dir}_discards_ps`, bps: `${dir}_bps`, util: `${dir}_util_pct`,
}));

/**
 * The columns to walk. Once a poll showed HC counters on every row, their 32-bit twins are skipped:
 * that halves the counter traffic on big chassis.
 */
export function interfaceColumns(allRowsHaveHc: boolean): string[] {
  const cols: string[] = Object.values(IF_COLUMNS);
  for (const c of COUNTERS) {
    if (c.c64) cols.push(c.c64);
    if (c.c32 && !(allRowsHaveHc && c.c64)) cols.push(c.c32);
  }
  return cols;
}

/** Previous raw counters of one interface, keyed `field` (64-bit) or `field/32` (32-bit). */
export type InterfaceCounters = Map<string, bigint>;

export interface InterfaceResult {
  samples: RawSample[];
  /** New raw counters by ifIndex, for the next poll. */
  counters: Map<string, InterfaceCounters>;
  /** True when every row had HC octet counters (so 32-bit columns can be skipped next time). */
  allRowsHaveHc: boolean;
}

const toBig = (v: SnmpValue | undefined): bigint | undefined =>
  typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? BigInt(v) : undefined;

/**
 * Builds interface samples. `prev` and `seconds` give rates from the second poll on; pass prev undefined
 * after a reboot or a counter reset so that no rate (and no spike) is emitted for that interval.
 */
export function buildInterfaces(cols: ColumnValues, prev: Map<string, InterfaceCounters> | undefined, seconds: number): InterfaceResult {
  // Each column's rows looked up once per poll, not once per row and column.
  const none = new Map<string, SnmpValue>();
  const col = (c: string) => cols.get(c) ?? none;
  const descrs = col(IF_COLUMNS.ifDescr), names = col(IF_COLUMNS.ifName), aliases = col(IF_COLUMNS.ifAlias);
  const opers = col(IF_COLUMNS.ifOperStatus), admins = col(IF_COLUMNS.ifAdminStatus);
  const highs = col(IF_COLUMNS.ifHighSpeed), lows = col(IF_COLUMNS.ifSpeed);
  const counterCols = COUNTERS.map((c) => ({ ...c, key32: `${c.field}/32`, v64: c.c64 ? col(c.c64) : undefined, v32: c.c32 ? col(c.c32) : undefined }));
  const rows = new Set<string>();
  for (const m of [descrs, admins, opers]) for (const k of m.keys()) rows.add(k);
  const samples: RawSample[] = [];
  const counters = new Map<string, InterfaceCounters>();
  let hcRows = 0;
  const sorted = [...rows].sort((a, b) => Number(a) - Number(b));
  for (const idx of sorted) {
    const descr = snmpText(descrs.get(idx)) ?? '';
    const name = snmpText(names.get(idx)) || descr || `if${idx}`;
    const tags = { ifIndex: idx, ifName: name, ifAlias: snmpText(aliases.get(idx)) ?? '', ifDescr: descr };
    const fields: Record<string, FieldValue> = {};
    const oper = snmpNumber(opers.get(idx));
    const admin = snmpNumber(admins.get(idx));
    if (oper !== undefined) fields.oper_up = oper === 1;
    if (admin !== undefined) fields.admin_up = admin === 1;
    const high = snmpNumber(highs.get(idx));
    const low = snmpNumber(lows.get(idx));
    // ifSpeed saturates at 4,294,967,295 for links above 4 Gb/s: ifHighSpeed (Mb/s) is the truth when present.
    let speed: number | undefined;
    if (high !== undefined && high > 0) speed = high * 1_000_000;
    else if (low !== undefined && low > 0) speed = low;
    if (speed !== undefined) fields.speed_bps = BigInt(Math.round(speed));

    const now: InterfaceCounters = new Map();
    const before = prev?.get(idx);
    const rate: Record<string, number | undefined> = {};
    const perSecondMax = speed !== undefined ? (speed / 8) * 1.1 : undefined;
    for (const c of counterCols) {
      const v64 = c.v64 ? toBig(c.v64.get(idx)) : undefined;
      const v32 = v64 === undefined && c.v32 ? toBig(c.v32.get(idx)) : undefined;
      const v = v64 ?? v32;
      if (v === undefined) continue;
      if (c.field === 'in_octets' && v64 !== undefined) hcRows++;
      fields[c.field] = v;
      const key = v64 !== undefined ? c.field : c.key32;
      now.set(key, v);
      rate[c.field] = counterRate(before?.get(key), v, { bits: v64 !== undefined ? 64 : 32, seconds, maxRate: perSecondMax });
    }
    counters.set(idx, now);
    // A rate far above the line rate is a counter that jumped (agent bug, reset to garbage), not traffic: never a spike.
    // Software interfaces (loopback, tunnels, VLAN interfaces) report a nominal speed such as 10 Mb/s that is no
    // line rate, so a rate is only thrown away when it is beyond twice the speed AND beyond any plausible port.
    const plausible = (bps: number | undefined) => (bps !== undefined && (speed === undefined || bps <= Math.max(speed * 2, NOMINAL_SPEED_CEILING_BPS)) ? bps : undefined);
    const inBps = plausible(rate.in_octets !== undefined ? rate.in_octets * 8 : undefined);
    const outBps = plausible(rate.out_octets !== undefined ? rate.out_octets * 8 : undefined);
    if (inBps !== undefined) fields.in_bps = inBps;
    if (outBps !== undefined) fields.out_bps = outBps;
    for (const k of DIRECTION_KEYS) {
      const u = rate[k.ucast];
      if (u !== undefined) fields[k.pps] = u + (rate[k.mcast] ?? 0) + (rate[k.bcast] ?? 0);
      const e = rate[k.errors];
      if (e !== undefined) fields[k.errorsPs] = e;
      const d = rate[k.discards];
      if (d !== undefined) fields[k.discardsPs] = d;
      const bps = fields[k.bps];
      if (typeof bps === 'number' && speed !== undefined) fields[k.util] = Math.min(100, (bps / speed) * 100);
    }
    samples.push({ measurement: 'interface', tags, fields });
  }
  return { samples, counters, allRowsHaveHc: sorted.length > 0 && hcRows === sorted.length };
}
