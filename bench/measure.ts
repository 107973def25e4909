import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** One measured run: wall time, CPU seconds (user+sys) and peak RSS of whoever did the work. */
export interface RunFigures {
  wallS: number;
  cpuS: number;
  peakRssMiB: number;
  /** Section-specific figures of the run (device-polls/s, agent CPU, varbinds, p99 ms …), summarised like the others. */
  extra?: Record<string, number>;
}

/** Median and spread (min..max) of repeated runs. */
export interface Summary {
  median: RunFigures;
  min: RunFigures;
  max: RunFigures;
  runs: number;
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user+sys, incl. reaped children) of a process from /proc. */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after ")" start at index 3 (state); utime=14, stime=15, cutime=16, cstime=17 (1-based in proc(5))
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
}

/** Peak resident set (VmHWM) of a process in MiB. */
export function procPeakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Measures an in-process piece of work: wall, this process's CPU, and its peak RSS so far. */
export async function measureSelf(work: () => Promise<void>): Promise<RunFigures> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wallS, cpuS: (c.user + c.system) / 1e6, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Python's os.wait4 gives the reaped peer's rusage exactly: user+sys CPU in microseconds and ru_maxrss (the peak
 * RSS of the largest process in the peer's tree, kernel-tracked), where /proc ticks (10 ms) and RSS sampling miss
 * a peer that runs for 10 ms. The wrapper's own start-up is not in the child's rusage.
 */
const WAIT4 = [
  'import os, sys, json',
  'pid = os.fork()',
  'if pid == 0:',
  '    os.execvp(sys.argv[1], sys.argv[1:])',
  '_, status, ru = os.wait4(pid, 0)',
  'sys.stderr.write("\\n" + json.dumps({"cpu": ru.ru_utime + ru.ru_stime, "maxrss_kb": ru.ru_maxrss, "status": os.waitstatus_to_exitcode(status)}) + "\\n")',
  'sys.exit(0)',
].join('\n');

/**
 * Runs a peer command to completion and measures it: wall time, CPU of the command and its children (wait4's
 * rusage), and its peak RSS, sampled every 20 ms over its process tree (ru_maxrss would report the forked
 * Python wrapper's size: Linux keeps the high-water mark across exec). A peer done within 20 ms shows 0.
 */
export async function measureCommand(cmd: string, args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<RunFigures & { stdout: string; stderr: string; code: number | null }> {
  const t0 = performance.now();
  return await new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', WAIT4, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const tree = (pid: number): number[] => directChildren(pid).flatMap((c) => [c, ...tree(c)]);
    const sampler = setInterval(() => {
      let sum = 0;
      for (const pid of tree(child.pid!)) { try { sum += procRssMiB(pid); } catch { /* gone */ } }
      peak = Math.max(peak, sum);
    }, 20);
    const timer = setTimeout(() => { for (const pid of descendants(child.pid!)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } }, opts.timeoutMs ?? 600_000);
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      clearInterval(sampler);
      const wallS = (performance.now() - t0) / 1000;
      // The last line on stderr is the wrapper's rusage report.
      const lines = stderr.trimEnd().split('\n');
      let ru: { cpu: number; maxrss_kb: number; status: number } | undefined;
      try { ru = JSON.parse(lines.pop() ?? '') as typeof ru; } catch { /* wrapper failed */ }
      stderr = lines.join('\n');
      if (!ru) { reject(new Error(`${cmd}: no rusage report (${stderr.slice(-300)})`)); return; }
      resolve({ wallS, cpuS: ru.cpu, peakRssMiB: peak, stdout, stderr, code: ru.status });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin); else child.stdin.end();
  });
}

/** Current resident set of a process in MiB. */
export function procRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Every descendant of a pid (from /proc). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parent.get(ppid) ?? [];
      list.push(Number(d));
      parent.set(ppid, list);
    } catch { /* raced */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of parent.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}


/** Median of a list (mean of the middle two for an even count); NaN for an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0..100, nearest rank) of a list; NaN for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Summarises repeated runs by median and spread, for the three figures and every extra figure the runs share. */
export function summarize(runs: readonly RunFigures[]): Summary {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.extra ?? {})))];
  const agg = (f: (xs: number[]) => number): RunFigures => ({
    wallS: f(runs.map((r) => r.wallS)), cpuS: f(runs.map((r) => r.cpuS)), peakRssMiB: f(runs.map((r) => r.peakRssMiB)),
    ...(keys.length ? { extra: Object.fromEntries(keys.map((k) => [k, f(runs.map((r) => r.extra?.[k] ?? NaN).filter((x) => !Number.isNaN(x)))])) } : {}),
  });
  return { median: agg(median), min: agg((xs) => (xs.length ? Math.min(...xs) : NaN)), max: agg((xs) => (xs.length ? Math.max(...xs) : NaN)), runs: runs.length };
}

/** Repeats a measurement and summarises it by median and spread. */
export async function repeat(times: number, run: (i: number) => Promise<RunFigures>): Promise<Summary> {
  const runs: RunFigures[] = [];
  for (let i = 0; i < times; i++) runs.push(await run(i));
  return summarize(runs);
}

/**
 * Measures work done by this process and the children it spawns and reaps meanwhile (fping, ping):
 * wall time, CPU (this process's plus its reaped children's), and the peak of this process's RSS plus
 * its live children's, sampled every 50 ms. The harness's own baseline RSS is part of the figure. Pass
 * `children: false` when long-running children (simulators) must not count.
 */
export async function measureInProcess(work: () => Promise<Record<string, number> | void>, opts: { children?: boolean } = {}): Promise<RunFigures> {
  const withChildren = opts.children ?? true;
  const self = process.pid;
  const children0 = childrenCpuSeconds(self);
  let peak = process.memoryUsage.rss() / 1048576;
  const sampler = setInterval(() => {
    let sum = process.memoryUsage.rss() / 1048576;
    // Direct children only, read from /proc/<pid>/task/*/children: a full /proc scan would cost the measured process CPU.
    if (withChildren) for (const pid of directChildren(self)) { try { sum += procRssMiB(pid); } catch { /* gone */ } }
    peak = Math.max(peak, sum);
  }, 50);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let extra: Record<string, number> | void;
  try {
    extra = await work();
  } finally {
    clearInterval(sampler);
  }
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6 + (childrenCpuSeconds(self) - children0);
  return { wallS, cpuS, peakRssMiB: peak, ...(extra ? { extra } : {}) };
}

/** Direct children of a process, from every thread's children list. */
export function directChildren(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(' ')) if (c) out.push(Number(c));
      } catch { /* thread gone */ }
    }
  } catch { /* process gone */ }
  return out;
}

/** CPU seconds of reaped children (cutime+cstime) of a process. */
export function childrenCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICK;
}

/** CPU seconds (own, not children's) of a set of long-running processes and their live descendants: simulators, influxd, exporters. */
export function treeCpuSeconds(pids: readonly number[]): number {
  let sum = 0;
  for (const root of pids) {
    for (const pid of [root, ...descendants(root)]) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        sum += (Number(f[11]) + Number(f[12])) / TICK;
      } catch { /* gone */ }
    }
  }
  return sum;
}

/**
 * Repeats several contenders' measurements round-robin (A B C, A B C, …) rather than A A A, B B B, so a change
 * in the machine's load during the run touches every contender alike; summarises each by median and spread.
 */
export async function repeatInterleaved(times: number, contenders: readonly { name: string; run: (i: number) => Promise<RunFigures> }[]): Promise<Map<string, Summary>> {
  const runs = new Map<string, RunFigures[]>(contenders.map((c) => [c.name, []]));
  for (let i = 0; i < times; i++) {
    for (const c of contenders) runs.get(c.name)!.push(await c.run(i));
  }
  return new Map([...runs].map(([name, r]) => [name, summarize(r)]));
}

