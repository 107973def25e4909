import cron from 'node-cron';
import { z } from 'zod';
import { durationSchema } from '../duration.js';
import { secret } from '../secret.js';

/** Names a vendor command set (a file in src/config-backup/vendors or configBackup.vendorsDir). */
const platformName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a command set name such as huawei-vrp or cisco-ios');

/**
 * `ssh:` of a device, a site's defaults or the file-wide defaults in devices.yaml: every key optional, the most
 * specific level wins key by key; `ssh: false` leaves the device out of configuration backup.
 */
export const sshPartialSchema = z.strictObject({
  /** The vendor command set: huawei-vrp, h3c-comware, ruijie-rgos, cisco-ios, cisco-nxos, juniper-junos, fortios, generic. */
  platform: platformName.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1).max(64).optional(),
  /** Write it as `${ENV_NAME}` so the secret stays out of the file. */
  password: secret(z.string().min(1).max(256)).optional(),
  /** The enable secret (Cisco, Ruijie), sent when the CLI starts unprivileged. */
  enableSecret: secret(z.string().min(1).max(256)).optional(),
});
export type SshPartial = z.output<typeof sshPartialSchema>;

/** SSH settings of one device after its levels are merged: what a backup session needs. */
export const sshSettingsSchema = z.strictObject({
  platform: platformName,
  port: z.number().int(),
  user: z.string({ error: 'required for configuration backup (expected the SSH user name)' }).min(1),
  password: secret(z.string({ error: 'required for configuration backup (write it as ${ENV_NAME})' }).min(1)),
  enableSecret: secret(z.string()).optional(),
});
export type SshSettings = z.output<typeof sshSettingsSchema>;

/** `configBackup:` in noctua.yaml: how running configurations are collected over SSH and kept. */
export const configBackupSectionSchema = z.strictObject({
  /** Backup sessions open at the same time across the fleet. */
  concurrency: z.number().int().min(1).max(256).default(8),
  /** Time to set up the TCP connection and SSH handshake, authentication included. */
  connectTimeout: durationSchema.default(15_000),
  /** Longest wait for a prompt or more output after a command; a silent device is given up after this. */
  idleTimeout: durationSchema.default(30_000),
  /** Longest a whole session may take (login, every command, logout); a hung session is cut then. */
  sessionTimeout: durationSchema.default(300_000),
  /** Extra vendor command sets (*.yaml) that add to or replace the shipped ones by name. */
  vendorsDir: z.string().min(1).optional(),
  /** When every device is backed up on its own (cron, in noctua.yaml `timezone`); `false` for on demand and triggers only. */
  schedule: z.union([
    z.string().refine((e) => cron.validate(e), 'expected a cron expression such as "30 2 * * *" (daily at 02:30)'),
    z.literal(false),
  ]).default('30 2 * * *'),
  /** A device that reports a configuration change (trap or syslog of catalog type `config-change`) is backed up after `debounce`. */
  onConfigChange: z.strictObject({
    enabled: z.boolean().default(true),
    /** Quiet time after the last change report before the backup runs, so a burst of edits makes one version. */
    debounce: durationSchema.default(120_000),
  }).prefault({}),
  /** An incident whose device (or its parent) changed configuration this long before it opened shows the change. */
  correlationWindow: durationSchema.default(3_600_000),
  /** Compliance rules of your own (YAML, relative to the config directory), added to the shipped ones or replacing them by id. */
  compliance: z.string().min(1).optional(),
});
export type ConfigBackupSection = z.output<typeof configBackupSectionSchema>;
