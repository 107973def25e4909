import type { ConfigChangeRef } from '../../config-backup/changes.js';
import type { DeviceCompliance } from '../../config-backup/compliance.js';
import type { BackupJob } from '../../config-backup/jobs.js';
import type { BackupTrigger, VersionRecord } from '../../config-backup/store.js';
import type { Awaitable } from './awaitable.js';

export type { BackupJob, ConfigChangeRef, DeviceCompliance, VersionRecord };

/** Configuration backup as the API reads and acts on it: jobs, stored versions and diffs, changes, compliance. */
export interface ConfigBackupService {
  /** Devices with ssh settings (the ones that can be backed up). */
  deviceNames(): string[];
  /** The device's vendor secret keywords, masked in what non-admins see besides the common ones. */
  secretKeywords(device: string): readonly string[];
  /** Queues a backup of the devices (all when none are named); unknown names come back and nothing is queued. */
  startJob(devices: readonly string[] | undefined, trigger: BackupTrigger): { job: BackupJob } | { unknown: string[] };
  job(id: string): BackupJob | undefined;
  /** A device's versions, newest first, with what triggered each and who asked. */
  versions(device: string): Awaitable<VersionRecord[]>;
  /** A device's configuration at a version (a full commit id from `versions`). */
  read(device: string, commit: string): Awaitable<string>;
  /** The unified diff of a device's configuration between two versions (by default the one before `to`, and the newest). */
  diff(device: string, range: { from?: string; to?: string }): Awaitable<string>;
  /** Changes of the device or its parent within the correlation window before `at`, newest first. */
  changesBefore(device: string, at: Date): ConfigChangeRef[];
  /** The latest compliance result per device. */
  compliance(): DeviceCompliance[];
}
