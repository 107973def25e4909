import { z } from 'zod';
import { influxSectionSchema } from './sections/influx.js';
import { apiSectionSchema } from './sections/api.js';
import { authSectionSchema } from './sections/auth.js';
import { schedulerSectionSchema } from './sections/scheduler.js';
import { clusterSectionSchema } from './sections/cluster.js';
import { stateSectionSchema } from './sections/state.js';
import { eventsSectionSchema } from './sections/events.js';
import { reportScheduleSchema } from './sections/reports.js';
import { configBackupSectionSchema } from './sections/config-backup.js';
import { serviceSectionSchema } from './sections/service.js';
import { topologySectionSchema } from './sections/topology.js';
import { discoverySectionSchema } from './sections/discovery.js';
import { LANGS } from './lang.js';

function validTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}

/** The whole `noctua.yaml`: process-wide settings. The inventory lives in devices.yaml. */
export const noctuaFileSchema = z.strictObject({
  /** Where the spool, the alert database, reports and lab data live. Relative paths are relative to the config directory's parent. */
  stateDir: z.string().min(1).default('var/state'),
  /** Where the incident state lives durably: the local SQLite file (default) or PostgreSQL (docs/SCALE.md). */
  state: stateSectionSchema.prefault({}),
  timezone: z.string().refine(validTimeZone, { message: 'expected an IANA time zone such as Asia/Shanghai or UTC' }).default('UTC'),
  locale: z.enum(LANGS).default('en'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  influx: influxSectionSchema.prefault({}),
  api: apiSectionSchema.prefault({}),
  /** People's logins (local users, sessions, lockout) and the audit trail (docs/CONSOLE.md). */
  auth: authSectionSchema.prefault({}),
  scheduler: schedulerSectionSchema.prefault({}),
  /** The weekly and monthly inspection reports generated on their own. */
  reports: reportScheduleSchema.prefault({}),
  /** Several pollers and a core sharing one inventory through Redis (docs/SCALE.md); standalone by default. */
  cluster: clusterSectionSchema.prefault({}),
  /** SNMP traps and syslog heard by Noctua (docs/EVENTS.md); both receivers are off by default. */
  events: eventsSectionSchema.prefault({}),
  /** Running configurations collected over SSH into a git repository (docs/CONFIG-BACKUP.md). */
  configBackup: configBackupSectionSchema.prefault({}),
  /** Problem records and the knowledge base (docs/SERVICE.md). */
  service: serviceSectionSchema.prefault({}),
  /** LLDP/CDP topology: the root derived parents point toward, when a missing link is lost (docs/TOPOLOGY.md). */
  topology: topologySectionSchema.prefault({}),
  /** Finding devices: ranges swept, credentials tried, how fast, how often (docs/DISCOVERY.md); off unless ranges are given. */
  discovery: discoverySectionSchema.prefault({}),
});
export type NoctuaSettings = z.output<typeof noctuaFileSchema>;
