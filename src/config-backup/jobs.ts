import { randomUUID } from 'node:crypto';
import type { BackupOutcome } from './runner.js';
import type { BackupTrigger } from './store.js';

/** One device's place in a job. */
export interface JobDevice {
  device: string;
  state: 'pending' | 'ok' | 'failed';
  /** ok: `unchanged`, `first`, `changed`; failed: the failure kind (auth, timeout, host-key-changed, ...). */
  result?: string;
  commit?: string;
  added?: number;
  removed?: number;
  error?: string;
  ms?: number;
}

/** A backup job: queued until the one before it finishes, then running, then done. */
export interface BackupJob {
  id: string;
  state: 'queued' | 'running' | 'done';
  trigger: BackupTrigger;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  devices: JobDevice[];
}

/** Jobs kept for `GET .../jobs/:id` after they finished. */
const KEEP_FINISHED = 200;

/** Records jobs and their per-device progress; the oldest finished ones are forgotten past {@link KEEP_FINISHED}. */
export class JobBook {
  private readonly jobs = new Map<string, BackupJob>();

  constructor(private readonly now: () => Date) {}

  /** A new queued job over these devices. */
  create(devices: readonly string[], trigger: BackupTrigger): BackupJob {
    const job: BackupJob = { id: randomUUID(), state: 'queued', trigger, createdAt: this.now(), devices: devices.map((device) => ({ device, state: 'pending' })) };
    this.jobs.set(job.id, job);
    this.prune();
    return job;
  }

  get(id: string): BackupJob | undefined { return this.jobs.get(id); }

  /** Every job, newest first. */
  list(): BackupJob[] { return [...this.jobs.values()].reverse(); }

  started(job: BackupJob): void { job.state = 'running'; job.startedAt = this.now(); }

  finished(job: BackupJob): void {
    job.state = 'done'; job.finishedAt = this.now();
    // A device the run never reached (its target vanished on reload) is reported, not left pending for ever.
    for (const d of job.devices) if (d.state === 'pending') Object.assign(d, { state: 'failed', result: 'skipped', error: 'no longer has ssh settings in devices.yaml' });
  }

  /** Records one device's outcome in the job. */
  record(job: BackupJob, o: BackupOutcome): void {
    const d = job.devices.find((x) => x.device === o.device);
    if (!d) return;
    if (o.ok) {
      const r = o.result;
      Object.assign(d, { state: 'ok', ms: o.ms, result: !r.changed ? 'unchanged' : r.first ? 'first' : 'changed' },
        r.changed ? { commit: r.commit, added: r.added, removed: r.removed } : {});
    } else Object.assign(d, { state: 'failed', result: o.kind, error: o.error, ms: o.ms });
  }

  private prune(): void {
    const done = [...this.jobs.values()].filter((j) => j.state === 'done');
    for (const j of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.jobs.delete(j.id);
  }
}
