#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx so that `npx noctua` needs no build step.
import { register } from 'tsx/esm/api';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// V8 lets the old generation grow to up to 4x what survived the last full collection before it collects again
// (its factor for heaps allowed over 1 GiB). At 5,000 devices about 250 MiB survive, and the heap reached 880 MiB
// reserved (1,080 MiB RSS) mostly as garbage waiting: 1.5x keeps the peak near 1.5 x live for a few more full
// collections (docs/SCALE.md "Memory of one process"). Node refuses this flag in NODE_OPTIONS, so
// NOCTUA_HEAP_GROWING_PERCENT sets it (0: V8's own factor); `node --heap-growing-percent=N bin/noctua.js` wins.
const growing = process.env.NOCTUA_HEAP_GROWING_PERCENT ?? '50';
if (!/^\d{1,4}$/.test(growing)) {
  process.stderr.write(`NOCTUA_HEAP_GROWING_PERCENT: expected a whole number of percent (0 for V8's own heap growth), got ${JSON.stringify(growing.slice(0, 40))}\n`);
  process.exit(2);
}
if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) setFlagsFromString(`--heap-growing-percent=${growing}`);
register();
const here = dirname(fileURLToPath(import.meta.url));
const { main } = await import(join(here, '..', 'src', 'cli', 'main.ts'));
process.exitCode = await main(process.argv.slice(2));
