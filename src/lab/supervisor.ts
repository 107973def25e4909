import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PartFailedError, onPath } from './parts.js';

/** A long-running child (influxd, snmpsimd, snmpd) whose output goes to a log file. */
export interface SupervisedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal) when the child ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while the child runs. */
  alive(): boolean;
  /** SIGTERM to the child's whole process group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of its log, for crash reports. */
  tail(lines?: number): string;
}

const running = new Set<SupervisedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the parent dies without stopping its children: no orphan influxd/snmpsimd.
  process.on('exit', () => {
    for (const p of running) {
      try { process.kill(-p.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
}

/** Starts `command` in its own process group with stdout/stderr appended to `logFile`. */
export function superviseProcess(name: string, command: string, args: string[], opts: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv; onCrash?: (p: SupervisedProcess, code: number | null, signal: NodeJS.Signals | null) => void }): SupervisedProcess {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) {
    child.on('error', () => { /* reported below: spawn failures come as an event after this returns */ });
    const hint = onPath(command)
      ? `${command} is on PATH but could not be run: check that it is executable by ${process.getuid?.() === 0 ? 'root' : 'this user'}`
      : `${command} was not found on PATH: run \`npm run setup\` (it installs the Debian packages Noctua needs)`;
    throw new PartFailedError(name, `did not start (could not run ${command})`, hint);
  }
  let stopping = false;
  let isAlive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      isAlive = false;
      running.delete(proc);
      if (!stopping) opts.onCrash?.(proc, code, signal);
      resolve({ code, signal });
    });
    child.once('error', () => { isAlive = false; running.delete(proc); resolve({ code: -1, signal: null }); });
  });
  const pid = child.pid;
  const proc: SupervisedProcess = {
    name, pid, logFile: opts.logFile, exited,
    alive: () => isAlive,
    async stop(graceMs = 5000) {
      if (!isAlive) return;
      stopping = true;
      try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
      await exited;
      clearTimeout(timer);
      // Make sure nothing of the group survives (snmpsimd forks workers).
      try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
    },
    tail(lines = 20) {
      try { return readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return ''; }
    },
  };
  running.add(proc);
  installExitHook();
  return proc;
}
