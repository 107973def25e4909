import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snmp from 'net-snmp';
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

/** Starts snmpsimd on a free UDP port of 127.0.0.1 and waits until `probeCommunity` answers a GET. */
export async function startSnmpsim(opts: { dataDir: string; workDir: string; probeCommunity: string; port?: number; addresses?: string[]; logFile?: string; onCrash?: (p: SupervisedProcess) => void }): Promise<SnmpsimInstance> {
  const port = opts.port ?? (await freeUdpPort());
  const asRoot = process.getuid?.() === 0;
  // As root snmpsimd drops to nobody, who cannot enter a 0700 work dir (mkdtemp's): keep its cache in a
  // directory of its own under the system temp dir, which everyone can traverse.
  const cacheDir = asRoot ? mkdtempSync(join(tmpdir(), 'noctua-snmpsim-cache-')) : join(opts.workDir, 'snmpsim-cache');
  mkdirSync(cacheDir, { recursive: true });
  const args = [
    `--data-dir=${opts.dataDir}`,
    // One endpoint per address, so each simulated device can sit on its own loopback address.
    ...(opts.addresses ?? ['127.0.0.1']).map((a) => `--agent-udpv4-endpoint=${a}:${port}`),
    `--cache-dir=${cacheDir}`,
  ];
  if (asRoot) {
    // snmpsimd refuses to run as root; it drops to nobody, who must be able to write the cache.
    chmodSync(cacheDir, 0o755);
    chownSync(cacheDir, 65534, 65534);
    args.push('--process-user=nobody', '--process-group=nogroup');
  }
  const logFile = opts.logFile ?? join(opts.workDir, 'snmpsim.log');
  const proc = superviseProcess('snmpsimd', 'snmpsimd', args, { logFile, onCrash: (p) => opts.onCrash?.(p) });
  const host = opts.addresses?.[0] ?? '127.0.0.1';
  await waitFor(`snmpsimd on ${host}:${port} (log: ${logFile})`, async () => {
    if (!proc.alive()) throw new GiveUpWaiting(`snmpsimd exited:\n${proc.tail()}`);
    await snmpGetString(host, port, opts.probeCommunity, '1.3.6.1.2.1.1.5.0', 500);
    return true;
  }, 60_000, 250);
  return {
    host, port, process: proc,
    async stop() {
      await proc.stop();
      if (asRoot) rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
