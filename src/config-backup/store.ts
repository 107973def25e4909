import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../core/private-files.js';

/** One stored version of a device's configuration. */
export interface ConfigVersion { commit: string; time: string; subject: string }

/** Why a backup ran and who asked: written into each commit's body. */
export interface BackupTrigger {
  /** Who asked: a user, an API token's name, `schedule`, or the device that reported a change. */
  by: string;
  /** What happened, in words: `on demand: noctua config-backup`, `configuration change reported: ...`. */
  reason: string;
  /** What started it, for tags and filters. */
  kind?: TriggerKind;
}

/** What starts a backup. */
export type TriggerKind = 'cli' | 'api' | 'schedule' | 'config-change';

/** A stored version with what its commit records: line counts, trigger and who asked. */
export interface VersionRecord extends ConfigVersion {
  device: string;
  added: number;
  removed: number;
  first: boolean;
  trigger: string;
  kind?: TriggerKind;
  by: string;
}

const TRIGGER_KINDS: readonly TriggerKind[] = ['cli', 'api', 'schedule', 'config-change'];

/** Reads a commit body written by {@link ConfigStore.save}; older commits without `Lines:` take the counts from the subject. */
function parseRecord(commit: string, time: string, subject: string, body: string): VersionRecord {
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(body)?.[1]?.trim();
  const lines = /^\+(\d+) -(\d+)/.exec(field('Lines') ?? '') ?? / \+(\d+) -(\d+) lines$/.exec(subject);
  const kind = field('Kind') as TriggerKind | undefined;
  return {
    commit, time, subject, device: field('Device') ?? '', added: Number(lines?.[1] ?? 0), removed: Number(lines?.[2] ?? 0),
    first: subject.endsWith(': first backup'), trigger: field('Trigger') ?? '', by: field('By') ?? '',
    kind: kind && TRIGGER_KINDS.includes(kind) ? kind : undefined,
  };
}

/** What a save did: a new version (with its line counts) or nothing, because the configuration was unchanged. */
export type SaveResult = { changed: false } | { changed: true; commit: string; added: number; removed: number; first: boolean };

/** A commit id as the user may write it; anything else is refused before it reaches git's command line. */
const REVISION = /^[0-9a-f]{4,40}$/;

/** The file a device's configuration is kept in: its name, with anything outside [A-Za-z0-9._-] escaped, and `.cfg`. */
export function deviceFileName(device: string): string {
  const safe = device.replace(/[^A-Za-z0-9_-]|^\./g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\./g, '%2e');
  return `${safe}.cfg`;
}

/**
 * The versioned store: one git repository (system `git`) under the state directory, one file per device, one
 * commit per change naming the device, the trigger and who asked. Commits go one at a time (git's index is one).
 */
export class ConfigStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  private git(args: readonly string[], okCodes: readonly number[] = [0], at?: Date): Promise<{ code: number; stdout: string }> {
    return new Promise((resolve, reject) => {
      // No user or system git config, no hooks, no signing: the store behaves the same on every machine.
      const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
      // A commit carries the time of the backup as Noctua's clock reads it (tests run on an injected clock).
      if (at) env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = `@${Math.floor(at.getTime() / 1000)} +0000`;
      const all = ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', '-c', 'core.sharedRepository=0600', '-c', 'user.name=Noctua', '-c', 'user.email=noctua@localhost', ...args];
      execFile('git', all, { cwd: this.dir, env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : -1) : 0;
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('config backup needs git: apt-get install git', { cause: err }));
        if (!okCodes.includes(code)) return reject(new Error(`git ${args.join(' ')} in ${this.dir}: ${stderr.trim() || (err as Error).message}`, { cause: err }));
        resolve({ code, stdout });
      });
    });
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Creates the repository (0700, files 0600) when it is not there yet. */
  async init(): Promise<void> {
    await ensurePrivateDir(this.dir);
    if (!existsSync(join(this.dir, '.git'))) await this.git(['init', '-q', '-b', 'main']);
  }

  /** Stores a device's configuration; commits only when it differs from the last version. */
  save(device: string, config: string, trigger: BackupTrigger, at?: Date): Promise<SaveResult> {
    return this.serial(async () => {
      await this.init();
      const file = deviceFileName(device);
      const first = (await this.git(['ls-files', '--', file])).stdout.trim() === '';
      await writePrivateFile(join(this.dir, file), config);
      await this.git(['add', '--', file]);
      const { code } = await this.git(['diff', '--cached', '--quiet', '--', file], [0, 1]);
      if (code === 0) return { changed: false } as const;
      const stat = (await this.git(['diff', '--cached', '--numstat', '--', file])).stdout.trim().split(/\s+/);
      const added = Number(stat[0]) || 0;
      const removed = Number(stat[1]) || 0;
      const subject = `${device}: ${first ? 'first backup' : `+${added} -${removed} lines`}`;
      // One line each: a reason or a name with a line break must not forge another field.
      const one = (v: string) => v.replace(/[\r\n]+/g, ' ').slice(0, 500);
      const body = `Device: ${device}\nTrigger: ${one(trigger.reason)}\nBy: ${one(trigger.by)}${trigger.kind ? `\nKind: ${trigger.kind}` : ''}\nLines: +${added} -${removed}`;
      await this.git(['commit', '-q', '-m', subject, '-m', body, '--', file], [0], at);
      const commit = (await this.git(['rev-parse', 'HEAD'])).stdout.trim();
      return { changed: true, commit, added, removed, first };
    });
  }

  /** The versions of a device, newest first. */
  async versions(device: string): Promise<ConfigVersion[]> {
    if (!existsSync(join(this.dir, '.git'))) return [];
    // A repository made by a run whose backups all failed has no commit yet.
    if ((await this.git(['rev-parse', '--verify', '-q', 'HEAD'], [0, 1])).code !== 0) return [];
    const { stdout } = await this.git(['log', '--format=%H%x09%aI%x09%s', '--', deviceFileName(device)]);
    return stdout.split('\n').filter(Boolean).map((l) => {
      const [commit, time, subject] = l.split('\t');
      return { commit: commit!, time: time!, subject: subject ?? '' };
    });
  }

  /** The versions of a device with what their commits record, newest first; only those since `since` when given. */
  async history(device?: string, since?: Date): Promise<VersionRecord[]> {
    if (!existsSync(join(this.dir, '.git'))) return [];
    if ((await this.git(['rev-parse', '--verify', '-q', 'HEAD'], [0, 1])).code !== 0) return [];
    const args = ['log', '--format=%H%x1f%aI%x1f%s%x1f%b%x1e'];
    if (since) args.push(`--since=@${Math.floor(since.getTime() / 1000)}`);
    if (device !== undefined) args.push('--', deviceFileName(device));
    const { stdout } = await this.git(args);
    return stdout.split('\x1e').map((r) => r.replace(/^\n/, '')).filter((r) => r.trim() !== '').map((r) => {
      const [commit, time, subject, body] = r.split('\x1f');
      return parseRecord(commit!, time!, subject ?? '', body ?? '');
    });
  }

  /** The configuration of a device at a version (the newest when none is given). */
  async read(device: string, commit?: string): Promise<string> {
    const rev = commit ? this.revision(commit, 'version') : 'HEAD';
    return (await this.git(['show', `${rev}:${deviceFileName(device)}`])).stdout;
  }

  /**
   * The unified diff of a device's configuration between two versions; by default the previous and the newest.
   * Empty when the device has fewer than two versions and none are named.
   */
  async diff(device: string, range: { from?: string; to?: string } = {}): Promise<string> {
    const versions = await this.versions(device);
    if (versions.length === 0) throw new Error(`no stored configuration for device "${device}"`);
    const to = range.to ? this.revision(range.to, '--to') : versions[0]!.commit;
    let from: string;
    if (range.from) from = this.revision(range.from, '--from');
    else {
      const toIndex = versions.findIndex((v) => v.commit.startsWith(to));
      const prev = versions[toIndex + 1];
      if (toIndex < 0 || !prev) return '';
      from = prev.commit;
    }
    return (await this.git(['diff', '--no-color', '--no-ext-diff', from, to, '--', deviceFileName(device)])).stdout;
  }

  private revision(rev: string, what: string): string {
    if (!REVISION.test(rev)) throw new Error(`${what}: expected a version id (4 to 40 hex digits, as \`noctua config-diff DEVICE --list\` prints), got ${JSON.stringify(rev.slice(0, 60))}`);
    return rev;
  }
}
