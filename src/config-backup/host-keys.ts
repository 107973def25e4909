import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../core/private-files.js';

/** One pinned host key: what the device offered the first time Noctua talked to it. */
export interface PinnedKey { fingerprint: string; algorithm: string; device: string; firstSeen: string }

/** OpenSSH's way of naming a key: SHA256: and the unpadded base64 of the key blob's SHA-256. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name at the start of an SSH key blob (a length-prefixed string). */
function keyAlgorithm(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const n = keyBlob.readUInt32BE(0);
  return n > 0 && n < 64 && keyBlob.length >= 4 + n ? keyBlob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/** The verdict on a key a device offered. */
export type KeyCheck =
  | { ok: true; pinnedNow: boolean }
  | { ok: false; pinned: PinnedKey; offered: string };

/**
 * Host keys pinned on first use (trust on first use), by `address:port` as OpenSSH's known_hosts does, kept in a
 * 0600 JSON file in the state directory. A key that differs from the pinned one is refused and the pin is kept:
 * only an operator (`noctua config-backup --forget-host-key DEVICE`) may drop it.
 */
export class HostKeyStore {
  private keys: Record<string, PinnedKey> | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  private async load(): Promise<Record<string, PinnedKey>> {
    if (this.keys) return this.keys;
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
      this.keys = parsed as Record<string, PinnedKey>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${this.file}: cannot read pinned host keys: ${(err as Error).message}`, { cause: err });
      this.keys = {};
    }
    return this.keys;
  }

  private save(): Promise<void> {
    // Sessions run at once; writes go one after another so none is lost.
    this.writes = this.writes.then(async () => {
      await ensurePrivateDir(dirname(this.file));
      await writePrivateFile(this.file, `${JSON.stringify(this.keys, null, 2)}\n`);
    });
    return this.writes;
  }

  /** Checks the key `address:port` offered; pins it when none is pinned yet. */
  async check(endpoint: string, device: string, keyBlob: Buffer, now = new Date()): Promise<KeyCheck> {
    const keys = await this.load();
    const offered = fingerprint(keyBlob);
    const pinned = keys[endpoint];
    if (pinned) return pinned.fingerprint === offered ? { ok: true, pinnedNow: false } : { ok: false, pinned, offered };
    keys[endpoint] = { fingerprint: offered, algorithm: keyAlgorithm(keyBlob), device, firstSeen: now.toISOString() };
    await this.save();
    return { ok: true, pinnedNow: true };
  }

  /** The pin of an endpoint, if any. */
  async get(endpoint: string): Promise<PinnedKey | undefined> {
    return (await this.load())[endpoint];
  }

  /** Drops the pin of an endpoint (the device was really replaced); true when there was one. */
  async forget(endpoint: string): Promise<boolean> {
    const keys = await this.load();
    if (!keys[endpoint]) return false;
    delete keys[endpoint];
    await this.save();
    return true;
  }
}

/** The key under which an endpoint is pinned; IPv6 addresses in brackets, as in known_hosts. */
export function endpointKey(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}
