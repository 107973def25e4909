import type { Clock } from '../core/clock.js';
import type { Db } from '../core/database.js';
import { migrate, whenDurable } from '../core/database.js';
import type { Logger } from '../core/log.js';
import type { Notice } from './escalation/notice.js';
import { redactUrlsIn } from './notifiers/http.js';
import type { Notifier, SendResult } from './notifiers/notifier.js';

/** How the retry stage behaves; notify.yaml `outbox:`. */
export interface OutboxSettings {
  giveUpAfter: number;
  initialBackoff: number;
  maxBackoff: number;
  concurrency: number;
}

/** A notice that was given up on, with the reason and the receiver's last answer. */
export interface FailedNotice {
  id: string;
  channel: string;
  kind: string;
  incidentId: string;
  attempts: number;
  createdAt: Date;
  failedAt: Date;
  reason: string;
  lastStatus?: number;
  response?: string;
}

/** One notice of an incident as the outbox holds it: where it went, for which tier, and how delivery went. */
export interface IncidentNotice {
  id: string;
  channel: string;
  kind: string;
  tier?: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  createdAt: Date;
  sentAt?: Date;
  lastError?: string;
  lastStatus?: number;
}

/** Counts for self metrics (`noctua_self` outbox_pending / outbox_failed) and the API. */
export interface OutboxStats { pending: number; failed: number; sent: number; oldestPendingAt?: Date }

const MIGRATIONS = [
  `CREATE TABLE outbox_notices (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, kind TEXT NOT NULL, incident_id TEXT NOT NULL, notice TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, give_up_at INTEGER NOT NULL,
    last_attempt_at INTEGER, last_error TEXT, last_status INTEGER, response TEXT, sent_at INTEGER, failed_at INTEGER
  )`,
  'CREATE INDEX outbox_due ON outbox_notices (status, next_attempt_at)',
  // Write order, for delivering one incident's notices to a channel in the order they were written. A column of its own,
  // because SQLite may renumber the implicit rowid of a table without an INTEGER PRIMARY KEY on VACUUM.
  'ALTER TABLE outbox_notices ADD COLUMN seq INTEGER',
  'UPDATE outbox_notices SET seq = rowid',
  'CREATE INDEX outbox_seq ON outbox_notices (seq)',
  'CREATE INDEX outbox_incident_order ON outbox_notices (channel, incident_id, status, seq)',
  // One incident's notices for the console's timeline, without scanning every channel.
  'CREATE INDEX outbox_incident ON outbox_notices (incident_id, seq)',
];

/**
 * A pending notice may be attempted only when no earlier notice of the same incident to the same channel is still
 * pending: "recovered" never overtakes "down" that is backing off. Sent and failed (given up, or refused for good)
 * notices do not hold later ones back; other incidents and other channels are never held back.
 */
const FIRST_IN_LINE = `NOT EXISTS (SELECT 1 FROM outbox_notices e WHERE e.channel = o.channel AND e.incident_id = o.incident_id
  AND e.status = 'pending' AND e.seq < o.seq)`;

interface Row {
  id: string; channel: string; kind: string; incident_id: string; notice: string; status: string; attempts: number;
  created_at: number; next_attempt_at: number; give_up_at: number; seq: number; last_error: string | null; last_status: number | null;
  response: string | null; failed_at: number | null;
}

/** Most notices looked at per wave; the rest wait for the next wave, which starts at once. */
const WAVE = 200;
/** Bound on waves per pump so a flood cannot keep the pump from yielding; the timer picks up the rest. */
const MAX_WAVES = 100;
/** Longest the pump sleeps even when nothing is due, so a clock jump cannot strand a notice. */
const MAX_SLEEP = 60_000;

/**
 * The durable outbox and the single retry stage. Every notice is written here (in the caller's
 * transaction) before any attempt to send it; the pump sends due notices, one at a time per channel, and
 * one incident's notices to a channel in the order they were written (a later one waits behind an earlier
 * one that is backing off), and records every outcome. Retry timing and write order are stored,
 * so a restarted process resumes exactly where the last one stopped.
 */
export class Outbox {
  private timer?: { cancel(): void };
  private running?: Promise<void>;
  private again = false;
  private started = false;
  private readonly inFlight = new Set<AbortController>();
  /** Send times per channel in the last minute; rate limits are per robot, as the services count them. */
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly opts: {
    db: Db; clock: Clock; log: Logger; notifiers: ReadonlyMap<string, Notifier>; settings: OutboxSettings;
    /** Jitter source, replaceable in tests; [0, 1). */
    random?: () => number;
  }) {
    migrate(opts.db, 'outbox', MIGRATIONS);
  }

  /** Writes a notice to the outbox; false when a notice with the same idempotency key is already there. */
  enqueue(notice: Notice): boolean {
    const now = this.opts.clock.ms();
    const r = this.opts.db.prepare(`INSERT OR IGNORE INTO outbox_notices (id, channel, kind, incident_id, notice, status, created_at, next_attempt_at, give_up_at, seq)
      SELECT ?, ?, ?, ?, ?, 'pending', ?, ?, ?, COALESCE(MAX(seq), 0) + 1 FROM outbox_notices`).run(notice.id, notice.channel, notice.kind, notice.incident.id, JSON.stringify(notice), now, now, now + this.opts.settings.giveUpAfter);
    if (r.changes > 0 && this.started) this.kick();
    return r.changes > 0;
  }

  /** Starts sending: whatever was pending before a restart goes first, at its stored retry time. */
  start(): void {
    this.started = true;
    this.kick();
  }

  /** Stops sending: cancels the timer, aborts requests in flight (they stay pending) and waits for the pump. */
  async stop(): Promise<void> {
    this.started = false;
    this.timer?.cancel();
    this.timer = undefined;
    for (const c of this.inFlight) c.abort(new Error('outbox stopping'));
    await this.running;
  }

  /** Runs the pump soon (after the current one, if one is running). */
  kick(): void {
    if (!this.started) return;
    if (this.running) { this.again = true; return; }
    // Started after the current synchronous work, so a notice enqueued inside a transaction is committed before it is sent.
    this.running = Promise.resolve().then(() => this.pump()).finally(() => {
      this.running = undefined;
      if (this.again && this.started) { this.again = false; this.kick(); }
    });
  }

  /** Sends everything due now and waits until done (shutdown, tests, the API's "retry now"). */
  async flush(): Promise<void> {
    for (let i = 0; i < 10 && (this.running || this.again); i++) await this.running;
    if (!this.started) return;
    this.kick();
    await this.running;
    for (let i = 0; i < 10 && (this.running || this.again); i++) await this.running;
  }

  /** Pending, failed and sent counts. */
  stats(): OutboxStats {
    const rows = this.opts.db.prepare('SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_notices GROUP BY status').all() as { status: string; n: number; oldest: number }[];
    const get = (s: string) => rows.find((r) => r.status === s);
    const pending = get('pending');
    return { pending: pending?.n ?? 0, failed: get('failed')?.n ?? 0, sent: get('sent')?.n ?? 0, oldestPendingAt: pending ? new Date(pending.oldest) : undefined };
  }

  /** Notices given up on, newest first, with reasons and the receivers' answers. */
  failed(limit = 100): FailedNotice[] {
    const rows = this.opts.db.prepare(`SELECT * FROM outbox_notices WHERE status = 'failed' ORDER BY failed_at DESC, id LIMIT ?`).all(limit) as Row[];
    return rows.map((r) => ({
      id: r.id, channel: r.channel, kind: r.kind, incidentId: r.incident_id, attempts: r.attempts,
      createdAt: new Date(r.created_at), failedAt: new Date(r.failed_at ?? r.created_at), reason: r.last_error ?? 'unknown',
      lastStatus: r.last_status ?? undefined, response: r.response ?? undefined,
    }));
  }

  /** Every notice written for one incident, in write order (the console's timeline). */
  forIncident(incidentId: string, limit = 500): IncidentNotice[] {
    const rows = this.opts.db.prepare('SELECT * FROM outbox_notices WHERE incident_id = ? ORDER BY seq LIMIT ?').all(incidentId, limit) as (Row & { sent_at: number | null })[];
    return rows.map((r) => {
      let tier: string | undefined;
      try { tier = (JSON.parse(r.notice) as Partial<Notice>).tier; } catch { tier = undefined; }
      return {
        id: r.id, channel: r.channel, kind: r.kind, tier, status: r.status as IncidentNotice['status'], attempts: r.attempts,
        createdAt: new Date(r.created_at), sentAt: r.sent_at === null ? undefined : new Date(r.sent_at),
        lastError: r.last_error ?? undefined, lastStatus: r.last_status ?? undefined,
      };
    });
  }

  /** Puts a failed notice back in the queue with a fresh give-up time (an operator fixed the receiver). */
  retry(id: string): boolean {
    const now = this.opts.clock.ms();
    const r = this.opts.db.prepare(`UPDATE outbox_notices SET status = 'pending', next_attempt_at = ?, give_up_at = ?, failed_at = NULL WHERE id = ? AND status = 'failed'`)
      .run(now, now + this.opts.settings.giveUpAfter, id);
    if (r.changes > 0) this.kick();
    return r.changes > 0;
  }

  /** The state of one notice, for tests and the API. */
  status(id: string): { status: string; attempts: number; lastError?: string; lastStatus?: number; response?: string; nextAttemptAt: Date } | undefined {
    const r = this.opts.db.prepare('SELECT * FROM outbox_notices WHERE id = ?').get(id) as Row | undefined;
    return r && { status: r.status, attempts: r.attempts, lastError: r.last_error ?? undefined, lastStatus: r.last_status ?? undefined, response: r.response ?? undefined, nextAttemptAt: new Date(r.next_attempt_at) };
  }

  private async pump(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    const { db, clock } = this.opts;
    for (let wave = 0; wave < MAX_WAVES && this.started; wave++) {
      const now = clock.ms();
      const due = db.prepare(`SELECT * FROM outbox_notices o WHERE status = 'pending' AND next_attempt_at <= ? AND ${FIRST_IN_LINE}
        ORDER BY next_attempt_at, seq LIMIT ?`).all(now, WAVE) as Row[];
      // Head of line per channel: one at a time per channel, oldest due first.
      const heads = new Map<string, Row>();
      for (const r of due) if (!heads.has(r.channel)) heads.set(r.channel, r);
      const batch: Row[] = [];
      for (const row of heads.values()) {
        const notifier = this.opts.notifiers.get(row.channel);
        if (!notifier) {
          this.fail(row, now, `channel "${row.channel}" is no longer configured in notify.yaml`);
          continue;
        }
        const wait = this.rateWait(notifier, now);
        if (wait > 0) {
          db.prepare('UPDATE outbox_notices SET next_attempt_at = ? WHERE channel = ? AND status = ? AND next_attempt_at < ?').run(now + wait, row.channel, 'pending', now + wait);
          continue;
        }
        batch.push(row);
      }
      if (batch.length === 0) break;
      for (let i = 0; i < batch.length; i += this.opts.settings.concurrency) {
        await Promise.all(batch.slice(i, i + this.opts.settings.concurrency).map((row) => this.attempt(row, this.opts.notifiers.get(row.channel)!)));
        if (!this.started) break;
      }
    }
    if (!this.started) return;
    // Only notices first in line count: one held behind another may be long overdue and would wake the pump at once, forever.
    const next = db.prepare(`SELECT MIN(next_attempt_at) AS at FROM outbox_notices o WHERE status = 'pending' AND ${FIRST_IN_LINE}`).get() as { at: number | null };
    if (next.at !== null) {
      const delay = Math.min(MAX_SLEEP, Math.max(0, next.at - clock.ms()));
      this.timer = clock.setTimeout(() => this.kick(), delay);
    }
  }

  private rateWait(n: Notifier, now: number): number {
    const times = (this.recent.get(n.name) ?? []).filter((t) => t > now - 60_000);
    this.recent.set(n.name, times);
    let wait = 0;
    if (times.length >= n.limits.perMinute) wait = Math.max(wait, times[times.length - n.limits.perMinute]! + 60_000 - now);
    if (n.limits.perSecond !== undefined) {
      const lastSecond = times.filter((t) => t > now - 1000);
      if (lastSecond.length >= n.limits.perSecond) wait = Math.max(wait, lastSecond[lastSecond.length - n.limits.perSecond]! + 1000 - now);
    }
    return wait;
  }

  private async attempt(row: Row, notifier: Notifier): Promise<void> {
    const { clock, log, db } = this.opts;
    // Nothing leaves before the state that led to it is durable and this core still leads (the PostgreSQL journal's
    // fenced append; at once for plain SQLite): an old leader resumed after a pause sends nothing.
    try {
      await whenDurable(db);
    } catch (err) {
      log.warn({ notice: row.id, channel: row.channel, err: (err as Error).message }, 'notice not sent: this core no longer leads');
      return;
    }
    if (!this.started) return;
    const notice = JSON.parse(row.notice) as Notice;
    const started = clock.ms();
    const sent = this.recent.get(notifier.name) ?? [];
    sent.push(started);
    this.recent.set(notifier.name, sent);
    const ctrl = new AbortController();
    this.inFlight.add(ctrl);
    // The network runs on real time whatever clock drives escalation, so the timeout is a real timer.
    const timeout = setTimeout(() => ctrl.abort(new Error(`no answer within ${notifier.timeoutMs} ms`)), notifier.timeoutMs);
    let result: SendResult;
    try {
      result = await notifier.send(notice, ctrl.signal);
    } catch (err) {
      // A notifier that throws has a bug; retrying gives an operator time to see it without losing the notice.
      result = { ok: false, retryable: true, detail: `notifier ${notifier.name} failed: ${(err as Error).message}` };
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(ctrl);
    }
    const now = clock.ms();
    if (!this.started && !result.ok) {
      // Stopped mid-request: not the receiver's fault, so this attempt does not count; it is retried after the restart.
      return;
    }
    const attempts = row.attempts + 1;
    if (result.ok) {
      db.prepare(`UPDATE outbox_notices SET status = 'sent', attempts = ?, last_attempt_at = ?, sent_at = ?, last_status = ?, last_error = NULL WHERE id = ?`)
        .run(attempts, now, now, result.status ?? null, row.id);
      log.info({ notice: row.id, channel: row.channel, kind: row.kind, incident: row.incident_id, attempts }, 'notice delivered');
      return;
    }
    // What is stored is shown by the API and logged: a receiver URL in it (an error or an answer quoting the request) loses its path and query.
    const detail = redactUrlsIn(result.detail);
    db.prepare('UPDATE outbox_notices SET attempts = ?, last_attempt_at = ?, last_error = ?, last_status = ?, response = ? WHERE id = ?')
      .run(attempts, now, detail, result.status ?? null, result.response === undefined ? null : redactUrlsIn(result.response), row.id);
    if (!result.retryable) {
      this.fail({ ...row, attempts }, now, detail);
      return;
    }
    if (now >= row.give_up_at) {
      this.fail({ ...row, attempts }, now, `gave up after ${attempts} attempts: ${detail}`);
      return;
    }
    const backoff = this.backoff(attempts);
    const wait = Math.max(backoff, result.retryAfterMs ?? 0);
    // The last attempt is made at the give-up time rather than never.
    const next = Math.min(now + wait, row.give_up_at);
    db.prepare('UPDATE outbox_notices SET next_attempt_at = ? WHERE id = ?').run(next, row.id);
    log.warn({ notice: row.id, channel: row.channel, attempts, retryInMs: next - now, err: detail }, 'notice not delivered, will retry');
  }

  /** Exponential backoff with jitter: half fixed, half random, so many failed notices do not retry in step. */
  private backoff(attempts: number): number {
    const { initialBackoff, maxBackoff } = this.opts.settings;
    const base = Math.min(maxBackoff, initialBackoff * 2 ** Math.min(30, attempts - 1));
    return Math.round(base / 2 + (this.opts.random ?? Math.random)() * (base / 2));
  }

  private fail(row: Row, now: number, reason: string): void {
    this.opts.db.prepare(`UPDATE outbox_notices SET status = 'failed', failed_at = ?, last_error = ? WHERE id = ?`).run(now, reason, row.id);
    this.opts.log.error({ notice: row.id, channel: row.channel, kind: row.kind, incident: row.incident_id, attempts: row.attempts }, `notice failed: ${reason}`);
  }
}
