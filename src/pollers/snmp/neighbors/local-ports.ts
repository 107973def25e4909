import { IF_COLUMNS } from '../interfaces.js';
import { snmpText } from '../metrics.js';
import type { ColumnValues } from '../session.js';

/** A local port as the interface table knows it. */
export interface LocalPort {
  ifIndex: string;
  ifName: string;
}

/** ifName and ifDescr columns, walked with the neighbour tables to name the local ports. */
export const LOCAL_PORT_COLUMNS = [IF_COLUMNS.ifName, IF_COLUMNS.ifDescr] as const;

/** Looks up local interfaces by ifIndex, by ifName and by ifDescr (ifName falls back to ifDescr, as in `interface`). */
export class LocalPorts {
  private readonly byIndex = new Map<string, LocalPort>();
  private readonly byName = new Map<string, LocalPort>();

  constructor(cols: ColumnValues) {
    const names = cols.get(IF_COLUMNS.ifName) ?? new Map();
    const descrs = cols.get(IF_COLUMNS.ifDescr) ?? new Map();
    for (const idx of new Set([...names.keys(), ...descrs.keys()])) {
      const name = snmpText(names.get(idx)) ?? '';
      const descr = snmpText(descrs.get(idx)) ?? '';
      const port = { ifIndex: idx, ifName: name || descr };
      this.byIndex.set(idx, port);
      // ifName wins over another row's ifDescr with the same text.
      if (descr && !this.byName.has(descr)) this.byName.set(descr, port);
    }
    for (const port of this.byIndex.values()) if (port.ifName) this.byName.set(port.ifName, port);
  }

  /** The interface with this ifIndex. */
  index(ifIndex: string): LocalPort | undefined {
    return this.byIndex.get(ifIndex);
  }

  /** The interface whose ifName (or else ifDescr) is exactly this text. */
  named(text: string | undefined): LocalPort | undefined {
    return text ? this.byName.get(text) : undefined;
  }
}
