import type { FieldValue } from '../../../core/sample.js';
import type { RawSample } from '../metrics.js';

/** What one optic reading measures; power in dBm, temperature in °C, bias in A, voltage in V. */
export type OpticQuantity = 'rx_power' | 'tx_power' | 'temperature' | 'bias' | 'voltage';

/** Words for the sample's `name` tag: "<ifName> rx power". */
const LABELS: Record<OpticQuantity, string> = { rx_power: 'rx power', tx_power: 'tx power', temperature: 'temperature', bias: 'bias', voltage: 'voltage' };

/** The device's own limits for a reading, in the reading's unit. */
export interface Thresholds { lowAlarm?: number; lowWarn?: number; highWarn?: number; highAlarm?: number }

/** One DOM value of one transceiver, before it is tied to an interface. */
export interface OpticReading {
  /** The interface, when the table is indexed by ifIndex (H3C). */
  ifIndex?: string;
  /** The entPhysicalIndex, when the table is indexed by entity (Huawei, ENTITY-SENSOR). */
  entity?: string;
  quantity: OpticQuantity;
  value: number;
  thresholds: Thresholds;
}

/** A DOM receiver cannot measure below about -40 dBm: no light at all (0 µW) reads as this. */
export const DBM_FLOOR = -40;

/** Optical power in microwatts as dBm (10·log10(mW)); at most the floor for 0 µW. */
export function microwattsToDbm(uw: number): number {
  if (!(uw > 0)) return DBM_FLOOR;
  return Math.max(DBM_FLOOR, round(10 * Math.log10(uw / 1000)));
}

/** Rounds away binary noise (1e-4 is finer than any DOM reports). */
export function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/**
 * The `sensor` sample of a reading on a named interface (docs/SCHEMA.md, kind `optical`): the device's thresholds as
 * fields, `status` from them (critical past an alarm limit, warning past a warning limit), `low`/`high` when the value
 * is below the low warning (else alarm) limit or above the high one.
 */
export function opticSample(r: OpticReading, ifName: string): RawSample {
  const t = r.thresholds;
  const fields: Record<string, FieldValue> = { value: r.value };
  if (t.lowAlarm !== undefined) fields.low_alarm = t.lowAlarm;
  if (t.lowWarn !== undefined) fields.low_warn = t.lowWarn;
  if (t.highWarn !== undefined) fields.high_warn = t.highWarn;
  if (t.highAlarm !== undefined) fields.high_alarm = t.highAlarm;
  const lowLimit = t.lowWarn ?? t.lowAlarm;
  const highLimit = t.highWarn ?? t.highAlarm;
  if (lowLimit !== undefined) fields.low = r.value < lowLimit;
  if (highLimit !== undefined) fields.high = r.value > highLimit;
  if (lowLimit !== undefined || highLimit !== undefined) {
    const critical = (t.lowAlarm !== undefined && r.value < t.lowAlarm) || (t.highAlarm !== undefined && r.value > t.highAlarm);
    const warning = fields.low === true || fields.high === true;
    fields.status = critical ? 'critical' : warning ? 'warning' : 'ok';
    fields.ok = fields.status === 'ok';
  }
  return { measurement: 'sensor', tags: { kind: 'optical', name: `${ifName} ${LABELS[r.quantity]}`, ifName, quantity: r.quantity }, fields };
}
