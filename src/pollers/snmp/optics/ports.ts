import { ENTITY } from '../identify.js';
import { snmpNumber, snmpText } from '../metrics.js';
import { LocalPorts, LOCAL_PORT_COLUMNS, type LocalPort } from '../neighbors/local-ports.js';
import type { ColumnValues } from '../session.js';

/** ENTITY-MIB columns that tie a physical entity to an interface: its container and entAliasMappingIdentifier. */
export const ENTITY_LINK = {
  containedIn: '1.3.6.1.2.1.47.1.1.1.1.4',
  aliasMapping: '1.3.6.1.2.1.47.1.3.2.1.2',
} as const;

/** Every column the interface lookup needs (a function: identify.ts, which owns ENTITY, loads the profile schema that loads this). */
export function portLookupColumns(): string[] {
  return [ENTITY.name, ENTITY_LINK.containedIn, ENTITY_LINK.aliasMapping, ...LOCAL_PORT_COLUMNS];
}

/** ifIndex instances are 1.3.6.1.2.1.2.2.1.1.<ifIndex> in entAliasMappingIdentifier. */
const IF_INDEX_PREFIX = '1.3.6.1.2.1.2.2.1.1.';

/** A sensor sits at most this far below the port entity (sensor -> transceiver -> port). */
const MAX_DEPTH = 4;

/**
 * Finds the interface of an entity: entAliasMappingTable of the entity or of the entities containing it, else an
 * entPhysicalName (of it or a container) that is an interface's ifName/ifDescr, or starts with one and a space.
 */
export class EntityPorts {
  private readonly ports: LocalPorts;
  private readonly alias = new Map<string, string>();

  constructor(private readonly cols: ColumnValues) {
    this.ports = new LocalPorts(cols);
    for (const [index, v] of cols.get(ENTITY_LINK.aliasMapping) ?? []) {
      // Index: entPhysicalIndex . entLogicalIndexOrZero; the first mapping of an entity wins.
      const entity = index.split('.')[0]!;
      const oid = String(v).replace(/^\./, '');
      if (oid.startsWith(IF_INDEX_PREFIX) && !this.alias.has(entity)) this.alias.set(entity, oid.slice(IF_INDEX_PREFIX.length));
    }
  }

  /** The interface with this ifIndex. */
  index(ifIndex: string): LocalPort | undefined {
    return this.ports.index(ifIndex);
  }

  /** The interface an entity (a sensor, a transceiver) belongs to, or undefined. */
  ofEntity(entity: string): LocalPort | undefined {
    const chain: string[] = [];
    for (let e: string | undefined = entity, i = 0; e && e !== '0' && i < MAX_DEPTH; i++) {
      chain.push(e);
      const parent = snmpNumber(this.cols.get(ENTITY_LINK.containedIn)?.get(e));
      e = parent === undefined ? undefined : String(parent);
    }
    for (const e of chain) {
      const ifIndex = this.alias.get(e);
      const port = ifIndex !== undefined ? this.ports.index(ifIndex) : undefined;
      if (port) return port;
    }
    for (const e of chain) {
      const name = snmpText(this.cols.get(ENTITY.name)?.get(e))?.trim();
      if (!name) continue;
      const port = this.ports.named(name) ?? this.ports.named(name.split(' ')[0]);
      if (port) return port;
    }
    return undefined;
  }

  /** The entPhysicalName of an entity ('' when none). */
  name(entity: string): string {
    return snmpText(this.cols.get(ENTITY.name)?.get(entity))?.trim() ?? '';
  }
}
