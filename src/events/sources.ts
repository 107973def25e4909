import type { Device } from '../config/inventory-schema.js';
import type { SourceInfo } from './classify.js';
import { UNKNOWN_SOURCE } from './event.js';

/**
 * Finds the inventory device behind a sender: by address, and by the address or name a relay passes on
 * (snmpTrapAddress.0, the v1 agent-addr, the syslog HOSTNAME). The index is rebuilt when the inventory
 * array changes (a reload), never per message.
 */
export class SourceIndex {
  private devices: readonly Device[] | undefined;
  private byAddress = new Map<string, Device>();
  private byName = new Map<string, Device>();
  /** Each device's SourceInfo, made once per inventory: resolve runs per message and its answer is read-only. */
  private infos = new Map<Device, SourceInfo>();
  private readonly unknown: SourceInfo;

  constructor(
    private readonly inventory: () => readonly Device[],
    private readonly timeZoneOf: (d: Device) => string | undefined,
    private readonly defaultTimeZone: string,
  ) {
    this.unknown = { device: UNKNOWN_SOURCE, timeZone: defaultTimeZone };
  }

  private refresh(): void {
    const list = this.inventory();
    if (list === this.devices) return;
    this.devices = list;
    this.byAddress = new Map();
    this.byName = new Map();
    this.infos = new Map();
    for (const d of list) {
      this.byAddress.set(normalise(d.address), d);
      this.byName.set(d.name.toLowerCase(), d);
    }
  }

  /** The device for an address, or for a host name/address given by a relay. */
  find(address: string | undefined): Device | undefined {
    if (!address) return undefined;
    this.refresh();
    const key = normalise(address);
    return this.byAddress.get(key) ?? this.byName.get(key);
  }

  /**
   * Who sent it: the originator named inside the message when it is in the inventory (a relayed message),
   * else the packet's source address, else {@link UNKNOWN_SOURCE}. The answer is shared: callers read it, never change it.
   */
  resolve(packetFrom: string, originator?: string): SourceInfo {
    const d = this.find(originator) ?? this.find(packetFrom);
    if (!d) return this.unknown;
    let info = this.infos.get(d);
    if (!info) {
      info = { device: d.name, site: d.site, class: d.class, timeZone: this.timeZoneOf(d) ?? this.defaultTimeZone };
      this.infos.set(d, info);
    }
    return info;
  }
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1; names compare without case. */
function normalise(a: string): string {
  const lower = a.trim().toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}
