import { spawn } from 'node:child_process';
import { PingerUnavailableError } from '../pollers/icmp/pinger.js';

/** How the ICMP sweep runs: one fping process for every target. */
export interface SweepOptions {
  /** Most echo requests per second (fping's `-i`, the gap between any two packets, is 1000/rate ms). */
  rate: number;
  timeoutMs: number;
  /** Echo requests repeated for a target that did not answer. */
  retries: number;
  binary?: string;
}

/** What the sweep found. */
export interface SweepResult {
  /** Addresses that answered, in the order of the targets. */
  alive: string[];
  /** Echo requests fping says it sent (its `-s` summary). */
  echoesSent: number;
  wallMs: number;
}

/** fping's arguments for a sweep: alive targets on stdout, its own summary on stderr, paced to `rate`. */
export function sweepArgs(o: SweepOptions): string[] {
  const gapMs = Math.max(1000 / o.rate, 0.01);
  return ['-a', '-q', '-s', '-r', String(o.retries), '-t', String(o.timeoutMs), '-i', gapMs.toFixed(2), '-B', '1.5'];
}

/**
 * Sweeps `targets` with one `fping` process (targets on stdin, as `fping -f -`), paced so that no more than
 * `rate` echo requests leave per second. A missing fping is a {@link PingerUnavailableError} naming the package.
 */
export function icmpSweep(targets: readonly string[], o: SweepOptions, signal: AbortSignal): Promise<SweepResult> {
  const t0 = performance.now();
  if (targets.length === 0) return Promise.resolve({ alive: [], echoesSent: 0, wallMs: 0 });
  const binary = o.binary ?? 'fping';
  return new Promise((resolve, reject) => {
    const child = spawn(binary, sweepArgs(o), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 1_000_000) stderr += d; });
    const onAbort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(err.code === 'ENOENT' ? new PingerUnavailableError(`fping is not installed (looked for "${binary}" in PATH): install it (apt install fping)`) : err);
    });
    child.once('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) { reject(signal.reason as Error); return; }
      // 0: all answered, 1: some did not, 2: an address was unknown; above that fping itself failed.
      if (sig || (code !== null && code > 2)) {
        reject(new Error(`fping failed (${sig ? `signal ${sig}` : `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`));
        return;
      }
      const answered = new Set(stdout.split('\n').map((l) => l.trim()).filter(Boolean));
      const sent = /(\d+)\s+ICMP Echos sent/.exec(stderr);
      resolve({ alive: targets.filter((t) => answered.has(t)), echoesSent: sent ? Number(sent[1]) : 0, wallMs: performance.now() - t0 });
    });
    child.stdin.on('error', () => { /* fping exited early; its exit code says why */ });
    child.stdin.end(targets.join('\n') + '\n');
  });
}
