/** What an asset event says happened to a device or one of its parts. */
export const ASSET_EVENT_KINDS = ['device-added', 'device-removed', 'part-added', 'part-removed', 'module-swapped', 'firmware-changed'] as const;
export type AssetEventKind = (typeof ASSET_EVENT_KINDS)[number];

/** One replaceable part as an inventory poll saw it (an `entity` sample; docs/SCHEMA.md). */
export interface PartSnapshot {
  /** entPhysicalIndex: the part's position in the box. */
  entity: string;
  /** chassis, module, psu, fan, port (a transceiver), stack, ... */
  part: string;
  name: string;
  descr: string;
  model: string;
  serial: string;
  firmware: string;
  hardware: string;
  manufacturer: string;
}

/** A device's hardware as one successful inventory poll saw it. */
export interface DeviceSnapshot {
  device: string;
  site: string;
  class: string;
  vendor: string;
  model: string;
  serial: string;
  /** Chassis software/firmware revision, else the version the profile read from sysDescr. */
  firmware: string;
  hardware: string;
  sysDescr: string;
  parts: PartSnapshot[];
}

/** A change in the asset register, with the time it was seen. */
export interface AssetEvent {
  seq: number;
  at: Date;
  device: string;
  kind: AssetEventKind;
  /** entPhysicalIndex of the part; absent for device-level events. */
  entity?: string;
  part?: string;
  name?: string;
  /** Old and new serial (module-swapped) or firmware (firmware-changed); model and serial for device events. */
  from?: string;
  to?: string;
}

/** An asset event before it is stored. */
export type NewAssetEvent = Omit<AssetEvent, 'seq' | 'at'>;

/** A device as the register keeps it, with its parts. */
export interface AssetRecord extends Omit<DeviceSnapshot, 'parts'> {
  present: boolean;
  firstSeen: Date;
  lastSeen: Date;
  removedAt?: Date;
  parts: PartSnapshot[];
}
