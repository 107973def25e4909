/**
 * `node --import tsx bench/profile-summary.ts FILE.cpuprofile [N]`: the N functions with the most self time in a
 * V8 CPU profile (from `node --cpu-prof`), and the share per source area (Noctua, node_modules, Node internals,
 * idle/GC), so a target the bench misses can be traced to where the CPU goes.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Self time per function and per area of a CPU profile, in milliseconds. */
export function profileSelfTime(p: CpuProfile): { functions: { name: string; where: string; ms: number }[]; areas: Record<string, number>; totalMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const fn = new Map<string, { name: string; where: string; ms: number }>();
  const areas: Record<string, number> = {};
  let totalMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const name = n.callFrame.functionName || '(anonymous)';
    const area = name === '(idle)' ? 'idle' : name === '(garbage collector)' ? 'gc' : name === '(program)' ? 'program' : url.includes('/node_modules/') ? `npm:${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]}` : url.includes('/src/') ? 'noctua src' : url.includes('/bench/') || url.includes('/tests/') ? 'bench harness' : url.startsWith('node:') ? 'node internals' : url ? 'other' : 'native';
    areas[area] = (areas[area] ?? 0) + ms;
    if (area !== 'idle') totalMs += ms;
    const where = url ? `${url.replace(/^.*\/(src|bench|tests|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const e = fn.get(key) ?? { name, where, ms: 0 };
    e.ms += ms;
    fn.set(key, e);
  }
  return { functions: [...fn.values()].filter((f) => f.name !== '(idle)').sort((a, b) => b.ms - a.ms), areas, totalMs };
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!/^\d+$/.test(top)) { process.stderr.write('usage: profile-summary FILE.cpuprofile [N] (one file)\n'); process.exit(2); }
  if (!file) { process.stderr.write('usage: profile-summary FILE.cpuprofile [N]\n'); process.exit(2); }
  const s = profileSelfTime(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1)} %`;
  process.stdout.write(`busy ${s.totalMs.toFixed(0)} ms (idle excluded)\n\nby area:\n`);
  for (const [a, ms] of Object.entries(s.areas).filter(([a]) => a !== 'idle').sort((x, y) => y[1] - x[1])) process.stdout.write(`  ${pct(ms).padStart(7)}  ${a}\n`);
  process.stdout.write('\ntop functions (self time):\n');
  for (const f of s.functions.slice(0, Number(top))) process.stdout.write(`  ${pct(f.ms).padStart(7)}  ${f.name}  ${f.where}\n`);
}
