import { rows, num, timeWhere, type StatementRunner } from './influx-query.js';
import type { TimeRange } from './types.js';

/** Events of one device, type and source in a period (storm summaries counted in full). */
export interface EventCount {
  device: string;
  type: string;
  /** trap, syslog, or poll (events a poll found carry no source tag). */
  source: string;
  count: number;
  /** Of `count`, the events storm control held back and summarised. */
  heldBack: number;
}

/** Reads the period's event counts from the raw `event` samples (docs/SCHEMA.md), grouped by device, type and source. */
export async function readEventCounts(run: StatementRunner, range: TimeRange): Promise<EventCount[]> {
  const w = timeWhere(range);
  const by = 'GROUP BY "device","type","source"';
  // A poll's event has no `count` field: count the messages, then let the summaries' counts replace their single rows.
  const [all, storms] = await run([
    `SELECT count("message") AS messages, sum("count") AS total, count("count") AS counted FROM "event" WHERE ${w} ${by}`,
    `SELECT sum("count") AS held FROM "event" WHERE ${w} AND "storm" = true ${by}`,
  ]);
  const key = (t: Record<string, string>) => `${t.device ?? ''}\u0000${t.type ?? ''}\u0000${t.source ?? ''}`;
  const held = new Map((storms ?? []).flatMap((s) => rows([s]).map(({ tags, row }) => [key(tags), num(s, row, 'held') ?? 0] as const)));
  return rows(all ?? []).map(({ s, tags, row }) => {
    const messages = num(s, row, 'messages') ?? 0;
    const count = (num(s, row, 'total') ?? 0) + messages - (num(s, row, 'counted') ?? 0);
    const h = held.get(key(tags)) ?? 0;
    // A summary row stands for `held` events and is itself one of `messages`: it is not an extra event.
    return { device: tags.device ?? '', type: tags.type ?? '', source: tags.source || 'poll', count, heldBack: h };
  }).filter((c) => c.device !== '' && c.count > 0);
}
