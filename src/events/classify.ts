import { nameVarbind, whenHolds, type Catalog, type CatalogEntry, type SyslogEntry } from './catalog.js';
import { severityFromSyslog, type NoctuaEvent } from './event.js';
import { findMnemonic } from './syslog/mnemonic.js';
import { resolveLocalTime, type LocalTime, type SyslogMessage } from './syslog/parse.js';
import { matchTemplate, renderIfComplete, renderTemplate, type CompiledTemplate } from './template.js';
import type { DecodedTrap } from './traps/decode.js';

/** Who sent a message, as the inventory knows it (or not). */
export interface SourceInfo {
  device: string;
  site?: string;
  class?: string;
  /** IANA zone for device times that carry none (the site's zone, else Noctua's). */
  timeZone: string;
}

/** Optional lookup of an interface name by ifIndex (from the last interface poll), for traps that carry only the index. */
export type InterfaceNamer = (device: string, ifIndex: string) => string | undefined;

/** Text for people is bounded: the raw text is kept separately. */
const MAX_MESSAGE = 1024;

function first(templates: readonly CompiledTemplate[], values: Readonly<Record<string, string>>): string | undefined {
  for (const t of templates) {
    const v = renderIfComplete(t, values);
    if (v !== undefined) return v;
  }
  return undefined;
}

type Applied = Pick<NoctuaEvent, 'type' | 'family' | 'severity' | 'clears' | 'vendor' | 'ifIndex' | 'ifName' | 'entity' | 'message' | 'messageZh'>;

/** Fills an event's meaning from a catalog entry and the values found in the message. */
function apply(e: CatalogEntry, values: Record<string, string>, device: string, ifNamer?: InterfaceNamer): Applied {
  const ifIndex = first(e.ifIndex, values);
  let ifName = first(e.ifName, values);
  if (!ifName && ifIndex && ifNamer) ifName = ifNamer(device, ifIndex);
  const entity = first(e.entity, values);
  const shown = { ...values, ...(ifIndex ? { ifIndex } : {}), ifName: ifName ?? (ifIndex ? `ifIndex ${ifIndex}` : '?'), ...(entity ? { entity } : {}) };
  return {
    type: e.type, family: e.family, severity: e.severity, clears: e.clears, vendor: e.vendor, ifIndex, ifName, entity,
    message: renderTemplate(e.text.en, shown).slice(0, MAX_MESSAGE),
    messageZh: e.text.zh ? renderTemplate(e.text.zh, shown).slice(0, MAX_MESSAGE) : undefined,
  };
}

/** Varbind values by name (`ifIndex`) and index (`ifIndex.index`), for templates and `when`. */
export function trapValues(cat: Catalog, trap: DecodedTrap): Record<string, string> {
  const values: Record<string, string> = {};
  for (const vb of trap.varbinds) {
    const named = nameVarbind(cat, vb.oid);
    if (!named || values[named.name] !== undefined) continue;
    values[named.name] = vb.value;
    if (named.index) values[`${named.name}.index`] = named.index;
  }
  return values;
}

/** A trap as an event: the catalog entry for its OID, or a generic `trap` event naming the OID. */
export function classifyTrap(cat: Catalog, trap: DecodedTrap, from: string, src: SourceInfo, now: Date, ifNamer?: InterfaceNamer): NoctuaEvent {
  const values = trapValues(cat, trap);
  const entry = cat.traps.get(trap.trapOid)?.find((e) => whenHolds(e, values));
  const raw = [trap.trapOid, ...trap.varbinds.map((v) => `${v.oid}=${v.value}`)].join(' ').slice(0, 8192);
  const base = { source: 'trap' as const, device: src.device, site: src.site, class: src.class, key: trap.trapOid, from, raw, time: now };
  if (entry) return { ...base, ...apply(entry, values, src.device, ifNamer) };
  const parseError = trap.trapOid ? undefined : 'notification without snmpTrapOID.0';
  return {
    ...base, type: 'trap', family: `trap:${trap.trapOid}`, severity: 'info', vendor: 'unknown', parseError,
    message: `Trap ${trap.trapOid || '(no OID)'} not in the catalog`.slice(0, MAX_MESSAGE),
  };
}

/** The first syslog entry for the mnemonic whose pattern and `when` hold, with the values it captured. */
function matchSyslog(list: readonly SyslogEntry[] | undefined, body: string, base: Record<string, string>): { entry: SyslogEntry; values: Record<string, string> } | undefined {
  for (const e of list ?? []) {
    let values = base;
    if (e.pattern) {
      const captured = matchTemplate(e.pattern, body);
      if (!captured) continue;
      values = { ...base, ...captured };
    }
    if (whenHolds(e, values)) return { entry: e, values };
  }
  return undefined;
}

/** FortiGate's own `date=2026-12-02 time=07:00:00` (device local time). */
function fortiTime(v: Readonly<Record<string, string>>): LocalTime | undefined {
  const d = v.date, t = v.time;
  if (!d || !t || d.length !== 10 || t.length < 8) return undefined;
  const [year, month, day] = d.split('-').map(Number);
  const [hour, minute, second] = t.split(':').map(Number);
  const parts = [year, month, day, hour, minute, second];
  if (parts.some((n) => n === undefined || !Number.isInteger(n))) return undefined;
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, ms: 0 };
}

/** A parsed syslog message as an event. */
export function classifySyslog(cat: Catalog, msg: SyslogMessage, from: string, src: SourceInfo, now: Date, ifNamer?: InterfaceNamer): NoctuaEvent {
  const mn = findMnemonic(msg.text);
  const local = msg.localTime ?? (mn?.values ? fortiTime(mn.values) : undefined);
  const time = msg.time ?? (local ? resolveLocalTime(local, src.timeZone, now) : now);
  const base = {
    source: 'syslog' as const, device: src.device, site: src.site, class: src.class, from, raw: msg.raw, time,
    key: mn?.key, parseError: msg.parseError, truncated: msg.truncated || undefined,
  };
  if (mn) {
    const found = matchSyslog(cat.syslog.get(mn.key.toUpperCase()), mn.body, mn.values ?? {});
    if (found) return Object.assign(base, apply(found.entry, found.values, src.device, ifNamer)); // one object shape per event, not a spread into a fresh literal (5x faster, and eventToSample too)
  }
  const level = mn?.level ?? msg.level;
  const program = msg.program ? `${msg.program}: ` : '';
  return {
    ...base, type: 'syslog', family: `syslog:${mn?.key ?? msg.text.slice(0, 200)}`, severity: level === undefined ? 'info' : severityFromSyslog(level), vendor: 'unknown',
    message: (program + msg.text).slice(0, MAX_MESSAGE),
  };
}
