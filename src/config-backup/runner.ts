import { join } from 'node:path';
import { HostKeyStore } from './host-keys.js';
import { ConfigStore, type SaveResult } from './store.js';
import { BackupError, readRunningConfig, type BackupFailure, type SessionLimits } from './session.js';
import type { BackupTarget } from './targets.js';
import { normaliseConfig } from './volatile.js';

/** What one device's backup came to. */
export type BackupOutcome =
  | { device: string; ok: true; result: SaveResult; ms: number }
  | { device: string; ok: false; kind: BackupFailure | 'store'; error: string; ms: number };

/** Where configuration backup keeps its files under the state directory. */
export function backupPaths(stateDir: string): { repo: string; hostKeys: string } {
  return { repo: join(stateDir, 'config-backup', 'repo'), hostKeys: join(stateDir, 'config-backup', 'known-hosts.json') };
}

/** Everything a backup run needs, built once. */
export interface BackupRunner { store: ConfigStore; hostKeys: HostKeyStore; run(targets: readonly BackupTarget[], trigger: { by: string; reason: string }): Promise<BackupOutcome[]> }

/**
 * Backs up devices with at most `concurrency` sessions at once. Each device is its own outcome: a wrong
 * password, a changed host key or a device that never shows a prompt fails that device only, and its bounded
 * timeouts free the slot for the others.
 */
export function createBackupRunner(opts: { stateDir: string; concurrency: number; limits: SessionLimits; warn?: (msg: string) => void }): BackupRunner {
  const paths = backupPaths(opts.stateDir);
  const store = new ConfigStore(paths.repo);
  const hostKeys = new HostKeyStore(paths.hostKeys);
  const warn = opts.warn ?? (() => {});

  async function one(target: BackupTarget, trigger: { by: string; reason: string }): Promise<BackupOutcome> {
    const started = Date.now();
    let raw: string;
    try {
      raw = await readRunningConfig(target, hostKeys, opts.limits, warn);
    } catch (err) {
      const kind = err instanceof BackupError ? err.kind : 'connect';
      return { device: target.device, ok: false, kind, error: (err as Error).message, ms: Date.now() - started };
    }
    const config = normaliseConfig(raw, target.vendor);
    if (config.trim() === '') {
      return { device: target.device, ok: false, kind: 'command', error: `${target.device}: the device returned an empty configuration; nothing stored`, ms: Date.now() - started };
    }
    try {
      const result = await store.save(target.device, config, trigger);
      return { device: target.device, ok: true, result, ms: Date.now() - started };
    } catch (err) {
      return { device: target.device, ok: false, kind: 'store', error: `${target.device}: ${(err as Error).message}`, ms: Date.now() - started };
    }
  }

  return {
    store, hostKeys,
    async run(targets, trigger) {
      await store.init();
      const out: BackupOutcome[] = new Array(targets.length);
      let next = 0;
      const worker = async () => {
        while (next < targets.length) {
          const i = next++;
          out[i] = await one(targets[i]!, trigger);
        }
      };
      await Promise.all(Array.from({ length: Math.min(opts.concurrency, targets.length) }, worker));
      return out;
    },
  };
}
