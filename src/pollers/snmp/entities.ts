import { ENTITY } from './identify.js';
import { snmpNumber, snmpText, type RawSample } from './metrics.js';
import type { ColumnValues } from './session.js';

/** entPhysicalClass numbers (RFC 6933 PhysicalClass) and the words the `entity` sample's `part` tag uses. */
export const PART_CLASSES: Readonly<Record<number, string>> = {
  1: 'other', 2: 'unknown', 3: 'chassis', 4: 'backplane', 5: 'container', 6: 'psu', 7: 'fan', 8: 'sensor',
  9: 'module', 10: 'port', 11: 'stack', 12: 'cpu', 13: 'energy-object', 14: 'battery', 15: 'storage-drive',
};

/** Classes kept even without a serial number: the parts an asset register counts. */
const KEPT_CLASSES = new Set([3, 6, 7, 9, 11]);

/** Most parts one device reports: a big chassis has a few hundred transceivers; more is an agent gone wrong. */
export const MAX_PARTS = 1000;

/**
 * One `entity` sample per replaceable part in the walked entPhysicalTable: chassis, modules, PSUs, fans,
 * stacks, and any other entity with a serial number (transceivers are usually class port or module).
 * Sensors, containers and ports without a serial are left out: they are not assets and would only add series.
 */
export function entityParts(cols: ColumnValues): RawSample[] {
  const classes = cols.get(ENTITY.class) ?? new Map();
  const serials = cols.get(ENTITY.serial) ?? new Map();
  const indexes = [...new Set([...classes.keys(), ...serials.keys()])].sort((a, b) => Number(a) - Number(b));
  const out: RawSample[] = [];
  for (const i of indexes) {
    const cls = snmpNumber(classes.get(i));
    const t = (col: string) => snmpText(cols.get(col)?.get(i))?.trim() ?? '';
    const serial = t(ENTITY.serial);
    if (!(cls !== undefined && KEPT_CLASSES.has(cls)) && serial === '') continue;
    out.push({
      measurement: 'entity',
      tags: { entity: i, part: (cls !== undefined ? PART_CLASSES[cls] : undefined) ?? 'unknown' },
      fields: {
        name: t(ENTITY.name), descr: t(ENTITY.descr), model: t(ENTITY.model), serial,
        firmware: t(ENTITY.softwareRev) || t(ENTITY.firmwareRev), hardware: t(ENTITY.hardwareRev), manufacturer: t(ENTITY.mfgName),
      },
    });
    if (out.length >= MAX_PARTS) break;
  }
  return out;
}
