/**
 * The sweep where some addresses have nothing behind them (impossible on 127/8, where the kernel answers every
 * address): a network namespace of our own with a veth pair whose one end holds two addresses of a /28; the rest of
 * the /28 has nobody behind it. fping runs inside it (`ip netns exec`).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnavailableReason } from '../../src/lab/netns.js';
import { expandTargets, parseRanges } from '../../src/discovery/ranges.js';
import { icmpSweep } from '../../src/discovery/sweep.js';
import { tempDir } from '../helpers/tmp.js';

const unavailable = netnsUnavailableReason();
const ns = `discover-${process.pid}`;
const tmp = tempDir('noctua-discover-ns-');
const fping = join(tmp.dir, 'fping-in-ns');

beforeAll(() => {
  if (unavailable) return;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  ip('netns', 'add', ns);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  // A veth pair with both ends inside: the addressed end holds .1 and .9; the other end has no address, so an
  // echo to any other address of the /28 waits for an ARP answer that never comes.
  ip('netns', 'exec', ns, 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', '10.77.0.1/28', 'dev', 'v0');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', '10.77.0.9/28', 'dev', 'v0');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'v0', 'up');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'v1', 'up');
  writeFileSync(fping, `#!/bin/sh\nexec ip netns exec ${ns} fping "$@"\n`);
  chmodSync(fping, 0o755);
});
afterAll(() => {
  if (!unavailable) { try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* gone */ } }
  tmp.cleanup();
});

describe.skipIf(unavailable !== undefined)('the ICMP sweep over a namespace subnet', () => {
  it('finds the two live addresses, sends nothing to the excluded ones, and repeats only to the silent ones', async () => {
    const targets = expandTargets(parseRanges(['10.77.0.0/28'], 'range'), parseRanges(['10.77.0.10-12'], 'exclude', false));
    expect(targets).toHaveLength(11);
    const r = await icmpSweep(targets, { rate: 500, timeoutMs: 200, retries: 1, binary: fping }, AbortSignal.timeout(30_000));
    expect(r.alive).toEqual(['10.77.0.1', '10.77.0.9']);
    // One echo to each live address, 1 + retries to each of the 9 silent ones: fping's own count.
    expect(r.echoesSent).toBe(2 + 9 * 2);
  });
});
