import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNetnsHost, type NetnsHost } from '../../../src/lab/netns.js';

/** A namespace host whose replies arrive late and some not at all, and how that was done. */
export interface ImpairedHost {
  host: NetnsHost;
  /** `netem` when the kernel has sch_netem; `responder` when a userspace responder stands in for it. */
  via: 'netem' | 'responder';
  /** Why netem was not used (the kernel's words), when it was not. */
  netemMissing?: string;
  stop(): void;
}

const RESPONDER = fileURLToPath(new URL('./echo-responder.py', import.meta.url));

/**
 * A namespace host (src/lab/netns.ts) behind a link with `delay delayMs ± jitterMs, loss lossPct %`: through
 * `tc qdisc netem` on the namespace's side when the kernel has it, else through echo-responder.py with the
 * kernel's own IPv4 echo replies turned off in the namespace (this box's kernel has no sch_netem, nor tc
 * classifiers or actions that could drop). IPv4 only. Everything started is stopped by `stop()`, also when a
 * later step fails to start.
 */
export async function createImpairedHost(tag: string, subnet: number, imp: { delayMs: number; jitterMs: number; lossPct: number }): Promise<ImpairedHost> {
  const host = createNetnsHost(tag, subnet);
  const nsIf = `nn${tag}`.slice(0, 15);
  let child: ChildProcess | undefined;
  const stop = () => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    host.remove();
  };
  try {
    try {
      execFileSync('ip', ['netns', 'exec', host.name, 'tc', 'qdisc', 'add', 'dev', nsIf, 'root', 'netem',
        'delay', `${imp.delayMs}ms`, `${imp.jitterMs}ms`, 'loss', `${imp.lossPct}%`], { stdio: 'pipe' });
      return { host, via: 'netem', stop };
    } catch (err) {
      const netemMissing = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
      execFileSync('ip', ['netns', 'exec', host.name, 'sysctl', '-q', '-w', 'net.ipv4.icmp_echo_ignore_all=1'], { stdio: 'pipe' });
      child = spawn('ip', ['netns', 'exec', host.name, 'python3', RESPONDER, String(imp.delayMs), String(imp.jitterMs), String(imp.lossPct / 100), '23'], { stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`echo-responder.py did not start within 10 s: ${err}`)), 10_000);
        child!.stderr!.on('data', (d) => { err += String(d); });
        child!.stdout!.on('data', (d) => { if (String(d).includes('ready')) { clearTimeout(timer); resolve(); } });
        child!.once('exit', (code) => { clearTimeout(timer); reject(new Error(`echo-responder.py exited (${code}): ${err.trim()}`)); });
      });
      return { host, via: 'responder', netemMissing, stop };
    }
  } catch (err) {
    stop();
    throw err;
  }
}
