import { join } from 'node:path';
import { HostKeyStore } from './host-keys.js';
import { ConfigStore, type BackupTrigger, type SaveResult } from './store.js';
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
export interface BackupRunner {
  store: ConfigStore;
  hostKeys: HostKeyStore;
  /** Backs the targets up; `onOutcome` hears each device as it finishes (job progress, change samples). */
  run(targets: readonly BackupTarget[], trigger: BackupTrigger, onOutcome?: (o: BackupOutcome, config?: string) => void): Promise<BackupOutcome[]>;
}

/**
 * Backs up devices with at most `concurrency` sessions at once. Each device is its own outcome: a wrong
 * password, a changed host key or a device that never shows a prompt fails that device only, and its bounded
 * timeouts free the slot for the others.
 */
export function createBackupRunner(opts: { stateDir: string; concurrency: number; limits: SessionLimits; warn?: (msg: string) => void; now?: () => Date }): BackupRunner {
  const paths = backupPaths(opts.stateDir);
  const store = new ConfigStore(paths.repo);
  const hostKeys = new HostKeyStore(paths.hostKeys);
  const warn = opts.warn ?? (() => {});

  async function one(target: BackupTarget, trigger: BackupTrigger): Promise<{ outcome: BackupOutcome; config?: string }> {
    const started = Date.now();
    let raw: string;
    try {
      raw = await readRunningConfig(target, hostKeys, opts.limits, warn);
    } catch (err) {
      const kind = err instanceof BackupError ? err.kind : 'connect';
      return { outcome: { device: target.device, ok: false, kind, error: (err as Error).message, ms: Date.now() - started } };
    }
    const config = normaliseConfig(raw, target.vendor);
    if (config.trim() === '') {
      return { outcome: { device: target.device, ok: false, kind: 'command', error: `${target.device}: the device returned an empty configuration; nothing stored`, ms: Date.now() - started } };
    }
    try {
      const result = await store.save(target.device, config, trigger, opts.now?.());
      return { outcome: { device: target.device, ok: true, result, ms: Date.now() - started }, config };
    } catch (err) {
      return { outcome: { device: target.device, ok: false, kind: 'store', error: `${target.device}: ${(err as Error).message}`, ms: Date.now() - started } };
    }
  }

  return {
    store, hostKeys,
    async run(targets, trigger, onOutcome) {
      await store.init();
      const out: BackupOutcome[] = new Array(targets.length);
      let next = 0;
      const worker = async () => {
        while (next < targets.length) {
          const i = next++;
          const r = await one(targets[i]!, trigger);
          out[i] = r.outcome;
          // A listener's mistake must not lose the other devices' outcomes.
          try { onOutcome?.(r.outcome, r.config); } catch (err) { warn(`config backup listener failed: ${(err as Error).message}`); }
        }
      };
      await Promise.all(Array.from({ length: Math.min(opts.concurrency, targets.length) }, worker));
      return out;
    },
  };
}
