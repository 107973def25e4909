/**
 * Run by fping-emfile.test.ts under a low open-file limit: uses up every descriptor, then asks the fping backend for
 * a cycle. Prints the outcome as JSON; a crash (an unheard 'error' event) would end the process before it prints.
 */
import { closeSync, openSync } from 'node:fs';
import { createFpingPinger } from '../../../src/pollers/icmp/fping.js';

const held: number[] = [];
try {
  for (let i = 0; i < 100_000; i++) held.push(openSync('/dev/null', 'r'));
} catch { /* EMFILE: every descriptor is taken */ }
let outcome: { ok: boolean; error?: string };
try {
  await createFpingPinger().ping(['127.0.0.1'], { count: 1, intervalMs: 10, timeoutMs: 500 }, AbortSignal.timeout(5000));
  outcome = { ok: true };
} catch (err) {
  outcome = { ok: false, error: (err as Error).message };
}
for (const fd of held) closeSync(fd);
// The pinger works again once descriptors are free.
const again = await createFpingPinger().ping(['127.0.0.1'], { count: 1, intervalMs: 10, timeoutMs: 500 }, AbortSignal.timeout(5000));
process.stdout.write(JSON.stringify({ held: held.length, outcome, againSent: again.get('127.0.0.1')?.sent }) + '\n');
