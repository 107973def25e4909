import { pino, type Logger } from 'pino';

/** A pino logger whose records are kept in memory, so tests can check what was said and how loudly. */
export function capturedLogger(): { log: Logger; records: { level: number; msg: string; [k: string]: unknown }[] } {
  const records: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { records.push(JSON.parse(s) as never); } });
  return { log, records };
}
