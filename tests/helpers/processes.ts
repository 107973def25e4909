import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';

/** One process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, tells a process from a later one that reused its pid. */
  start: string;
  state: string;
  /** The kernel's name for it (15 characters at most); stays right when a program rewrites its argv (redis-server does). */
  comm: string;
  /** The program's name: the script's for interpreters (snmpsimd is python3 running /usr/bin/snmpsimd). */
  name: string;
  argv: string[];
  /** Environment variables, read only for the keys asked for. */
  env: Record<string, string>;
}

const INTERPRETERS = new Set(['python3', 'python', 'node', 'sh', 'bash', 'perl']);

/** Every process that can be read now (processes that end while being read are left out). */
export function listProcesses(envKeys: string[] = []): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // The command name sits in parentheses and may itself hold spaces or parentheses.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const env: Record<string, string> = {};
      if (envKeys.length > 0) {
        for (const kv of readFileSync(`/proc/${d}/environ`, 'utf8').split('\0')) {
          const i = kv.indexOf('=');
          if (i > 0 && envKeys.includes(kv.slice(0, i))) env[kv.slice(0, i)] = kv.slice(i + 1);
        }
      }
      const prog = argv[0] ? basename(argv[0].split(' ')[0]!) : comm;
      const name = INTERPRETERS.has(prog) && argv[1] && !argv[1].startsWith('-') ? basename(argv[1]) : prog || comm;
      out.push({ pid: Number(d), ppid: Number(rest[1]), start: rest[19] ?? '', state: rest[0] ?? '', comm, name, argv, env });
    } catch { /* ended while being read, or not readable */ }
  }
  return out;
}

/** A process's identity across a pid's reuse. */
export function processKey(p: ProcessInfo): string {
  return `${p.pid}:${p.start}`;
}

/** Pids of `root` and all its descendants in `procs`. */
export function descendantsOf(root: number, procs: ProcessInfo[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>([root]);
  const walk = (pid: number) => { for (const c of children.get(pid) ?? []) if (!out.has(c)) { out.add(c); walk(c); } };
  walk(root);
  return out;
}
