import type { Sink } from '../core/bus.js';
import type { Sample } from '../core/sample.js';
import { buildTopology, observationOf, type NeighborObservation, type TopoDevice, type Topology } from './graph.js';
import { deriveParents, type DerivedParent } from './parents.js';
import type { StoredLink, TopologyStore } from './store.js';
import type { L2Section } from '../config/sections/topology.js';
import { macMoveEvents } from './l2-events.js';
import { linkLostEvent, linkRestoredEvent } from './link-events.js';
import { addL2Sample, noL2Rows, type L2Rows } from './l2-rows.js';
import type { L2Store } from './l2-store.js';
import { locate, uplinkPorts, type LocateAnswer } from './locate.js';
import type { LocateQuery } from './locate-query.js';
import { OuiRegistry } from './oui.js';

/** How the topology is kept (the `topology:` section of noctua.yaml). */
export interface TopologyOptions {
  /** The device the tree hangs from (derived parents point toward it). */
  root?: string;
  /** Inventory cycles of an endpoint without the link before it is lost (default 3). */
  lostAfter: number;
  /** ARP/FDB retention and mac-moved events (defaults: 24 h, 16,384 rows, 10 events per cycle). */
  l2?: L2Section;
}

const L2_DEFAULTS: L2Section = { maxFdbRows: 16_384, maxArpRows: 16_384, maxVlans: 4094, keepFor: 24 * 3_600_000, macMoveEvents: 10 };

/** An inventory device with the facts topology needs from configuration. */
export interface TopologyInventoryDevice { name: string; address: string; site: string; class: string; parentAuto?: boolean }

/**
 * The topology as a bus sink: keeps each device's latest neighbour rows (replaced at its inventory poll), its
 * sysName and LLDP chassis id, rebuilds the graph after each inventory poll, stores links with first/last seen,
 * and publishes `event`s (source topology): `link-lost` when a link was missed `lostAfter` cycles, `link-restored`
 * when it is back, `mac-moved` when a MAC changed port.
 */
export class TopologyService implements Sink {
  readonly name = 'topology';
  private devices = new Map<string, TopologyInventoryDevice>();
  private readonly facts = new Map<string, Pick<TopoDevice, 'sysName' | 'chassisId'>>();
  private readonly observations = new Map<string, NeighborObservation[]>();
  private graph: Topology = { links: [], unmanaged: [] };
  private parents = new Map<string, DerivedParent>();
  /**
   * Whether anything the graph is built from (inventory, facts, neighbour rows) changed since the last build. The
   * build is over every device, so building at every device's inventory poll cost O(devices²) per inventory round:
   * at 5,000 devices it was a quarter of the process's CPU while they were first polled, and delayed SNMP polls.
   */
  private dirty = true;
  /** Neighbour rows held over all devices. */
  private observationRows = 0;
  private buildCount = 0;

  constructor(
    private readonly store: TopologyStore,
    private options: TopologyOptions,
    private readonly publish: (batch: Sample[]) => Promise<void>,
    /** The ARP, FDB and VLAN rows (locate); without it the bus-only layer-2 samples are ignored. */
    private readonly l2?: L2Store,
    private readonly oui = new OuiRegistry(),
  ) {}

  /** Replaces the inventory and the options (at start and on reload). */
  setInventory(devices: readonly TopologyInventoryDevice[], options: TopologyOptions = this.options): void {
    const names = new Set(devices.map((d) => d.name));
    for (const old of this.devices.keys()) {
      if (names.has(old)) continue;
      this.store.forget(old); this.l2?.forget(old); this.facts.delete(old);
      this.observationRows -= this.observations.get(old)?.length ?? 0;
      this.observations.delete(old);
    }
    this.devices = new Map(devices.map((d) => [d.name, d]));
    this.options = options;
    this.dirty = true;
    this.rebuild();
  }

  async write(batch: readonly Sample[]): Promise<void> {
    const pending = new Map<string, NeighborObservation[]>();
    const cycles: { device: string; at: Date }[] = [];
    const l2 = new Map<string, L2Rows>();
    for (const s of batch) {
      const device = s.tags.device;
      if (!device || !this.devices.has(device)) continue;
      if (!l2.has(device) && (s.measurement === 'l2' || s.measurement === 'fdb' || s.measurement === 'arp' || s.measurement === 'vlan')) l2.set(device, noL2Rows());
      if (addL2Sample(l2.get(device) ?? noL2Rows(), s) || s.measurement === 'l2') continue;
      if (s.measurement === 'neighbor') {
        const o = observationOf(s);
        if (o) pending.set(device, [...(pending.get(device) ?? []), o]);
      } else if (s.measurement === 'system') {
        const sysName = typeof s.fields.sysName === 'string' ? s.fields.sysName : undefined;
        const before = this.facts.get(device);
        const chassisId = typeof s.fields.lldp_chassis_id === 'string' ? s.fields.lldp_chassis_id : before?.chassisId;
        if (before?.sysName !== sysName || before?.chassisId !== chassisId) {
          this.facts.set(device, { sysName, chassisId });
          // Names and chassis ids only match neighbour rows to devices: with no rows anywhere they change nothing.
          if (this.observationRows > 0) this.dirty = true;
        }
      } else if (s.measurement === 'snmp_poll' && s.tags.kind === 'inventory' && s.fields.ok === true) {
        cycles.push({ device, at: s.time });
      }
    }
    const events: Sample[] = [];
    for (const { device, at } of cycles) {
      // A completed inventory poll replaces the device's rows, also with none (its neighbours are gone).
      const rows = pending.get(device) ?? [];
      const had = this.observations.get(device) ?? [];
      if (!sameObservations(had, rows)) {
        this.observations.set(device, rows);
        this.observationRows += rows.length - had.length;
        this.dirty = true;
      }
      // The links a device reports come from its own rows only: one with none reports none whatever else changed,
      // so its cycle needs no build (in the first round every device's name arrives: a build per device was O(n²)).
      if (rows.length > 0 || had.length > 0) this.rebuild();
      const links = this.store.cycle(device, this.graph.links, at, this.options.lostAfter);
      const dev = (l: StoredLink) => this.devices.get(l.a.device) ?? this.devices.get(l.b.device);
      for (const l of links.lost) events.push(linkLostEvent(l, dev(l), at));
      for (const l of links.restored) events.push(linkRestoredEvent(l, dev(l), at));
      // Only a poll that read layer-2 tables (it carries the `l2` counts) replaces the device's rows.
      const l2rows = l2.get(device);
      if (this.l2 && l2rows) {
        const o = this.options.l2 ?? L2_DEFAULTS;
        const moves = this.l2.cycle(device, l2rows, at, { keepForMs: o.keepFor, maxRowsPerDevice: 2 * Math.max(o.maxFdbRows, o.maxArpRows) });
        events.push(...macMoveEvents(device, this.devices.get(device), moves, at, o.macMoveEvents));
      }
    }
    if (events.length > 0) await this.publish(events);
  }

  async close(): Promise<void> {}

  /** How many times the graph was built (it is built only when its inputs changed). */
  get builds(): number { return this.buildCount; }

  /** The current graph (links now reported) and unmanaged neighbours. */
  current(): Topology { this.rebuild(); return this.graph; }

  /** Every stored link with first/last seen, lost ones included. */
  storedLinks(): StoredLink[] { return this.store.all(); }

  /** The parent derived for every device (whether or not it uses `parent: auto`). */
  derivedParents(): Map<string, DerivedParent> { this.rebuild(); return this.parents; }

  /** The derived parent of a device with `parent: auto`, for the alert engine; undefined otherwise. */
  parentOf(name: string): string | undefined {
    if (!this.devices.get(name)?.parentAuto) return undefined;
    this.rebuild();
    return this.parents.get(name)?.parent;
  }

  /** Where a MAC, IP or named host is plugged in (src/topology/locate.ts); undefined without layer-2 tables. */
  locate(query: LocateQuery): LocateAnswer | undefined {
    if (!this.l2) return undefined;
    this.rebuild();
    const devices = [...this.devices.values()].map((d) => ({ name: d.name, address: d.address, sysName: this.facts.get(d.name)?.sysName }));
    return locate(query, { store: this.l2, uplinks: uplinkPorts(this.store.all()), devices, unmanaged: this.graph.unmanaged, oui: this.oui });
  }

  /** Builds the graph and the parents again when their inputs changed. */
  private rebuild(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.buildCount++;
    const inventory: TopoDevice[] = [...this.devices.values()].map((d) => ({ name: d.name, address: d.address, ...this.facts.get(d.name) }));
    this.graph = buildTopology(inventory, [...this.observations.values()].flat());
    const fresh = deriveParents([...this.devices.keys()], this.graph.links, this.options.root);
    // A device cut off from the root keeps its last parent: the link toward the root is gone exactly when the
    // devices behind it go down, and that is when suppression needs the parent. A new path replaces it.
    for (const [name, d] of fresh) {
      const before = this.parents.get(name);
      if (d.parent === undefined && before?.parent !== undefined && this.devices.has(before.parent) && name !== this.options.root) {
        fresh.set(name, { ...before, reason: `${before.parent} kept from the last path to the root (${d.reason} now)` });
      }
    }
    this.parents = fresh;
  }
}

/** Whether a device's neighbour rows are the ones it reported last time (row for row, in order). */
function sameObservations(before: readonly NeighborObservation[], now: readonly NeighborObservation[]): boolean {
  if (before.length !== now.length) return false;
  for (let i = 0; i < now.length; i++) if (JSON.stringify(before[i]) !== JSON.stringify(now[i])) return false;
  return true;
}
