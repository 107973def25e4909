import { quoteIdent, quoteString, timeRange } from '../../storage/influxql.js';
import type { InfluxReader } from '../../storage/queries.js';

/** Where events came from; `poll` is an event a poll found (a reboot seen in sysUpTime), which has no source tag. */
export const EVENT_SOURCES = ['trap', 'syslog', 'poll'] as const;
export type EventSourceName = (typeof EVENT_SOURCES)[number];

/** One page of the event log, newest first. */
export interface EventQuery {
  device?: string;
  type?: string;
  source?: EventSourceName;
  since: Date;
  until: Date;
  limit: number;
  offset: number;
}

/** One event as the API lists it (docs/SCHEMA.md `event`; the raw message is left out of lists). */
export interface EventRecord {
  time: Date;
  device: string;
  source: EventSourceName;
  type: string;
  severity?: string;
  site?: string;
  vendor?: string;
  ifIndex?: string;
  ifName?: string;
  entity?: string;
  message: string;
  messageZh?: string;
  /** 1, or the events a storm summary stands for. */
  count: number;
  storm: boolean;
  from?: string;
  key?: string;
  clears?: string;
  parseError?: string;
}

/** The event log (trap, syslog and poll events as stored in InfluxDB). */
export interface EventService {
  list(q: EventQuery): Promise<{ total: number; items: EventRecord[] }>;
}

const TAGS = ['device', 'source', 'type', 'severity', 'site', 'vendor', 'ifIndex', 'ifName', 'entity'] as const;
const FIELDS = ['message', 'message_zh', 'count', 'storm', 'from', 'key', 'clears', 'parse_error'] as const;

function conditions(q: EventQuery): string[] {
  const out = timeRange(q.since, q.until);
  if (q.device !== undefined) out.push(`"device" = ${quoteString(q.device)}`);
  if (q.type !== undefined) out.push(`"type" = ${quoteString(q.type)}`);
  // A poll's event carries no source tag; InfluxQL's = '' matches a missing tag.
  if (q.source !== undefined) out.push(`"source" = ${quoteString(q.source === 'poll' ? '' : q.source)}`);
  return out;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function toRecord(columns: readonly string[], row: readonly unknown[]): EventRecord {
  const v = (c: string) => row[columns.indexOf(c)];
  const source = text(v('source'));
  return {
    time: new Date(v('time') as number), device: text(v('device')) ?? '', source: source === 'trap' || source === 'syslog' ? source : 'poll',
    type: text(v('type')) ?? '', severity: text(v('severity')), site: text(v('site')), vendor: text(v('vendor')),
    ifIndex: text(v('ifIndex')), ifName: text(v('ifName')), entity: text(v('entity')),
    message: text(v('message')) ?? '', messageZh: text(v('message_zh')),
    count: typeof v('count') === 'number' ? (v('count') as number) : 1, storm: v('storm') === true,
    from: text(v('from')), key: text(v('key')), clears: text(v('clears')), parseError: text(v('parse_error')),
  };
}

/** The event log over storage's reader: every value of the query is quoted by storage's InfluxQL module. */
export function eventServiceOverInflux(reader: Pick<InfluxReader, 'query'>): EventService {
  return {
    async list(q) {
      const where = ` WHERE ${conditions(q).join(' AND ')}`;
      const select = [...FIELDS, ...TAGS].map(quoteIdent).join(', ');
      // Two statements, one request: the total for paging and the page itself, newest first.
      const [total, page] = await reader.query(
        `SELECT count("message") FROM "event"${where}; ` +
        `SELECT ${select} FROM "event"${where} ORDER BY time DESC LIMIT ${Math.trunc(q.limit)} OFFSET ${Math.trunc(q.offset)}`,
      );
      const n = total?.series?.[0]?.values[0]?.[1];
      const s = page?.series?.[0];
      return { total: typeof n === 'number' ? n : 0, items: s ? s.values.map((row) => toRecord(s.columns, row)) : [] };
    },
  };
}
