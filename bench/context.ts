import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../src/core/log.js';
import type { ResultRow } from './report.js';

/** What every section gets from the runner: the mode, a scratch directory, a log, and where to put its rows. */
export interface BenchContext {
  quick: boolean;
  repeats: number;
  /** `--profile DIR`: processes the bench starts for Noctua (the fleet's `noctua start`) run with --cpu-prof into DIR. */
  profileDir?: string;
  /** `--fleet N:S,…`: fleet sizes and durations instead of the mode's default. */
  fleet?: { devices: number; seconds: number }[];
  /** A scratch directory of its own under the run's work directory. */
  dir(name: string): string;
  log: Logger;
  /** Prints a progress line to stderr (stdout carries the table). */
  say(msg: string): void;
  rows: ResultRow[];
  /** Free-form facts a section wants in the JSON (capacities measured, fleet figures, profile summaries). */
  facts: Record<string, unknown>;
  /** Registers a clean-up to run at the end even when the section fails. */
  onCleanup(fn: () => Promise<void> | void): void;
}

/** Makes a scratch directory under `root`. */
export function scratchDir(root: string, name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}
