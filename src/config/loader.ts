import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  BUILTIN_DEFAULTS, inventoryFileSchema, snmpSettingsSchema,
  type Device, type InventoryFile, type Site, type SnmpSettings,
} from './inventory-schema.js';
import { mergeAssetFields } from './asset-schema.js';
import { noctuaFileSchema, type NoctuaSettings } from './noctua-schema.js';
import { ConfigInvalidError, YamlSource, parseYamlWith, type ConfigError } from './yaml-source.js';

/** `noctua.yaml` and `devices.yaml` of a config directory, validated and resolved: what every command needs. */
export interface BaseConfig {
  dir: string;
  settings: NoctuaSettings;
  /** stateDir made absolute. */
  stateDir: string;
  sites: Site[];
  devices: Device[];
}

/**
 * Loaders of further, optional files of a config directory, by name: key `alerts` reads `alerts.yaml`.
 * Their loaders live with the feature that reads them (alerting), so config/ imports no feature; the
 * composition is made where the files are used (src/config-check/). A loader throws {@link ConfigInvalidError}.
 */
export type OptionalFileLoaders = Record<string, (path: string, env: NodeJS.ProcessEnv) => unknown>;
/** What each optional file gave: undefined when the file is absent. */
export type OptionalFiles<L extends OptionalFileLoaders> = { [K in keyof L]: ReturnType<L[K]> | undefined };

export const DEFAULT_SITE = 'default';

type Partial3<T> = T | false | undefined;

/** Picks the most specific explicit setting; `false` at any level switches the feature off unless a lower level sets it again. */
function mergeLayers<T extends object>(base: T, layers: Partial3<Partial<T>>[]): T | false {
  let out: T | false = { ...base };
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer === false) { out = false; continue; }
    out = { ...(out === false ? base : out), ...stripUndefined(layer) } as T;
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Resolves the inventory file into devices, reporting every mistake with its position. */
// One pass over devices.yaml that collects every mistake with its position; the checks per device are a few lines each.
export function resolveInventory(src: YamlSource, file: InventoryFile): { sites: Site[]; devices: Device[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const sites = new Map<string, { site: Site; defaults: NonNullable<InventoryFile['sites']>[number]['defaults'] }>();
  (file.sites ?? []).forEach((s, i) => {
    if (sites.has(s.name)) errors.push(src.error(['sites', i, 'name'], `duplicate site name "${s.name}"`));
    else sites.set(s.name, { site: { name: s.name, description: s.description, location: s.location }, defaults: s.defaults });
  });
  const defaults = file.defaults;
  const devices: Device[] = [];
  const byName = new Map<string, number>();
  const byEndpoint = new Map<string, number>();

  file.devices.forEach((d, i) => {
    const siteName = d.site ?? DEFAULT_SITE;
    const site = sites.get(siteName);
    if (d.site !== undefined && !site && (file.sites?.length ?? 0) > 0) {
      errors.push(src.error(['devices', i, 'site'], `unknown site "${d.site}" (expected one of: ${[...sites.keys()].join(', ')})`));
    }
    const prev = byName.get(d.name);
    if (prev !== undefined) {
      const first = src.position(['devices', prev, 'name']);
      errors.push(src.error(['devices', i, 'name'], `duplicate device name "${d.name}" (first defined at line ${first.line})`));
    } else byName.set(d.name, i);

    const snmpMerged = mergeLayers<Record<string, unknown>>({ ...BUILTIN_DEFAULTS.snmp }, [defaults?.snmp, site?.defaults?.snmp, d.snmp]);
    let snmp: SnmpSettings | false = false;
    if (snmpMerged !== false) {
      const r = snmpSettingsSchema.safeParse(snmpMerged, { reportInput: true });
      if (r.success) snmp = r.data;
      else errors.push(...src.zodErrors(r.error.issues, ['devices', i, 'snmp']));
    }
    const icmp = mergeLayers<Device['icmp'] & object>({ ...BUILTIN_DEFAULTS.icmp }, [defaults?.icmp, site?.defaults?.icmp, d.icmp]);
    const intervals = { ...BUILTIN_DEFAULTS.intervals, ...stripUndefined(defaults?.intervals ?? {}), ...stripUndefined(site?.defaults?.intervals ?? {}), ...stripUndefined(d.intervals ?? {}) };
    for (const kind of ['icmp', 'snmp', 'inventory'] as const) {
      if (intervals[kind] < 1000) errors.push(src.error(['devices', i, 'intervals', kind], `expected an interval of at least 1s, got ${intervals[kind]}ms`));
    }
    // A cycle's echo requests must all be sent within the ICMP interval, or every cycle overruns. The timeout is
    // waited only for a reply that does not come (a down device), and the poll deadline bounds that case.
    const sendMs = icmp === false ? 0 : (icmp.count - 1) * icmp.intervalMs;
    if (icmp !== false && sendMs >= intervals.icmp) {
      errors.push(src.error(['devices', i, d.icmp ? 'icmp' : 'name'], `icmp: ${icmp.count} echo requests ${icmp.intervalMs} ms apart take ${sendMs} ms to send, not less than the ICMP interval of ${intervals.icmp} ms (lower icmp.count or icmp.intervalMs, or raise intervals.icmp)`));
    }
    const endpoint = `${d.address.toLowerCase()}:${snmp === false ? 'icmp' : snmp.port}`;
    const prevEp = byEndpoint.get(endpoint);
    if (prevEp !== undefined && snmp !== false) {
      errors.push(src.error(['devices', i, 'address'], `duplicate address and port ${endpoint} (also used by device "${file.devices[prevEp]!.name}")`));
    } else byEndpoint.set(endpoint, i);

    const tags = [...new Set([...(defaults?.tags ?? []), ...(site?.defaults?.tags ?? []), ...(d.tags ?? [])])];
    devices.push({
      name: d.name, address: d.address, class: d.class, site: siteName, tags,
      parent: d.parent === 'auto' ? undefined : d.parent, description: d.description, snmp, icmp, intervals,
      enabled: d.enabled ?? site?.defaults?.enabled ?? defaults?.enabled ?? true,
      asset: mergeAssetFields([defaults?.asset, site?.defaults?.asset, d.asset]),
      // An explicit parent always wins over `auto` from the site or file defaults.
      ...(d.parent === 'auto' || d.parent === undefined && (site?.defaults?.parent ?? defaults?.parent) === 'auto' ? { parentAuto: true } : {}),
    });
  });

  // Parents must exist and must not loop, or dependency suppression would hide a fault forever.
  devices.forEach((d, i) => {
    if (d.parent === undefined) return;
    if (d.parent === d.name) { errors.push(src.error(['devices', i, 'parent'], `a device cannot be its own parent`)); return; }
    if (!byName.has(d.parent)) { errors.push(src.error(['devices', i, 'parent'], `unknown parent device "${d.parent}"`)); return; }
  });
  const parentOf = new Map(devices.map((d) => [d.name, d.parent]));
  const reported = new Set<string>();
  devices.forEach((d, i) => {
    const seen: string[] = [d.name];
    let cur = d.parent;
    while (cur !== undefined && parentOf.has(cur)) {
      if (seen.includes(cur)) {
        const cycle = [...seen.slice(seen.indexOf(cur)), cur];
        const key = [...new Set(cycle)].sort().join(',');
        if (!reported.has(key) && cur === d.name) {
          reported.add(key);
          errors.push(src.error(['devices', i, 'parent'], `parent cycle: ${cycle.join(' -> ')}`));
        }
        break;
      }
      seen.push(cur);
      cur = parentOf.get(cur);
    }
  });

  const siteList = [...sites.values()].map((s) => s.site);
  if (devices.some((d) => d.site === DEFAULT_SITE) && !sites.has(DEFAULT_SITE)) siteList.push({ name: DEFAULT_SITE });
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return { sites: siteList, devices, errors };
}

/** Loads `devices.yaml` alone (used by `check-config` and reload). */
export function loadInventory(path: string, env: NodeJS.ProcessEnv = process.env): { sites: Site[]; devices: Device[]; errors: ConfigError[] } {
  const src = YamlSource.read(path);
  const parsed = parseYamlWith(src, inventoryFileSchema, env);
  if (!parsed.value) return { sites: [], devices: [], errors: parsed.errors };
  return resolveInventory(src, parsed.value);
}

/** Loads `noctua.yaml` (optional: built-in defaults apply when it is absent). */
export function loadSettings(path: string, env: NodeJS.ProcessEnv = process.env): { settings?: NoctuaSettings; source?: YamlSource; errors: ConfigError[] } {
  if (!existsSync(path)) return { settings: noctuaFileSchema.parse({}), errors: [] };
  const source = YamlSource.read(path);
  const parsed = parseYamlWith(source, noctuaFileSchema, env);
  return { settings: parsed.value, source, errors: parsed.errors };
}

/** Every site a cluster group names must exist, or that group's devices would silently go unpolled. */
function checkClusterGroups(settings: NoctuaSettings, source: YamlSource | undefined, sites: readonly Site[], devices: readonly Device[]): ConfigError[] {
  if (!source) return [];
  const known = new Set([...sites.map((s) => s.name), ...devices.map((d) => d.site)]);
  const errors: ConfigError[] = [];
  for (const [group, members] of Object.entries(settings.cluster.groups)) {
    members.forEach((site, i) => {
      if (!known.has(site)) errors.push(source.error(['cluster', 'groups', group, i], `unknown site "${site}" (expected one of the sites in devices.yaml: ${[...known].join(', ') || 'none'})`));
    });
  }
  return errors;
}

/** Every local user must be named once, and every site a user or a directory/SSO group is limited to must exist, or that team would see nothing. */
function checkAuthSites(settings: NoctuaSettings, source: YamlSource | undefined, sites: readonly Site[], devices: readonly Device[]): ConfigError[] {
  if (!source) return [];
  const known = new Set([...sites.map((s) => s.name), ...devices.map((d) => d.site)]);
  const unknown = (site: string) => `unknown site "${site}" (expected one of the sites in devices.yaml: ${[...known].join(', ') || 'none'})`;
  const errors: ConfigError[] = [];
  const seen = new Set<string>();
  settings.auth.users.forEach((u, i) => {
    if (seen.has(u.name)) errors.push(source.error(['auth', 'users', i, 'name'], `user "${u.name}" is listed twice (expected each name once)`));
    seen.add(u.name);
    u.sites?.forEach((site, j) => { if (!known.has(site)) errors.push(source.error(['auth', 'users', i, 'sites', j], unknown(site))); });
  });
  for (const kind of ['ldap', 'oidc'] as const) {
    settings.auth[kind]?.groups.forEach((line, i) => line.sites?.forEach((site, j) => {
      if (!known.has(site)) errors.push(source.error(['auth', kind, 'groups', i, 'sites', j], unknown(site)));
    }));
  }
  return errors;
}

/** topology.root must be an inventory device, or no parent could ever be derived. */
function checkTopologyRoot(settings: NoctuaSettings, source: YamlSource | undefined, devices: readonly Device[]): ConfigError[] {
  const root = settings.topology.root;
  if (!source || root === undefined || devices.some((d) => d.name === root)) return [];
  return [source.error(['topology', 'root'], `unknown device "${root}" (expected the name of a device in devices.yaml)`)];
}

/** discovery.sites must name sites devices.yaml declares (when it declares any), or merged entries would not load. */
function checkDiscoverySites(settings: NoctuaSettings, source: YamlSource | undefined, sites: readonly Site[]): ConfigError[] {
  const known = new Set(sites.map((s) => s.name));
  if (!source || [...known].every((n) => n === DEFAULT_SITE)) return [];
  return settings.discovery.sites.flatMap((e, i) => (known.has(e.site) ? [] : [source.error(['discovery', 'sites', i, 'site'], `unknown site "${e.site}" (expected one of the sites in devices.yaml: ${[...known].join(', ')})`)]));
}

/**
 * Loads and checks a config directory: noctua.yaml, devices.yaml and each optional file in `optional` that exists.
 * Throws {@link ConfigInvalidError} listing every error of every file.
 */
export function loadConfig<L extends OptionalFileLoaders = Record<never, never>>(
  dir: string, env: NodeJS.ProcessEnv = process.env, optional: L = {} as L,
): BaseConfig & OptionalFiles<L> {
  const abs = resolve(dir);
  const errors: ConfigError[] = [];
  let settings: NoctuaSettings | undefined;
  let inventory: { sites: Site[]; devices: Device[] } = { sites: [], devices: [] };
  let settingsSource: YamlSource | undefined;
  const files: Record<string, unknown> = {};
  const collect = (step: () => void) => {
    try { step(); } catch (err) {
      if (err instanceof ConfigInvalidError) errors.push(...err.errors); else throw err;
    }
  };
  collect(() => { const r = loadSettings(join(abs, 'noctua.yaml'), env); settings = r.settings; settingsSource = r.source; errors.push(...r.errors); });
  collect(() => { const r = loadInventory(join(abs, 'devices.yaml'), env); inventory = r; errors.push(...r.errors); });
  for (const [name, load] of Object.entries(optional)) {
    const file = join(abs, `${name}.yaml`);
    files[name] = undefined;
    collect(() => { if (existsSync(file)) files[name] = load(file, env); });
  }
  if (settings && errors.length === 0) {
    errors.push(...checkClusterGroups(settings, settingsSource, inventory.sites, inventory.devices));
    errors.push(...checkAuthSites(settings, settingsSource, inventory.sites, inventory.devices));
    errors.push(...checkTopologyRoot(settings, settingsSource, inventory.devices));
    errors.push(...checkDiscoverySites(settings, settingsSource, inventory.sites));
  }
  if (errors.length > 0 || !settings) throw new ConfigInvalidError(errors);
  const stateDir = isAbsolute(settings.stateDir) ? settings.stateDir : resolve(dirname(abs), settings.stateDir);
  return { dir: abs, settings, stateDir, ...inventory, ...(files as OptionalFiles<L>) };
}
