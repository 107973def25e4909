import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SupervisedProcess } from './supervisor.js';

/**
 * A part of the lab or of a test bench (influxd, snmpsimd, snmpd, redis-server, the notice receiver,
 * Noctua itself) that did not start: which part, why, the last lines of its log and what to do.
 * The message holds all of it, so a failing test says as much as `npm start` does.
 */
export class PartFailedError extends Error {
  constructor(
    readonly part: string,
    readonly reason: string,
    readonly hint: string,
    readonly logFile?: string,
    readonly logTail = '',
    options?: ErrorOptions,
  ) {
    super(`${part}: ${reason}\n  likely cause: ${hint}${logFile ? `\n  from ${logFile}:\n${indent(logTail || '(empty)')}` : ''}`, options);
    this.name = 'PartFailedError';
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

/** True when `command` names an executable file on PATH (or is a path to one). */
export function onPath(command: string): boolean {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, command));
  return candidates.some((f) => { try { accessSync(f, constants.X_OK); return true; } catch { return false; } });
}

/** The likely cause of a failed start, read from the error and the part's log; phrased as what to do. */
export function likelyCause(part: string, reason: string, tail: string): string {
  const text = `${reason}\n${tail}`;
  const missingDir = /Directory "([^"]+)" does not exist/.exec(tail);
  if (part === 'snmpsimd' && missingDir) {
    return `snmpsimd runs as nobody and cannot enter ${missingDir[1]} (a parent directory is closed to others, e.g. 0700): serve the recordings from a directory everyone can read`;
  }
  if (/address already in use|EADDRINUSE|Address in use/i.test(text)) return 'a port it needs is held by another program: stop that program, or pick another port';
  if (/permission denied|EACCES|EPERM/i.test(text)) return 'permission denied: check that its files and directories can be read (and written where it keeps data) by the user it runs as';
  if (/timed out/.test(reason)) return 'it started but did not answer in time: the machine may be overloaded, or it cannot read its data (see its log)';
  if (/exited/.test(reason)) return 'it exited during start-up: its log says why';
  return 'see its log';
}

/** Lines of a log that say what went wrong (snmpsimd, for one, prints its error and then a page of usage). */
const ERROR_LINE = /error|failed|denied|in use|does not exist|cannot|fatal|panic/i;
/** Lines that look like errors but are normal start-up noise (snmpsimd's optional modules, default folders, first indexing). */
const NOISE_LINE = new RegExp([
  '^Variation module ',
  // snmpsimd also scans its default folders, which do not exist on a normal install.
  String.raw`^\s*Index .* does not exist for data file`,
  String.raw`^\s*Directory "(/root/\.snmpsim|/usr/snmpsim|/usr/share/snmpsim|/usr/lib/python3[^"]*/snmpsim)/(data|variation)" does not exist`,
].join('|'));

/** What of a log to show: its error lines when it has any (the last few), else its last lines. */
export function logExcerpt(logFile: string, lines = 6): string {
  let all: string[];
  try { all = readFileSync(logFile, 'utf8').trimEnd().split('\n'); } catch { return ''; }
  const errors = all.filter((l) => ERROR_LINE.test(l) && !NOISE_LINE.test(l)).slice(-3);
  return (errors.length > 0 ? errors : all.slice(-lines)).map((l) => l.slice(0, 300)).join('\n');
}

/** The error for a process that was spawned but never became ready. */
export function partFailed(proc: SupervisedProcess, err: unknown): PartFailedError {
  const why = (err as Error)?.message?.split('\n')[0] ?? String(err);
  const excerpt = logExcerpt(proc.logFile);
  const reason = `did not start (${why})`;
  return new PartFailedError(proc.name, reason, likelyCause(proc.name, reason, excerpt), proc.logFile, excerpt, { cause: err });
}

/**
 * Waits for a freshly spawned process to become ready. When it does not, the process is stopped
 * (a half-started part must not outlive a failed start) and a {@link PartFailedError} is thrown.
 */
export async function awaitReady(proc: SupervisedProcess, ready: () => Promise<void>): Promise<void> {
  try {
    await ready();
  } catch (err) {
    await proc.stop(2000);
    throw partFailed(proc, err);
  }
}

/** Something started that can be stopped: a part (`stop`) or a server (`close`). */
export type Stoppable = { stop(): Promise<unknown> } | { close(): Promise<unknown> };

/** Stops one part, never throwing (used while unwinding a failed start). */
export async function stopQuietly(part: Stoppable | undefined): Promise<void> {
  if (!part) return;
  try { await ('stop' in part ? part.stop() : part.close()); } catch { /* unwinding: the first error is the one to report */ }
}

/**
 * Starts several parts at once and waits for all of them. When any fails, the ones that did start are
 * stopped before the first failure is thrown, so no process outlives a failed start.
 */
export async function startAll<T extends Record<string, Promise<Stoppable>>>(parts: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const names = Object.keys(parts);
  const settled = await Promise.allSettled(Object.values(parts));
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed.length > 0) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? stopQuietly(s.value) : undefined)));
    throw failed[0]!.reason;
  }
  return Object.fromEntries(names.map((n, i) => [n, (settled[i] as PromiseFulfilledResult<Stoppable>).value])) as { [K in keyof T]: Awaited<T[K]> };
}
