import type { Device } from '../../config/inventory-schema.js';
import type { Sink } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Db } from '../../core/database.js';
import type { Sample } from '../../core/sample.js';
import { byPosition } from './diff.js';
import { AssetStore } from './store.js';
import type { DeviceSnapshot, PartSnapshot } from './types.js';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The devices in a batch whose inventory poll succeeded, as snapshots. A failed or partial inventory poll
 * (`snmp_poll` kind inventory, ok=false) says nothing about the hardware and is skipped: it must not read
 * as "every part removed".
 */
export function inventorySnapshots(batch: readonly Sample[]): { at: Date; snapshot: DeviceSnapshot }[] {
  // One poll's samples share the device and the time: batches merged downstream (cluster stream) may hold two polls.
  const key = (s: Sample) => `${s.tags.device ?? ''}\u0000${s.time.getTime()}`;
  const ok = new Set(batch.filter((s) => s.measurement === 'snmp_poll' && s.tags.kind === 'inventory' && s.fields.ok === true).map(key));
  if (ok.size === 0) return [];
  const out: { at: Date; snapshot: DeviceSnapshot }[] = [];
  for (const system of batch) {
    if (system.measurement !== 'system' || !ok.has(key(system))) continue;
    const k = key(system);
    const device = system.tags.device!;
    const f = system.fields;
    const parts: PartSnapshot[] = batch.filter((s) => s.measurement === 'entity' && key(s) === k).map((s) => ({
      entity: s.tags.entity ?? '', part: s.tags.part ?? 'unknown', name: text(s.fields.name), descr: text(s.fields.descr), model: text(s.fields.model),
      serial: text(s.fields.serial), firmware: text(s.fields.firmware), hardware: text(s.fields.hardware), manufacturer: text(s.fields.manufacturer),
    }));
    out.push({
      at: system.time,
      snapshot: {
        device, site: system.tags.site ?? '', class: system.tags.class ?? '', vendor: text(f.vendor) || (system.tags.vendor ?? ''),
        model: text(f.model), serial: text(f.serial), firmware: text(f.firmware) || text(f.version), hardware: text(f.hardware),
        sysDescr: text(f.sysDescr), parts: byPosition(parts),
      },
    });
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The asset register as a bus sink: every successful inventory poll updates the device's row and parts and
 * records what changed; whenever the inventory in force is a new one (start, reload) devices no longer in it
 * are marked removed.
 */
export class AssetSink implements Sink {
  readonly name = 'asset register';
  readonly store: AssetStore;
  private reconciledWith?: readonly Device[];

  constructor(db: Db, private readonly devices: () => readonly Device[], private readonly clock: Clock, private readonly log?: Logger) {
    this.store = new AssetStore(db);
  }

  async write(batch: readonly Sample[]): Promise<void> {
    const inventory = this.devices();
    if (inventory !== this.reconciledWith) {
      this.reconciledWith = inventory;
      this.logEvents(this.store.reconcile(new Set(inventory.map((d) => d.name)), this.clock.now()));
    }
    for (const { at, snapshot } of inventorySnapshots(batch)) {
      // A poll that finished after its device left the inventory must not add it back.
      if (!inventory.some((d) => d.name === snapshot.device)) continue;
      this.logEvents(this.store.observe(snapshot, at));
    }
  }

  async close(): Promise<void> {}

  private logEvents(events: { device: string; kind: string; entity?: string; from?: string; to?: string }[]): void {
    for (const e of events) this.log?.info({ device: e.device, kind: e.kind, entity: e.entity, from: e.from, to: e.to }, 'asset event');
  }
}

/** The sink the runtime adds to the bus (src/runtime/standalone.ts) or feeds from the cluster stream (cluster-member.ts). */
export function createAssetSink(db: Db, devices: () => readonly Device[], clock: Clock, log?: Logger): AssetSink {
  return new AssetSink(db, devices, clock, log?.child({ component: 'assets' }));
}
