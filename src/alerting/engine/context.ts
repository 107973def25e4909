import type { Clock } from '../../core/clock.js';
import type { AlertView, IncidentEvent } from '../../core/incident.js';
import type { Logger } from '../../core/log.js';
import type { Device } from '../../config/inventory-schema.js';
import type { AlertRules, CompiledRule, DeviceInfo } from '../rules.js';
import type { AlertStore } from '../store.js';
import type { RuleTraits, Tracker } from './trackers.js';
import { type Lang } from '../../config/lang.js';

/** The rules, indexed by name and by measurement. */
export class RuleIndex {
  rules!: AlertRules;
  private byName = new Map<string, CompiledRule>();
  private byMeasurement = new Map<string, CompiledRule[]>();
  private traitsByName = new Map<string, RuleTraits>();

  constructor(rules: AlertRules) { this.set(rules); }

  set(rules: AlertRules): void {
    this.rules = rules;
    this.byName = new Map(rules.rules.map((r) => [r.name, r]));
    this.traitsByName = new Map(rules.rules.map((r) => [r.name, {
      deviceDown: r.spec.deviceDown, timed: r.condition.onTick !== undefined || r.spec.noData.action === 'fire',
    }]));
    this.byMeasurement = new Map();
    for (const r of rules.rules) {
      const list = this.byMeasurement.get(r.spec.select.measurement) ?? [];
      list.push(r);
      this.byMeasurement.set(r.spec.select.measurement, list);
    }
  }

  get(name: string): CompiledRule | undefined { return this.byName.get(name); }
  forMeasurement(m: string): readonly CompiledRule[] | undefined { return this.byMeasurement.get(m); }
  /** What the tracker table files a rule's trackers by; undefined for a rule that is gone. */
  traits(name: string): RuleTraits | undefined { return this.traitsByName.get(name); }
}

function deviceInfo(d: Device): DeviceInfo {
  return { name: d.name, site: d.site, class: d.class, tags: d.tags, ...(d.parent !== undefined ? { parent: d.parent } : {}) };
}

/** The inventory as the engine sees it. */
export class DeviceIndex {
  private devices = new Map<string, DeviceInfo>();
  private enabledNames = new Set<string>();
  private autoParent = new Set<string>();
  private derivedParent: (name: string) => string | undefined = () => undefined;
  /** When devices were first known, the baseline of absence timers for devices never heard from. */
  private readonly knownSince = new Map<string, number>();

  /** Replaces the inventory; returns the names that left it. */
  set(devices: readonly Device[], now: number): string[] {
    const before = [...this.devices.keys()];
    this.devices = new Map(devices.map((d) => [d.name, deviceInfo(d)]));
    this.enabledNames = new Set(devices.filter((d) => d.enabled).map((d) => d.name));
    this.autoParent = new Set(devices.filter((d) => d.parentAuto).map((d) => d.name));
    for (const d of devices) if (!this.knownSince.has(d.name)) this.knownSince.set(d.name, now);
    return before.filter((n) => !this.devices.has(n));
  }

  /**
   * The device with its parent: the configured one, or for `parent: auto` the one the topology derived
   * ({@link useDerivedParents}), so parent suppression treats both alike.
   */
  get(name: string): DeviceInfo | undefined {
    const d = this.devices.get(name);
    if (!d || d.parent !== undefined || !this.autoParent.has(name)) return d;
    const parent = this.derivedParent(name);
    return parent !== undefined && parent !== name ? { ...d, parent } : d;
  }

  /** Injects the topology's parent lookup for devices with `parent: auto`. */
  useDerivedParents(lookup: (name: string) => string | undefined): void { this.derivedParent = lookup; }
  enabled(): Iterable<string> { return this.enabledNames; }
  since(name: string): number | undefined { return this.knownSince.get(name); }

  /** The inventory's device, or one made from a sample's tags when it is not (yet) in the inventory. */
  of(name: string, tags: Record<string, string> = {}): DeviceInfo {
    return this.get(name) ?? { name, site: tags.site ?? 'default', class: tags.class ?? 'other', tags: [] };
  }
}

/** An alert transition, turned into an `alert_event` sample after the pass. */
export interface AlertTransition {
  fp: string;
  state: 'pending' | 'firing' | 'resolved' | 'acknowledged';
  at: number;
  view: AlertView;
  incident?: string;
}

/**
 * One pass of the engine (a sample batch, a tick, an operator's action): what changed in it and what it produced.
 * Everything a pass writes goes to the store in one transaction at its end.
 */
export class Pass {
  /** Trackers whose state changed: written at the end of the pass and re-grouped. */
  readonly changed = new Set<Tracker>();
  /** Trackers forgotten in this pass (rule or device gone, instance not seen for a while). */
  readonly removed = new Set<Tracker>();
  /** Incidents whose alerts changed. */
  readonly touched = new Set<string>();
  readonly events: IncidentEvent[] = [];
  readonly alerts: AlertTransition[] = [];
  /**
   * @param allTrackers group every hot tracker again, not only the changed ones (ticks, reloads, operators' actions)
   * @param allIncidents rebuild every open incident (ticks: muting moves with time)
   */
  constructor(readonly allTrackers: boolean, readonly allIncidents: boolean) {}

  /** A change worth persisting and re-grouping. */
  mark(tr: Tracker): void {
    this.changed.add(tr);
    if (tr.incidentId !== undefined) this.touched.add(tr.incidentId);
  }
}

/** What the stages share. */
export interface EngineContext {
  store: AlertStore;
  clock: Clock;
  log: Logger;
  locale: Lang;
  rules: RuleIndex;
  devices: DeviceIndex;
}
