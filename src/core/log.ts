import { pino, type Logger } from 'pino';

/** Builds the process logger: JSON lines, pretty-printed when stdout is a terminal. */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  const level = opts.level ?? process.env.NOCTUA_LOG_LEVEL ?? 'info';
  if (process.stdout.isTTY) {
    return pino({ level, name: opts.name, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino({ level, name: opts.name });
}

export type { Logger };
