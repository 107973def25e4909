import type { RawSample } from '../metrics.js';
import type { ColumnValues } from '../session.js';
import { EntityPorts, portLookupColumns } from './ports.js';
import { opticSample, type OpticReading } from './reading.js';
import { CISCO_SENSOR, CISCO_THRESHOLD, ENTITY_SENSOR, sensorReadings } from './sensor-tables.js';
import { H3C_TRANSCEIVER_COLUMNS, HUAWEI_OPTICAL, h3cReadings, huaweiReadings } from './vendor-tables.js';

/**
 * Optics DOM tables a profile can ask for (`optics: [huawei-optical]`), read on the SNMP poll into `sensor` samples of
 * kind `optical` on the interface they belong to (docs/SCHEMA.md). One entry per table: its columns and its reader.
 */
const SOURCES = {
  'entity-sensor': { columns: Object.values(ENTITY_SENSOR), read: (c: ColumnValues, p: EntityPorts) => sensorReadings(ENTITY_SENSOR, c, p, false) },
  'cisco-entity-sensor': { columns: [...Object.values(CISCO_SENSOR), ...Object.values(CISCO_THRESHOLD)], read: (c: ColumnValues, p: EntityPorts) => sensorReadings(CISCO_SENSOR, c, p, true) },
  'huawei-optical': { columns: Object.values(HUAWEI_OPTICAL), read: (c: ColumnValues) => huaweiReadings(c) },
  'h3c-transceiver': { columns: H3C_TRANSCEIVER_COLUMNS, read: (c: ColumnValues) => h3cReadings(c) },
} as const;

/** An optics table name. */
export type OpticsSource = keyof typeof SOURCES;
/** The names, for the profile schema. */
export const OPTICS_SOURCE_NAMES = Object.keys(SOURCES) as [OpticsSource, ...OpticsSource[]];

/** Every column to walk for these sources, with the ENTITY-MIB and IF-MIB columns that name the interface. */
export function opticsColumns(sources: Iterable<OpticsSource>): string[] {
  const cols = new Set<string>();
  for (const s of sources) for (const c of SOURCES[s].columns) cols.add(c);
  if (cols.size > 0) for (const c of portLookupColumns()) cols.add(c);
  return [...cols];
}

/** At most this many optic samples per device (a big chassis: a few hundred ports × five readings). */
export const MAX_OPTIC_SAMPLES = 4000;

/** The `sensor` samples (kind optical) of the walked columns; readings whose interface cannot be found are left out. */
export function parseOptics(sources: Iterable<OpticsSource>, cols: ColumnValues): RawSample[] {
  const ports = new EntityPorts(cols);
  const byName = new Map<string, RawSample>();
  for (const s of sources) {
    const readings: OpticReading[] = SOURCES[s].read(cols, ports);
    for (const r of readings) {
      const port = r.ifIndex !== undefined ? ports.index(r.ifIndex) : r.entity !== undefined ? ports.ofEntity(r.entity) : undefined;
      if (!port?.ifName) continue;
      const sample = opticSample(r, port.ifName);
      // A vendor table listed after a generic one replaces its reading of the same port and quantity.
      byName.set(sample.tags.name!, sample);
      if (byName.size >= MAX_OPTIC_SAMPLES) return [...byName.values()];
    }
  }
  return [...byName.values()];
}
