import type { DeviceSnapshot, NewAssetEvent, PartSnapshot } from './types.js';

const label = (s: { model: string; serial: string }) => [s.model, s.serial].filter(Boolean).join(' ') || undefined;
const orUndef = (s: string) => (s === '' ? undefined : s);

/** The events between what the register held of a device and what a new inventory poll saw; none when nothing changed. */
export function assetChanges(before: DeviceSnapshot | undefined, now: DeviceSnapshot): NewAssetEvent[] {
  const device = now.device;
  // A first sighting is one event: listing every part of a new box as "added" would bury the real changes.
  if (!before) return [{ device, kind: 'device-added', to: label(now) }];
  const out: NewAssetEvent[] = [];
  const chassis = now.parts.find((p) => p.part === 'chassis');
  if (before.firmware !== now.firmware && (before.firmware !== '' || now.firmware !== '')) {
    out.push({ device, kind: 'firmware-changed', entity: chassis?.entity, part: chassis ? 'chassis' : undefined, name: chassis?.name, from: orUndef(before.firmware), to: orUndef(now.firmware) });
  }
  const old = new Map(before.parts.map((p) => [p.entity, p]));
  const seen = new Set<string>();
  for (const p of now.parts) {
    seen.add(p.entity);
    const was = old.get(p.entity);
    const at = { device, entity: p.entity, part: p.part, name: p.name || p.descr || undefined };
    // Another class at the same position is another part, not a swap of the same one.
    if (!was || was.part !== p.part) {
      if (was) out.push({ ...at, kind: 'part-removed', part: was.part, name: was.name || was.descr || undefined, from: label(was) });
      out.push({ ...at, kind: 'part-added', to: label(p) });
      continue;
    }
    if (was.serial !== p.serial) out.push({ ...at, kind: 'module-swapped', from: orUndef(was.serial), to: orUndef(p.serial) });
    // The chassis's firmware is the device's, reported once above.
    if (p.part !== 'chassis' && was.firmware !== p.firmware) out.push({ ...at, kind: 'firmware-changed', from: orUndef(was.firmware), to: orUndef(p.firmware) });
  }
  for (const was of before.parts) {
    if (!seen.has(was.entity)) out.push({ device, entity: was.entity, part: was.part, name: was.name || was.descr || undefined, kind: 'part-removed', from: label(was) });
  }
  return out;
}

/** Parts sorted by position, for stable storage and display. */
export function byPosition(parts: readonly PartSnapshot[]): PartSnapshot[] {
  return [...parts].sort((a, b) => Number(a.entity) - Number(b.entity) || a.entity.localeCompare(b.entity));
}
