import { snmpNumber } from '../metrics.js';
import type { ColumnValues } from '../session.js';
import type { EntityPorts } from './ports.js';
import { DBM_FLOOR, round, type OpticQuantity, type OpticReading, type Thresholds } from './reading.js';

/**
 * DOM sensors in ENTITY-SENSOR-MIB (RFC 3433) and CISCO-ENTITY-SENSOR-MIB: the same row layout (type, scale,
 * precision, value, status) under two roots, one row per sensor entity. Which sensor measures what is read from the
 * data type and the sensor's entPhysicalName ("Te1/1 Receive Power Sensor"); only sensors that belong to an interface
 * (entAliasMappingTable or name, src/pollers/snmp/optics/ports.ts) are optics.
 */
export interface SensorTable { type: string; scale: string; precision: string; value: string; status: string }

/** ENTITY-SENSOR-MIB entPhySensorTable. */
export const ENTITY_SENSOR: SensorTable = {
  type: '1.3.6.1.2.1.99.1.1.1.1', scale: '1.3.6.1.2.1.99.1.1.1.2', precision: '1.3.6.1.2.1.99.1.1.1.3',
  value: '1.3.6.1.2.1.99.1.1.1.4', status: '1.3.6.1.2.1.99.1.1.1.5',
};
/** CISCO-ENTITY-SENSOR-MIB entSensorValueTable. */
export const CISCO_SENSOR: SensorTable = {
  type: '1.3.6.1.4.1.9.9.91.1.1.1.1.1', scale: '1.3.6.1.4.1.9.9.91.1.1.1.1.2', precision: '1.3.6.1.4.1.9.9.91.1.1.1.1.3',
  value: '1.3.6.1.4.1.9.9.91.1.1.1.1.4', status: '1.3.6.1.4.1.9.9.91.1.1.1.1.5',
};
/** CISCO-ENTITY-SENSOR-MIB entSensorThresholdTable (index entPhysicalIndex . thresholdIndex). */
export const CISCO_THRESHOLD = { severity: '1.3.6.1.4.1.9.9.91.1.2.1.1.2', relation: '1.3.6.1.4.1.9.9.91.1.2.1.1.3', value: '1.3.6.1.4.1.9.9.91.1.2.1.1.4' };

/** Data types: voltsDC(4), amperes(5), watts(6), celsius(8); dBm(14) in CISCO-ENTITY-SENSOR-MIB's SensorDataType. */
const VOLTS_DC = 4, AMPERES = 5, WATTS = 6, CELSIUS = 8, DBM = 14;

/** What a sensor measures, from its type and name; undefined for sensors that are no DOM reading. */
function quantityOf(type: number, name: string): OpticQuantity | undefined {
  if (type === WATTS || type === DBM) {
    if (/\b(rx|receive[rd]?)\b/i.test(name)) return 'rx_power';
    if (/\b(tx|transmit(ted)?)\b/i.test(name)) return 'tx_power';
    return undefined;
  }
  if (type === AMPERES) return /\bbias\b/i.test(name) ? 'bias' : undefined;
  if (type === CELSIUS) return 'temperature';
  if (type === VOLTS_DC) return 'voltage';
  return undefined;
}

/** A raw sensor number in the sensor's unit: × 10^(3·(scale − 9)) (units = 9), ÷ 10^precision. */
function scaled(raw: number, scale: number | undefined, precision: number | undefined): number {
  let x = raw * 10 ** (3 * ((scale ?? 9) - 9));
  if (precision !== undefined && precision > 0 && precision < 10) x /= 10 ** precision;
  return x;
}

/** Watts as dBm (dBm sensors pass through). */
function asDbm(x: number, type: number): number {
  if (type === DBM) return round(x);
  return x > 0 ? Math.max(DBM_FLOOR, round(10 * Math.log10(x * 1000))) : DBM_FLOOR;
}

/** Cisco thresholds of one sensor: severity minor(10) = warning, major(20)/critical(30) = alarm; relation < or <= = low side. */
function ciscoThresholds(cols: ColumnValues, entity: string, conv: (raw: number) => number): Thresholds {
  const t: Thresholds = {};
  for (const [index, rel] of cols.get(CISCO_THRESHOLD.relation) ?? []) {
    if (index.split('.')[0] !== entity) continue;
    const relation = snmpNumber(rel);
    const severity = snmpNumber(cols.get(CISCO_THRESHOLD.severity)?.get(index));
    const raw = snmpNumber(cols.get(CISCO_THRESHOLD.value)?.get(index));
    if (relation === undefined || severity === undefined || raw === undefined) continue;
    const low = relation === 1 || relation === 2;
    const high = relation === 3 || relation === 4;
    const alarm = severity >= 20;
    const warn = severity === 10;
    const v = conv(raw);
    if (low && alarm) t.lowAlarm = v; else if (low && warn) t.lowWarn = v;
    else if (high && alarm) t.highAlarm = v; else if (high && warn) t.highWarn = v;
  }
  return t;
}

/** The DOM readings of one sensor table (with Cisco's thresholds when `thresholds` is set). */
export function sensorReadings(table: SensorTable, cols: ColumnValues, ports: EntityPorts, thresholds: boolean): OpticReading[] {
  const out: OpticReading[] = [];
  for (const [entity, v] of cols.get(table.value) ?? []) {
    const type = snmpNumber(cols.get(table.type)?.get(entity));
    // Status ok(1) only: unavailable(2) and nonoperational(3) values mean nothing.
    if (type === undefined || snmpNumber(cols.get(table.status)?.get(entity)) !== 1) continue;
    const quantity = quantityOf(type, ports.name(entity));
    const raw = snmpNumber(v);
    if (!quantity || raw === undefined || !ports.ofEntity(entity)) continue;
    const scale = snmpNumber(cols.get(table.scale)?.get(entity));
    const precision = snmpNumber(cols.get(table.precision)?.get(entity));
    const conv = (r: number) => {
      const x = scaled(r, scale, precision);
      return quantity === 'rx_power' || quantity === 'tx_power' ? asDbm(x, type) : round(x);
    };
    out.push({ entity, quantity, value: conv(raw), thresholds: thresholds ? ciscoThresholds(cols, entity, conv) : {} });
  }
  return out;
}
