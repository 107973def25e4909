import { spawn } from 'node:child_process';
import { PingerUnavailableError } from '../pollers/icmp/pinger.js';
import type { Pacer } from './pacer.js';

/** How the ICMP sweep runs: one fping process per pass over the targets still silent. */
export interface SweepOptions {
  /** Most packets per second (fping's `-i`, the gap between any two packets, is {@link SWEEP_GAP_FACTOR} × 1000/rate ms). */
  rate: number;
  timeoutMs: number;
  /** Passes repeated for the targets that did not answer (fping's `-r`). */
  retries: number;
  binary?: string;
  /** The run's one rate budget: each pass takes its echoes from it before fping starts, so probes wait for them. */
  pacer?: Pacer;
}

/** What the sweep found. */
export interface SweepResult {
  /** Addresses that answered, in the order of the targets. */
  alive: string[];
  /** Echo requests fping says it sent (its `-s` summary, summed over the passes). */
  echoesSent: number;
  wallMs: number;
}

/**
 * fping's `-i` gap is this many times 1000/rate: at the exact gap fping 5.1 reached 218–220 packets/s over 1 s spans
 * at rate 200 on a loaded machine (its timer catches up after a late wake-up), 10% over.
 */
export const SWEEP_GAP_FACTOR = 1.1;

function gapMs(rate: number): number {
  return Math.max((SWEEP_GAP_FACTOR * 1000) / rate, 0.01);
}

/** fping's arguments for one sweep with its own retries (what an admin's script runs; the bench's peer): alive targets on stdout, its summary on stderr. */
export function sweepArgs(o: SweepOptions): string[] {
  return ['-a', '-q', '-s', '-r', String(o.retries), '-t', String(o.timeoutMs), '-i', gapMs(o.rate).toFixed(2), '-B', '1.5'];
}

/** fping's arguments for pass `pass` (0 = first): one echo per target, the timeout backed off by 1.5 per pass as fping's `-B 1.5` does. */
export function passArgs(o: SweepOptions, pass: number): string[] {
  return ['-a', '-q', '-s', '-r', '0', '-t', String(Math.round(o.timeoutMs * 1.5 ** pass)), '-i', gapMs(o.rate).toFixed(2)];
}

/**
 * Sweeps `targets` with fping (targets on stdin, as `fping -f -`): a pass sends one echo to each target still
 * silent, `1 + retries` passes at most, each paced so that no more than `rate` packets leave per second — and, with
 * a pacer, charged to it before it starts and holding it until its last echo left, so the SNMP probes of the same
 * run fill only the gaps (a pass's timeout).
 * `onAlive` hears each address as fping prints it, while the sweep goes on. A missing fping is a
 * {@link PingerUnavailableError} naming the package.
 */
export async function icmpSweep(targets: readonly string[], o: SweepOptions, signal: AbortSignal, onAlive?: (address: string) => void): Promise<SweepResult> {
  const t0 = performance.now();
  const wanted = new Set(targets);
  const answered = new Set<string>();
  const sentinel = sentinelFor(wanted);
  let pending = [...targets], echoesSent = 0;
  for (let pass = 0; pass <= o.retries && pending.length > 0; pass++) {
    let sent!: () => void;
    const lastSent = new Promise<void>((resolve) => { sent = resolve; });
    const charge = async () => { try { await o.pacer?.spread(pending.length, lastSent, signal); } catch (err) { sent(); throw err; } };
    const echoes = await fpingPass([...pending, sentinel], passArgs(o, pass), o.binary ?? 'fping', signal, charge, (a) => {
      if (a === sentinel) { sent(); return; }
      if (!wanted.has(a) || answered.has(a)) return;
      answered.add(a);
      onAlive?.(a);
    }).finally(sent);
    // The sentinel's echo stays on loopback: it is not one of the run's packets.
    echoesSent += Math.max(0, echoes - 1);
    pending = pending.filter((t) => !answered.has(t));
  }
  return { alive: targets.filter((t) => answered.has(t)), echoesSent, wallMs: performance.now() - t0 };
}

/**
 * A loopback address that is not a target, pinged last in each pass: fping sends a pass in input order and loopback
 * answers at once, so its reply says the pass's last echo has left (fping may fall behind its pace on a busy
 * machine; the pacer then holds the probes until it has). Without loopback, the pass's end says it.
 */
export function sentinelFor(targets: ReadonlySet<string>): string {
  for (let i = 1; ; i++) {
    const a = `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    if (!targets.has(a) && (i & 255) !== 0 && (i & 255) !== 255) return a;
  }
}

/**
 * One fping process over `targets`: calls `onLine` for each line it prints on stdout, resolves with the echoes it
 * sent. fping sends nothing before its input ends, so the targets are written only once the process runs and
 * `beforeStart` (the pacer's charge) resolved: its packets leave when the pacer counted them, not a start-up later.
 */
function fpingPass(targets: readonly string[], args: string[], binary: string, signal: AbortSignal, beforeStart: () => Promise<void>, onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let partial = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop()!.slice(-256);
      for (const l of lines) if (l.trim()) onLine(l.trim());
    });
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
      if (partial.trim()) onLine(partial.trim());
      const sent = /(\d+)\s+ICMP Echos sent/.exec(stderr);
      resolve(sent ? Number(sent[1]) : 0);
    });
    child.stdin.on('error', () => { /* fping exited early; its exit code says why */ });
    child.once('spawn', () => {
      beforeStart().then(() => child.stdin.end(targets.join('\n') + '\n'), (err: unknown) => { child.kill('SIGKILL'); reject(err as Error); });
    });
  });
}
