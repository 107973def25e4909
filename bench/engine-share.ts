/**
 * `node --import tsx bench/engine-share.ts FILE.cpuprofile`: the alert engine's share of a process's busy CPU in a
 * V8 profile (the fleet's `noctua start` under `--profile`). Inclusive: every sample with an engine frame anywhere
 * in its stack counts (SQLite, JSON and template work it calls included); garbage collection, which V8 does not
 * attribute to a caller, is shown apart. A V8 profile counts time the thread is blocked too: the commits' fsync
 * (synchronous=FULL) shows as self time of `AlertStore.unit`, reported apart as waiting rather than CPU.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** The engine's files: the coordinator, its stages and what only it calls (escalation, notifiers and the outbox are not it). */
const ENGINE = /\/src\/alerting\/(engine\.ts|engine\/|store\.ts|conditions\.ts|rules\.ts|incidents\.ts|templates\.ts|mute\/|maintenance\.ts|cron\.ts|patterns\.ts)/;

export function engineShare(p: CpuProfile): { busyMs: number; engineMs: number; commitMs: number; gcMs: number } {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const memo = new Map<number, boolean>();
  const inEngine = (id: number): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    const up = parent.get(id);
    const v = ENGINE.test(n.callFrame.url) || (up !== undefined && inEngine(up));
    memo.set(id, v);
    return v;
  };
  let busyMs = 0; let engineMs = 0; let commitMs = 0; let gcMs = 0;
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)') return;
    busyMs += ms;
    if (name === '(garbage collector)') gcMs += ms;
    else if (inEngine(id)) {
      engineMs += ms;
      if (name === 'unit' && /\/src\/alerting\/store\.ts/.test(byId.get(id)!.callFrame.url)) commitMs += ms;
    }
  });
  return { busyMs, engineMs, commitMs, gcMs };
}

if (process.argv[1]?.endsWith('engine-share.ts')) {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: engine-share FILE.cpuprofile\n'); process.exit(2); }
  const s = engineShare(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)} %`;
  process.stdout.write(`busy ${s.busyMs.toFixed(0)} ms; alert engine ${s.engineMs.toFixed(0)} ms = ${pct(s.engineMs)} (inclusive), of which ` +
    `BEGIN/COMMIT (fsync waits) ${s.commitMs.toFixed(0)} ms = ${pct(s.commitMs)}; engine without them ${pct(s.engineMs - s.commitMs)} of busy, ` +
    `${((100 * (s.engineMs - s.commitMs)) / (s.busyMs - s.commitMs)).toFixed(1)} % of busy without them; gc ${s.gcMs.toFixed(0)} ms = ${pct(s.gcMs)} (not attributed)\n`);
}
