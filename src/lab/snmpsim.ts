import { chmodSync, chownSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import snmp from 'net-snmp';
import { PartFailedError, awaitReady } from './parts.js';
import { GiveUpWaiting, freeUdpPort, waitFor } from './ports.js';
import { superviseProcess, type SupervisedProcess } from './supervisor.js';

/** A running snmpsimd serving a directory of .snmprec recordings (community = file name). */
export interface SnmpsimInstance {
  host: string;
  port: number;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

/** One SNMP GET with net-snmp; resolves with the value as a string, or rejects with the agent's error. */
export async function snmpGetString(host: string, port: number, community: string, oid: string, timeoutMs = 1000): Promise<string> {
  const session = snmp.createSession(host, community, { port, version: snmp.Version2c, timeout: timeoutMs, retries: 0 });
  try {
    return await new Promise<string>((resolve, reject) => {
      session.get([oid], (err, varbinds) => {
        if (err) return reject(err);
        const vb = varbinds?.[0];
        if (!vb || snmp.isVarbindError(vb)) return reject(new Error(vb ? snmp.varbindError(vb) : 'no varbind'));
        resolve(Buffer.isBuffer(vb.value) ? vb.value.toString('utf8') : String(vb.value));
      });
    });
  } finally {
    session.close();
  }
}

/**
 * The directory snmpsimd runs from when started as root: it drops to `nobody`, who cannot enter a checkout
 * (or ../shared) under a 0700 directory such as /root or a `mktemp -d` dir, nor write a work dir there.
 * So it gets its own directory under a temp dir everyone can traverse: `cache/` owned by nobody, and
 * `data/` holding hard links to the recordings (copies when linking is not possible or the file is not
 * world-readable), laid out as in `dataDir` because snmpsimd names communities after relative paths.
 */
function stageForNobody(dataDir: string): { dataDir: string; cacheDir: string; remove(): void } {
  const base = [tmpdir(), '/tmp', '/var/tmp'].find(traversableByOthers);
  if (!base) throw new PartFailedError('snmpsimd', `did not start (no temp directory that nobody can enter (tried ${tmpdir()}, /tmp, /var/tmp))`, 'set TMPDIR to a directory every user can enter (mode 1777, like /tmp)');
  const root = mkdtempSync(join(base, 'noctua-snmpsim-'));
  try {
    chmodSync(root, 0o755);
    const data = join(root, 'data');
    const cache = join(root, 'cache');
    copyTree(dataDir, data);
    mkdirSync(cache);
    chownSync(cache, NOBODY, NOBODY);
    return { dataDir: data, cacheDir: cache, remove: () => rmSync(root, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

const NOBODY = 65534;

/** True when users other than the owner can traverse every directory from / down to `dir`. */
function traversableByOthers(dir: string): boolean {
  let d = resolve(dir);
  for (;;) {
    try { if ((statSync(d).mode & 0o001) === 0) return false; } catch { return false; }
    const up = dirname(d);
    if (up === d) return true;
    d = up;
  }
}

/** Mirrors `from` into a new `to`: directories 0755, files hard-linked when others may read them, else copied 0644. */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 });
  chmodSync(to, 0o755);
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) { copyTree(src, dst); continue; }
    if (!e.isFile() && !e.isSymbolicLink()) continue;
    let linked = false;
    if ((statSync(src).mode & 0o004) !== 0) {
      try { linkSync(src, dst); linked = true; } catch { /* another filesystem, or links not allowed: copy */ }
    }
    if (!linked) { copyFileSync(src, dst); chmodSync(dst, 0o644); }
  }
}

/**
 * Starts snmpsimd on a free UDP port of 127.0.0.1 and waits until `probeCommunity` answers a GET. `perEndpoint`
 * (snmpsimd's --v2c-arch) picks a recording by community and endpoint: `<community>/1.3.6.1.6.1.1.<i>.snmprec`
 * answers only on the i-th address, so each address can be a different box, and logs every request with it.
 */
export async function startSnmpsim(opts: { dataDir: string; workDir: string; probeCommunity: string; port?: number; addresses?: string[]; logFile?: string; perEndpoint?: boolean; onCrash?: (p: SupervisedProcess) => void }): Promise<SnmpsimInstance> {
  if (!existsSync(opts.dataDir)) throw new PartFailedError('snmpsimd', `did not start (no recordings at ${opts.dataDir})`, 'set NOCTUA_FIXTURES to the fixtures directory (the one holding snmprec/)');
  const port = opts.port ?? (await freeUdpPort());
  const asRoot = process.getuid?.() === 0;
  // As root snmpsimd refuses to run unless told to drop to another user; that user reads a staged copy.
  const staged = asRoot ? stageForNobody(opts.dataDir) : undefined;
  const dataDir = staged?.dataDir ?? opts.dataDir;
  const cacheDir = staged?.cacheDir ?? join(opts.workDir, 'snmpsim-cache');
  mkdirSync(cacheDir, { recursive: true });
  const args = [
    `--data-dir=${dataDir}`,
    // One endpoint per address, so each simulated device can sit on its own loopback address.
    ...(opts.addresses ?? ['127.0.0.1']).map((a) => `--agent-udpv4-endpoint=${a}:${port}`),
    `--cache-dir=${cacheDir}`,
    ...(opts.perEndpoint ? ['--v2c-arch'] : []),
    ...(asRoot ? ['--process-user=nobody', '--process-group=nogroup'] : []),
  ];
  const logFile = opts.logFile ?? join(opts.workDir, 'snmpsim.log');
  let proc: SupervisedProcess;
  try {
    proc = superviseProcess('snmpsimd', 'snmpsimd', args, { logFile, onCrash: (p) => opts.onCrash?.(p) });
  } catch (err) {
    staged?.remove();
    throw err;
  }
  const host = opts.addresses?.[0] ?? '127.0.0.1';
  try {
    await awaitReady(proc, () => waitFor(`an answer from snmpsimd on ${host}:${port}`, async () => {
      if (!proc.alive()) throw new GiveUpWaiting(`snmpsimd exited`);
      await snmpGetString(host, port, opts.probeCommunity, '1.3.6.1.2.1.1.5.0', 500);
      return true;
    }, 60_000, 250));
  } catch (err) {
    staged?.remove();
    throw err;
  }
  return {
    host, port, process: proc,
    async stop() {
      await proc.stop();
      staged?.remove();
    },
  };
}
