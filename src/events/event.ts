import { capUtf8, deviceText } from '../core/device-text.js';
import type { Sample } from '../core/sample.js';

/** How bad an event is, in the words of X.733 alarms; syslog levels map onto it (see {@link severityFromSyslog}). */
export const EVENT_SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const;
export type EventSeverity = (typeof EVENT_SEVERITIES)[number];

/** Where an event came in. */
export type EventSource = 'trap' | 'syslog';

/** The device tag of an event whose sender is not in the inventory: kept and shown, never dropped. */
export const UNKNOWN_SOURCE = 'unknown source';

/** One trap or syslog message after decoding and classification, before it becomes a sample. */
export interface NoctuaEvent {
  source: EventSource;
  /** Inventory device name, or {@link UNKNOWN_SOURCE}. */
  device: string;
  site?: string;
  class?: string;
  vendor: string;
  /** Catalog type (`link-down`), or `syslog` / `trap` when no catalog entry matched. */
  type: string;
  /** Storm grouping: events of one family on one entity are counted together (link-down and link-up are `link`). */
  family: string;
  severity: EventSeverity;
  /** The types this event clears (link-up clears link-down), when it is a clearing event. */
  clears?: string[];
  ifIndex?: string;
  ifName?: string;
  entity?: string;
  /** English text; `messageZh` the zh-CN text when the catalog has one. */
  message: string;
  messageZh?: string;
  /** The trap OID or the syslog mnemonic (`IFNET/LINK_STATE`), when there was one. */
  key?: string;
  /** The address the packet or connection came from. */
  from: string;
  /** The message as received (bounded), for people and for catalog work. */
  raw: string;
  parseError?: string;
  truncated?: boolean;
  time: Date;
}

/** A summary that storm control emits in place of held-back events. */
export interface StormSummary { count: number; byType: Record<string, number> }

/** Syslog severity (0 emergency .. 7 debug) to an event severity. */
export function severityFromSyslog(level: number): EventSeverity {
  if (level <= 2) return 'critical';
  if (level === 3) return 'major';
  if (level === 4) return 'warning';
  return 'info';
}

/** Bytes of an event's text for people; the message as received is kept in `raw` (up to the receive limit). */
const MAX_MESSAGE_BYTES = 1024;

/** The count of a single event (a BigInt is immutable: one serves every sample). */
const ONE = 1n;

/** Turns an event into the `event` sample of docs/SCHEMA.md; `storm` is set on summaries. */
export function eventToSample(e: NoctuaEvent, storm?: StormSummary): Sample {
  const tags: Record<string, string> = { device: e.device, source: e.source, type: e.type, severity: e.severity, vendor: e.vendor };
  if (e.site) tags.site = e.site;
  if (e.class) tags.class = e.class;
  // Device text (docs/SCHEMA.md): at most 255 bytes in a tag or a naming field, whatever the message carried.
  if (e.ifIndex) tags.ifIndex = deviceText(e.ifIndex);
  if (e.ifName) tags.ifName = deviceText(e.ifName);
  // A tag, so rules can tell one PSU, fan or BGP peer from another and a clearing event finds its fault.
  if (e.entity) tags.entity = deviceText(e.entity);
  const fields: Sample['fields'] = {
    message: capUtf8(storm ? stormMessage(e, storm) : e.message, MAX_MESSAGE_BYTES),
    count: storm ? BigInt(storm.count) : ONE,
    storm: storm !== undefined,
    from: e.from,
    raw: e.raw,
  };
  if (e.messageZh) fields.message_zh = capUtf8(e.messageZh, MAX_MESSAGE_BYTES);
  if (e.key) fields.key = deviceText(e.key);
  if (e.clears) fields.clears = e.clears.join(',');
  if (e.parseError) fields.parse_error = e.parseError;
  if (e.truncated) fields.truncated = true;
  return { measurement: 'event', tags, fields, time: e.time };
}

function stormMessage(e: NoctuaEvent, s: StormSummary): string {
  const parts = Object.entries(s.byType).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${n} ${t}`);
  const what = e.ifName ?? e.entity ?? e.ifIndex;
  return `event storm${what ? ` on ${what}` : ''}: ${s.count} events held back (${parts.join(', ')}); last: ${e.message}`;
}
