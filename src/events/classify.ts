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

/**
 * One event literal with every field in one order, for traps and syslog, matched or not: the storm control and
 * `eventToSample` that read every event then see one object shape (spreads and `Object.assign` of differently built
 * objects left V8 with several slow shapes per message). Meaning fields are filled by {@link apply} when an entry matched.
 */
function newEvent(source: NoctuaEvent['source'], src: SourceInfo, from: string, raw: string, time: Date, key: string | undefined, parseError: string | undefined, truncated: true | undefined): NoctuaEvent {
  return {
    source, device: src.device, site: src.site, class: src.class, from, raw, time, key, parseError, truncated,
    type: '', family: '', severity: 'info', clears: undefined, vendor: 'unknown', ifIndex: undefined, ifName: undefined, entity: undefined,
    message: '', messageZh: undefined,
  };
}

/**
 * Fills an event's meaning from a catalog entry and the values found in the message. `values` belongs to this one
 * message (made by `trapValues` or `matchSyslog` for it), so the shown interface and entity are written into it
 * rather than spread into a copy.
 */
function apply(ev: NoctuaEvent, e: CatalogEntry, values: Record<string, string>, ifNamer?: InterfaceNamer): NoctuaEvent {
  const ifIndex = first(e.ifIndex, values);
  let ifName = first(e.ifName, values);
  if (!ifName && ifIndex && ifNamer) ifName = ifNamer(ev.device, ifIndex);
  const entity = first(e.entity, values);
  if (ifIndex) values.ifIndex = ifIndex;
  values.ifName = ifName ?? (ifIndex ? `ifIndex ${ifIndex}` : '?');
  if (entity) values.entity = entity;
  ev.type = e.type; ev.family = e.family; ev.severity = e.severity; ev.clears = e.clears; ev.vendor = e.vendor;
  ev.ifIndex = ifIndex; ev.ifName = ifName; ev.entity = entity;
  ev.message = renderTemplate(e.text.en, values).slice(0, MAX_MESSAGE);
  ev.messageZh = e.text.zh ? renderTemplate(e.text.zh, values).slice(0, MAX_MESSAGE) : undefined;
  return ev;
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
  const parseError = entry || trap.trapOid ? undefined : 'notification without snmpTrapOID.0';
  const ev = newEvent('trap', src, from, raw, now, trap.trapOid, parseError, undefined);
  if (entry) return apply(ev, entry, values, ifNamer);
  ev.type = 'trap';
  ev.family = `trap:${trap.trapOid}`;
  ev.message = `Trap ${trap.trapOid || '(no OID)'} not in the catalog`.slice(0, MAX_MESSAGE);
  return ev;
}

/**
 * The first syslog entry for the mnemonic whose pattern and `when` hold, with the values it captured (a fresh object:
 * `apply` writes into it). `base` is FortiGate's key=value pairs, the same for every entry tried, so it is copied.
 */
function matchSyslog(list: readonly SyslogEntry[] | undefined, body: string, base: Record<string, string> | undefined): { entry: SyslogEntry; values: Record<string, string> } | undefined {
  if (!list) return undefined;
  for (const e of list) {
    let values: Record<string, string>;
    if (e.pattern) {
      const captured = matchTemplate(e.pattern, body);
      if (!captured) continue;
      values = base ? { ...base, ...captured } : captured;
    } else values = base ? { ...base } : {};
    if (whenHolds(e, values)) return { entry: e, values };
  }
  return undefined;
}

/** `n` ASCII digits of `s` from `at` as a number; NaN when any is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * FortiGate's own `date=2026-12-02 time=07:00:00` (device local time), read by character codes (no split per line).
 * Only `yyyy-mm-dd` and `hh:mm:ss` with two-digit parts are read; anything else leaves the time to the receiver.
 */
function fortiTime(v: Readonly<Record<string, string>>): LocalTime | undefined {
  const d = v.date, t = v.time;
  if (!d || !t || d.length !== 10 || t.length !== 8 || d.charCodeAt(4) !== 45 || d.charCodeAt(7) !== 45 || t.charCodeAt(2) !== 58 || t.charCodeAt(5) !== 58) return fortiTimeLoose(d, t);
  const year = digits(d, 0, 4), month = digits(d, 5, 2), day = digits(d, 8, 2), hour = digits(t, 0, 2), minute = digits(t, 3, 2), second = digits(t, 6, 2);
  if (Number.isNaN(year + month + day + hour + minute + second)) return fortiTimeLoose(d, t);
  return { year, month, day, hour, minute, second, ms: 0 };
}

/** The rare shapes the fast path does not read (`time=07:00:00.5`, one-digit parts): split as before. */
function fortiTimeLoose(d: string | undefined, t: string | undefined): LocalTime | undefined {
  if (!d || !t || d.length !== 10 || t.length < 8) return undefined;
  const [year, month, day] = d.split('-').map(Number);
  const [hour, minute, second] = t.split(':').map(Number);
  const parts = [year, month, day, hour, minute, second];
  if (parts.some((n) => n === undefined || !Number.isInteger(n))) return undefined;
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, ms: 0 };
}

/** How far a device's own time may lie before the receive time and still be used (relays deliver late). */
const DEVICE_TIME_PAST_MS = 24 * 3600_000;
/** How far it may lie after the receive time (clocks drift; NTP-less boxes run minutes ahead). */
const DEVICE_TIME_FUTURE_MS = 5 * 60_000;

/**
 * The device's time when it is plausible, else the receive time. A box whose clock was never set writes 1 March
 * or 1993: stored at that time the event would fall outside the retention policy (InfluxDB refuses it) or outside
 * every panel's range, so the fault would be heard and then lost. The raw text keeps what the device wrote.
 */
export function trustedDeviceTime(device: Date | undefined, now: Date): Date {
  if (device === undefined || Number.isNaN(device.getTime())) return now;
  const d = device.getTime() - now.getTime();
  return d < -DEVICE_TIME_PAST_MS || d > DEVICE_TIME_FUTURE_MS ? now : device;
}

/** A parsed syslog message as an event. */
export function classifySyslog(cat: Catalog, msg: SyslogMessage, from: string, src: SourceInfo, now: Date, ifNamer?: InterfaceNamer): NoctuaEvent {
  const mn = findMnemonic(msg.text);
  const local = msg.localTime ?? (mn?.values ? fortiTime(mn.values) : undefined);
  const time = trustedDeviceTime(msg.clockUnset ? undefined : msg.time ?? (local ? resolveLocalTime(local, src.timeZone, now) : undefined), now);
  const ev = newEvent('syslog', src, from, msg.raw, time, mn?.key, msg.parseError, msg.truncated || undefined);
  if (mn) {
    const found = matchSyslog(cat.syslog.get(mn.key) ?? cat.syslog.get(mn.key.toUpperCase()), mn.body, mn.values);
    if (found) return apply(ev, found.entry, found.values, ifNamer);
  }
  const level = mn?.level ?? msg.level;
  const program = msg.program ? `${msg.program}: ` : '';
  ev.type = 'syslog';
  ev.family = `syslog:${mn?.key ?? msg.text.slice(0, 200)}`;
  ev.severity = level === undefined ? 'info' : severityFromSyslog(level);
  // The program is at most a 256-character token, so cutting the text first gives the same 1,024 characters.
  ev.message = program + msg.text.slice(0, MAX_MESSAGE - program.length);
  return ev;
}
