#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx so that `npx noctua` needs no build step.
import { register } from 'tsx/esm/api';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// V8 lets the old generation grow to up to 4x what survived the last full collection before it collects again
// (its factor for heaps allowed over 1 GiB). At 5,000 devices about 250 MiB survive, and the heap reached 880 MiB
// reserved (1,080 MiB RSS) mostly as garbage waiting: 1.5x keeps the peak near 1.5 x live for a few more full
// collections (measured in docs/SCALE.md "Memory"). A --heap-growing-percent given in NODE_OPTIONS or on the
// command line wins.
if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=50');
}
register();
const here = dirname(fileURLToPath(import.meta.url));
const { main } = await import(join(here, '..', 'src', 'cli', 'main.ts'));
process.exitCode = await main(process.argv.slice(2));
