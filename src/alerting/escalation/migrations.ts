/**
 * Tables of the escalation module (migrate module "escalation"), in order; append, never edit, once released.
 * Escalation state is kept as facts (when the incident opened, which steps fired how often) so that the
 * clocks are recomputed after a restart instead of living in timers.
 */
export const ESCALATION_MIGRATIONS: readonly string[] = [
  `CREATE TABLE escalation_incidents (
    incident_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL,
    opened_at INTEGER NOT NULL, acknowledged_at INTEGER, resolved_at INTEGER, held INTEGER NOT NULL DEFAULT 0,
    snapshot TEXT NOT NULL, updated_at INTEGER NOT NULL
  )`,
  'CREATE INDEX escalation_incidents_state ON escalation_incidents (state)',
  // Steps are counted by position, not per severity: a severity change must not page the first tier again.
  `CREATE TABLE escalation_steps (
    incident_id TEXT NOT NULL, step INTEGER NOT NULL, fired INTEGER NOT NULL, last_fired_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, step)
  )`,
  `CREATE TABLE escalation_paged (
    incident_id TEXT NOT NULL, channel TEXT NOT NULL, recipients TEXT NOT NULL, first_paged_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, channel)
  )`,
  `CREATE TABLE escalation_reminders (
    incident_id TEXT NOT NULL, deadline TEXT NOT NULL, sent_at INTEGER NOT NULL, PRIMARY KEY (incident_id, deadline)
  )`,
  `CREATE TABLE sla_records (
    incident_id TEXT PRIMARY KEY, title TEXT NOT NULL, severity TEXT NOT NULL, device TEXT, site TEXT,
    opened_at INTEGER NOT NULL, acknowledged_at INTEGER, acknowledged_by TEXT, resolved_at INTEGER,
    respond_target_ms INTEGER NOT NULL, resolve_target_ms INTEGER NOT NULL,
    response_ms INTEGER, responded_by TEXT, resolution_ms INTEGER, paged INTEGER NOT NULL DEFAULT 0
  )`,
  'CREATE INDEX sla_records_opened ON sla_records (opened_at)',
  // Service calendars: the calendar the clocks ran in, the deadlines in wall time (NULL while a pause stops the clock).
  `ALTER TABLE sla_records ADD COLUMN calendar TEXT NOT NULL DEFAULT '7x24'`,
  'ALTER TABLE sla_records ADD COLUMN respond_by INTEGER',
  'ALTER TABLE sla_records ADD COLUMN resolve_by INTEGER',
  'ALTER TABLE sla_records ADD COLUMN paused_ms INTEGER NOT NULL DEFAULT 0',
  'UPDATE sla_records SET respond_by = opened_at + respond_target_ms, resolve_by = opened_at + resolve_target_ms',
  // Clock pauses set by people (waiting for the customer, ...); an open pause has no end yet.
  `CREATE TABLE sla_pauses (
    pause_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, reason TEXT NOT NULL, note TEXT,
    started_at INTEGER NOT NULL, started_by TEXT NOT NULL, ended_at INTEGER, ended_by TEXT
  )`,
  'CREATE INDEX sla_pauses_incident ON sla_pauses (incident_id, started_at)',
];
