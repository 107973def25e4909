import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { YamlSource, parseYamlWith, type ConfigError } from '../config/yaml-source.js';
import { EVENT_SEVERITIES, type EventSeverity } from './event.js';
import { compileTemplate, type CompiledTemplate } from './template.js';
import { readYamlDirs } from '../config/data-files.js';

const oid = z.string().regex(/^\d+(\.\d+)+$/, 'expected a numeric OID such as 1.3.6.1.6.3.1.1.5.3');
const typeName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase name with dashes, such as link-down');
/** A `{name}` template, checked at load so a typo is an error with its position, not a `?` at 3 a.m. */
const template = z.string().min(1).superRefine((v, ctx) => {
  try { compileTemplate(v); } catch (err) { ctx.addIssue({ code: 'custom', message: (err as Error).message }); }
});
const templates = z.union([template, z.array(template).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const common = {
  type: typeName,
  /** Storm grouping, default the type: link-down and link-up share `link`, so a flap is one stream. */
  family: typeName.optional(),
  severity: z.enum(EVENT_SEVERITIES),
  /** The type(s) this event ends on the same device and interface/entity (link-up clears link-down); rules read it. */
  clears: z.union([typeName, z.array(typeName).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])).optional(),
  /** Values that must match (case-insensitive) for this entry to apply: varbind names or pattern captures. */
  when: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
  /** Templates tried in order; the first whose placeholders all have values wins. */
  ifIndex: templates.optional(),
  ifName: templates.optional(),
  entity: templates.optional(),
  text: z.strictObject({ en: template, 'zh-CN': template.optional() }),
  vendor: z.string().min(1).optional(),
};

const trapEntrySchema = z.strictObject({
  oid,
  /** The MIB name, for people and `noctua events test`. */
  name: z.string().min(1),
  ...common,
});

const syslogEntrySchema = z.strictObject({
  /** `MODULE/NAME` for Huawei/H3C (`IFNET/LINK_STATE`) and Cisco/Ruijie (`LINK/UPDOWN`), the tag for Juniper, `FORTIGATE/<logid>`. */
  mnemonic: z.string().regex(/^[A-Za-z0-9_.\-/]+$/, 'expected a mnemonic such as IFNET/LINK_STATE or LINK/UPDOWN'),
  /** Captures values out of the message text, e.g. `Interface {ifName}, changed state to {state}`. */
  pattern: template.optional(),
  ...common,
});

/** One catalog file: `src/events/catalogs/*.yaml` (shipped) or `config/events/*.yaml` (the user's). */
export const catalogFileSchema = z.strictObject({
  /** The vendor tag of events from this file (unless an entry says otherwise). */
  vendor: z.string().min(1).default('unknown'),
  /** Varbind names: OID prefix of the column or scalar; usable by every catalog's templates. */
  varbinds: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a varbind name such as ifIndex'), oid).default({}),
  traps: z.array(trapEntrySchema).default([]),
  syslog: z.array(syslogEntrySchema).default([]),
});

/** What an entry says about an event, with its templates compiled once at load. */
export interface CatalogEntry {
  type: string;
  family: string;
  severity: EventSeverity;
  clears?: string[];
  vendor: string;
  when?: Record<string, string>;
  ifIndex: CompiledTemplate[];
  ifName: CompiledTemplate[];
  entity: CompiledTemplate[];
  text: { en: CompiledTemplate; zh?: CompiledTemplate };
  /** `file.yaml` that defined it, for `noctua events test`. */
  file: string;
}
export interface TrapEntry extends CatalogEntry { oid: string; name: string }
export interface SyslogEntry extends CatalogEntry { mnemonic: string; pattern?: CompiledTemplate }

/** Every catalog loaded, indexed for the receivers. */
export interface Catalog {
  /** Varbind OID prefix -> name. */
  varbindNames: Map<string, string>;
  traps: Map<string, TrapEntry[]>;
  /** Keyed by upper-case mnemonic. */
  syslog: Map<string, SyslogEntry[]>;
}

/** The catalogs shipped with Noctua. */
export const BUILTIN_CATALOG_DIR = join(dirname(fileURLToPath(import.meta.url)), 'catalogs');

type RawCommon = Pick<z.output<typeof trapEntrySchema>, 'type' | 'family' | 'severity' | 'clears' | 'when' | 'ifIndex' | 'ifName' | 'entity' | 'text' | 'vendor'>;

function entry(raw: RawCommon, vendor: string, file: string): CatalogEntry {
  const lower = raw.when ? Object.fromEntries(Object.entries(raw.when).map(([k, v]) => [k, v.toLowerCase()])) : undefined;
  return {
    type: raw.type, family: raw.family ?? raw.type, severity: raw.severity, clears: raw.clears, vendor: raw.vendor ?? vendor, when: lower,
    ifIndex: (raw.ifIndex ?? []).map(compileTemplate), ifName: (raw.ifName ?? []).map(compileTemplate), entity: (raw.entity ?? []).map(compileTemplate),
    text: { en: compileTemplate(raw.text.en), zh: raw.text['zh-CN'] ? compileTemplate(raw.text['zh-CN']) : undefined },
    file,
  };
}

/** Adds one parsed file to the catalog; entries already present (from earlier directories) are tried first. */
function addFile(cat: Catalog, parsed: z.output<typeof catalogFileSchema>, file: string): void {
  for (const [name, prefix] of Object.entries(parsed.varbinds)) if (!cat.varbindNames.has(prefix)) cat.varbindNames.set(prefix, name);
  for (const t of parsed.traps) {
    const list = cat.traps.get(t.oid) ?? [];
    list.push({ ...entry(t, parsed.vendor, file), oid: t.oid, name: t.name });
    cat.traps.set(t.oid, list);
  }
  for (const s of parsed.syslog) {
    const key = s.mnemonic.toUpperCase();
    const list = cat.syslog.get(key) ?? [];
    list.push({ ...entry(s, parsed.vendor, file), mnemonic: s.mnemonic, pattern: s.pattern ? compileTemplate(s.pattern) : undefined });
    cat.syslog.set(key, list);
  }
}

/** Parses one catalog file's text; errors carry file:line:col. */
export function parseCatalog(file: string, text: string, cat: Catalog = emptyCatalog()): { catalog: Catalog; errors: ConfigError[] } {
  const parsed = parseYamlWith(new YamlSource(file, text), catalogFileSchema);
  if (parsed.value) addFile(cat, parsed.value, file.split('/').pop() ?? file);
  return { catalog: cat, errors: parsed.errors };
}

export function emptyCatalog(): Catalog {
  return { varbindNames: new Map(), traps: new Map(), syslog: new Map() };
}

/**
 * Reads every *.yaml in the directories. The user's directories come first in `dirs` so their entries win
 * over the shipped ones for the same OID or mnemonic; a missing directory is skipped. Throws every error at once.
 */
export function loadCatalogs(dirs: readonly string[]): Catalog {
  const cat = emptyCatalog();
  readYamlDirs(dirs, catalogFileSchema, (value, _file, name) => { addFile(cat, value, name); });
  return cat;
}

/** The varbind name for an OID (longest declared prefix) and the index suffix after it. */
export function nameVarbind(cat: Catalog, varbindOid: string): { name: string; index: string } | undefined {
  let prefix = varbindOid;
  for (;;) {
    const name = cat.varbindNames.get(prefix);
    if (name) return { name, index: varbindOid.slice(prefix.length + 1) };
    const dot = prefix.lastIndexOf('.');
    if (dot <= 0) return undefined;
    prefix = prefix.slice(0, dot);
  }
}

/** True when every `when` condition holds in `values` (case-insensitive). */
export function whenHolds(e: CatalogEntry, values: Readonly<Record<string, string>>): boolean {
  if (!e.when) return true;
  // for..in, not Object.entries: this runs per message and per candidate entry, and must not allocate.
  for (const k in e.when) if ((values[k] ?? '').toLowerCase() !== e.when[k]) return false;
  return true;
}
