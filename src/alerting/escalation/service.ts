import { createHash } from 'node:crypto';
import { systemClock } from '../../core/clock.js';
import { migrate } from '../../core/database.js';
import type { IncidentEvent, IncidentView, Severity } from '../../core/incident.js';
import { Outbox } from '../outbox.js';
import type { Notifier } from '../notifiers/notifier.js';
import { createNotifier } from '../notifiers/registry.js';
import { verifyAckToken } from './ack-token.js';
import { noticeLinks } from './notice-links.js';
import { PageHolds } from './holds.js';
import type { ResolvedPolicy, ResolvedStep } from './config.js';
import { ALWAYS, calendarWarnings } from '../../service/calendar.js';
import { calendarLookup, calendarNameFor } from './calendars.js';
import { ESCALATION_MIGRATIONS } from './migrations.js';
import { boundIncident, type Notice, type NoticeConfigChange, type NoticeIncident, type NoticeKind, type NoticeRecipient } from './notice.js';
import { resolveTargets } from './targets.js';
import { onCallAt } from './rotation.js';
import { SlaStore, type SlaClock } from './sla.js';
import { type Lang } from '../../config/lang.js';

import type { EscalationOptions, EscalationService } from './service-api.js';
import { runbookPagePath } from '../../service/knowledge/runbooks.js';
export type { EscalationService, EscalationOptions, PauseOutcome, ReportAnnouncementNotice } from './service-api.js';

interface IncidentRow {
  incident_id: string; last_seq: number; severity: Severity; state: 'open' | 'acknowledged' | 'resolved';
  opened_at: number; acknowledged_at: number | null; resolved_at: number | null; held: number; snapshot: string;
}

/** The phone fallback is recorded once per incident beside the SLA reminders, under this deadline name. */
const PHONE_FALLBACK = 'phone-fallback';
const PHONE_FALLBACK_TIER: Record<Lang, string> = { en: 'phone (response target missed)', 'zh-CN': '电话（响应超时）' };

/** Longest the escalation timer sleeps; a safety net against clock jumps, not the mechanism. */
const MAX_SLEEP = 3_600_000;

function noticeId(parts: (string | number)[]): string {
  // Stable for the same incident, kind, step, repeat and channel, so a re-run after a crash cannot duplicate it.
  return 'ntc-' + createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

function snapshot(inc: IncidentView, locale: Lang): NoticeIncident {
  return boundIncident({
    id: inc.id, key: inc.key, title: inc.title, severity: inc.severity, state: inc.state, device: inc.device, site: inc.site,
    openedAt: inc.openedAt.toISOString(), acknowledgedAt: inc.acknowledgedAt?.toISOString(), acknowledgedBy: inc.acknowledgedBy,
    resolvedAt: inc.resolvedAt?.toISOString(),
    alerts: inc.alerts.map((a) => ({
      fingerprint: a.fingerprint, rule: a.rule, severity: a.severity, device: a.device, instance: a.instance, state: a.state, value: a.value,
      summary: a.summary[locale] || a.summary.en, labels: a.labels, startsAt: a.startsAt.toISOString(), endsAt: a.endsAt?.toISOString(),
    })),
  });
}

/**
 * Builds the escalation stage: it listens to incident events, pages tiers by policy, keeps SLA records
 * and writes every notice to the durable outbox. Clocks are derived from the persisted open time and
 * the persisted count of fired steps, so a restart resumes exactly where the last process stopped.
 */
// Long as a whole: a closure over the outbox, SLA store and timers that returns the service; each method is short.
export function createEscalationService(opts: EscalationOptions): EscalationService {
  const { db, config, log, locale, timezone } = opts;
  const clock = opts.clock ?? systemClock;
  migrate(db, 'escalation', ESCALATION_MIGRATIONS);
  const sla = new SlaStore(db, { calendars: calendarLookup(config.serviceCalendars, log), warn: (message) => log.warn(message) });
  const calendarOf = (inc: IncidentView) => calendarNameFor(inc, config.calendarFor, config.calendar, opts.deviceTags);
  const notifiers = new Map<string, Notifier>(Object.entries(config.channels).map(([name, c]) => [name, createNotifier(name, c)]));
  const outbox = new Outbox({ db, clock, log, notifiers, settings: config.outbox, random: opts.random });
  const publicUrl = (opts.publicUrl ?? '').replace(/\/+$/, '');
  const holds = new PageHolds(db, config.ackLinks?.muteFor);
  let timer: { cancel(): void } | undefined;
  let started = false;

  const q = {
    get: db.prepare('SELECT * FROM escalation_incidents WHERE incident_id = ?'),
    active: db.prepare(`SELECT * FROM escalation_incidents WHERE state != 'resolved'`),
    insert: db.prepare(`INSERT INTO escalation_incidents (incident_id, last_seq, severity, state, opened_at, acknowledged_at, resolved_at, held, snapshot, updated_at)
      VALUES (@id, @seq, @severity, @state, @opened, @acked, @resolved, @held, @snapshot, @now)
      ON CONFLICT (incident_id) DO UPDATE SET last_seq = @seq, severity = @severity, state = @state, acknowledged_at = @acked,
        resolved_at = @resolved, held = @held, snapshot = @snapshot, updated_at = @now`),
    steps: db.prepare('SELECT step, fired, last_fired_at FROM escalation_steps WHERE incident_id = ?'),
    fireStep: db.prepare(`INSERT INTO escalation_steps (incident_id, step, fired, last_fired_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (incident_id, step) DO UPDATE SET fired = excluded.fired, last_fired_at = excluded.last_fired_at`),
    paged: db.prepare('SELECT channel, recipients FROM escalation_paged WHERE incident_id = ? ORDER BY first_paged_at, channel'),
    addPaged: db.prepare(`INSERT INTO escalation_paged (incident_id, channel, recipients, first_paged_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (incident_id, channel) DO UPDATE SET recipients = excluded.recipients`),
    reminder: db.prepare('SELECT 1 FROM escalation_reminders WHERE incident_id = ? AND deadline = ?'),
    addReminder: db.prepare('INSERT OR IGNORE INTO escalation_reminders (incident_id, deadline, sent_at) VALUES (?, ?, ?)'),
    purge: [
      db.prepare(`DELETE FROM escalation_steps WHERE incident_id IN (SELECT incident_id FROM escalation_incidents WHERE state = 'resolved' AND resolved_at < ?)`),
      db.prepare(`DELETE FROM escalation_paged WHERE incident_id IN (SELECT incident_id FROM escalation_incidents WHERE state = 'resolved' AND resolved_at < ?)`),
      db.prepare(`DELETE FROM escalation_reminders WHERE incident_id IN (SELECT incident_id FROM escalation_incidents WHERE state = 'resolved' AND resolved_at < ?)`),
      db.prepare(`DELETE FROM escalation_incidents WHERE state = 'resolved' AND resolved_at < ?`),
    ],
  };

  /** The runbook page of the incident's first rule that has one: what the engineer paged should read first. */
  const runbookFor = (inc: NoticeIncident): string | undefined => {
    const rule = opts.hasRunbook && inc.alerts.map((a) => a.rule).find((r) => opts.hasRunbook!(r, locale));
    return rule ? runbookPagePath(rule, locale) : undefined;
  };

  /** Writes one notice per channel to the outbox (inside the caller's transaction). */
  function emit(row: IncidentRow, kind: NoticeKind, byChannel: Map<string, NoticeRecipient[]>, idParts: (string | number)[], extra: Partial<Notice>, nowMs: number): number {
    const inc = JSON.parse(row.snapshot) as NoticeIncident;
    let n = 0;
    for (const [channel, recipients] of byChannel) {
      const notifier = notifiers.get(channel);
      if (!notifier || !notifier.handles(kind)) continue;
      const by = recipients.length === 1 ? recipients[0]!.name : `channel:${channel}`;
      const notice: Notice = {
        id: noticeId([row.incident_id, kind, ...idParts, channel]), kind, channel, locale, timezone,
        createdAt: new Date(nowMs).toISOString(), incident: inc, recipients, ...noticeLinks(config, publicUrl, row.incident_id, inc, by, nowMs, runbookFor(inc)), ...extra,
      };
      if (outbox.enqueue(notice)) n++;
    }
    return n;
  }

  function pagedChannels(incidentId: string): Map<string, NoticeRecipient[]> {
    const rows = q.paged.all(incidentId) as { channel: string; recipients: string }[];
    return new Map(rows.map((r) => [r.channel, JSON.parse(r.recipients) as NoticeRecipient[]]));
  }

  /** Configuration changes shortly before the incident opened, with links to their diffs (at most 3). */
  function configChangesOf(row: IncidentRow): NoticeConfigChange[] | undefined {
    const inc = JSON.parse(row.snapshot) as NoticeIncident;
    if (!opts.configChanges || !inc.device) return undefined;
    return opts.configChanges(inc.device, new Date(row.opened_at)).slice(0, 3).map((c) => ({
      device: c.device, commit: c.commit, added: c.added, removed: c.removed,
      minutesBefore: Math.max(0, Math.round((row.opened_at - c.time.getTime()) / 60_000)),
      link: publicUrl ? `${publicUrl}/api/v1/devices/${encodeURIComponent(c.device)}/configs/diff?to=${c.commit}` : undefined,
    }));
  }

  function firePage(row: IncidentRow, policy: ResolvedPolicy, step: ResolvedStep, repeat: number, nowMs: number): void {
    const targets = resolveTargets(config, timezone, step.targets, nowMs);
    const already = pagedChannels(row.incident_id);
    const kind: NoticeKind = already.size === 0 ? 'opened' : 'escalated';
    const changes = kind === 'opened' ? configChangesOf(row) : undefined;
    emit(row, kind, targets, [policy.severity, step.index, repeat], { step: step.index, tier: step.label[locale], repeat, ...(changes?.length ? { configChanges: changes } : {}) }, nowMs);
    for (const [channel, recipients] of targets) {
      const merged = [...(already.get(channel) ?? [])];
      for (const r of recipients) if (!merged.some((m) => m.name === r.name)) merged.push(r);
      q.addPaged.run(row.incident_id, channel, JSON.stringify(merged), nowMs);
    }
    sla.paged(row.incident_id);
    log.info({ incident: row.incident_id, severity: policy.severity, step: step.index, repeat, channels: [...targets.keys()] }, kind === 'opened' ? 'incident paged' : 'incident escalated');
  }

  /** The incident's SLA clock; wall time from the open when escalation has no SLA record (cannot happen after handle()). */
  function clockOf(row: IncidentRow): SlaClock {
    return sla.clock(row.incident_id) ?? {
      calendar: ALWAYS, openedAt: row.opened_at, pauses: [],
      at: (offset) => row.opened_at + Math.max(0, offset), elapsed: (ms) => Math.max(0, ms - row.opened_at),
    };
  }

  /**
   * Fires every step and reminder due at `nowMs`; returns the next instant something falls due.
   * Step delays, repeats and reminders are service time of the incident's calendar with its pauses
   * taken out; under 7x24 without pauses that is plain time since the open.
   */
  function evaluate(row: IncidentRow, nowMs: number): number | undefined {
    if (row.state === 'resolved') return undefined;
    // A muted or flapping incident, or a "mute for 1 h", holds every page and reminder; what fell due meanwhile is considered when it ends.
    const hold = holds.check(row.incident_id, row.held, nowMs);
    if (hold.held) return hold.recheckAt;
    const policy = config.policies[row.severity];
    const clock = clockOf(row);
    const fired = new Map((q.steps.all(row.incident_id) as { step: number; fired: number; last_fired_at: number }[]).map((s) => [s.step, s]));
    let next: number | undefined;
    const consider = (t: number) => { if (Number.isFinite(t) && (next === undefined || t < next)) next = t; };
    const last = policy.steps.length - 1;
    for (const step of policy.steps) {
      const active = step.until === 'acknowledged' ? row.state === 'open' : true;
      if (!active) continue;
      const dueAt = clock.at(step.after);
      const count = fired.get(step.index)?.fired ?? 0;
      if (count === 0) {
        if (nowMs >= dueAt) {
          firePage(row, policy, step, 0, nowMs);
          q.fireStep.run(row.incident_id, step.index, 1, nowMs);
          if (step.repeat !== undefined && step.index === last) consider(clock.at(step.after + step.repeat));
        } else consider(dueAt);
      } else if (step.repeat !== undefined && step.index === last) {
        const repeatAt = clock.at(step.after + count * step.repeat);
        if (nowMs >= repeatAt) {
          // After downtime the missed repeats are not all sent: one page now, and the count catches up.
          const caughtUp = Math.floor((clock.elapsed(nowMs) - step.after) / step.repeat) + 1;
          firePage(row, policy, step, count, nowMs);
          q.fireStep.run(row.incident_id, step.index, caughtUp, nowMs);
          consider(clock.at(step.after + caughtUp * step.repeat));
        } else consider(repeatAt);
      }
    }
    // SLA reminders go to everyone paged so far, shortly before a target is missed (not after: then it is an escalation).
    if (policy.remindBefore > 0) {
      const deadlines: ['response' | 'resolution', number, boolean][] = [
        ['response', policy.respond, row.state === 'open'],
        ['resolution', policy.resolve, true],
      ];
      for (const [kind, target, active] of deadlines) {
        if (!active || policy.remindBefore >= target) continue;
        const deadline = clock.at(target);
        const remindAt = clock.at(target - policy.remindBefore);
        // A pause that holds the clock before the deadline: remind once it runs again.
        if (!Number.isFinite(deadline) || nowMs >= deadline || q.reminder.get(row.incident_id, kind)) continue;
        if (nowMs < remindAt) { consider(remindAt); continue; }
        const paged = pagedChannels(row.incident_id);
        if (paged.size > 0) emit(row, 'sla-reminder', paged, [kind], { deadline: { kind, at: new Date(deadline).toISOString(), targetMs: target } }, nowMs);
        q.addReminder.run(row.incident_id, kind, nowMs);
      }
    }
    phoneFallback(row, policy, clock, nowMs, consider);
    return next;
  }

  /** Pages the phone fallback once when an incident of its severities passes the response target unacknowledged. */
  function phoneFallback(row: IncidentRow, policy: ResolvedPolicy, clock: SlaClock, nowMs: number, consider: (t: number) => void): void {
    const fallback = config.phoneFallback;
    if (!fallback || row.state !== 'open' || !fallback.severities.includes(row.severity)) return;
    if (q.reminder.get(row.incident_id, PHONE_FALLBACK)) return;
    const dueAt = clock.at(policy.respond);
    if (nowMs < dueAt) { consider(dueAt); return; }
    emit(row, 'escalated', resolveTargets(config, timezone, fallback.notify, nowMs), [PHONE_FALLBACK], { tier: PHONE_FALLBACK_TIER[locale] }, nowMs);
    q.addReminder.run(row.incident_id, PHONE_FALLBACK, nowMs);
  }

  /** Evaluates every active incident and sets the one timer for the next due instant. */
  function tick(): void {
    timer?.cancel();
    timer = undefined;
    const nowMs = clock.ms();
    let next: number | undefined;
    db.transaction(() => {
      for (const row of q.active.all() as IncidentRow[]) {
        const t = evaluate(row, nowMs);
        if (t !== undefined && (next === undefined || t < next)) next = t;
      }
    })();
    outbox.kick();
    if (started) timer = clock.setTimeout(tick, Math.min(MAX_SLEEP, Math.max(0, (next ?? nowMs + MAX_SLEEP) - nowMs)));
  }

  function handle(event: IncidentEvent): void {
    const inc = event.incident;
    const nowMs = clock.ms();
    const prev = q.get.get(inc.id) as IncidentRow | undefined;
    // Events are redelivered after a restart of the alert engine; each is acted on once.
    if (prev && event.seq <= prev.last_seq) return;
    if (!prev && event.kind === 'resolved' && inc.state === 'resolved') {
      // Resolved before escalation ever heard of it (e.g. muted throughout): nothing was paged, keep only the SLA fact.
      sla.opened(inc, config.policies[inc.severity], calendarOf(inc));
      sla.resolved(inc.id, inc.resolvedAt ?? event.at);
      return;
    }
    const row: IncidentRow = {
      incident_id: inc.id, last_seq: event.seq, severity: inc.severity, state: inc.state,
      opened_at: prev?.opened_at ?? inc.openedAt.getTime(),
      acknowledged_at: inc.acknowledgedAt?.getTime() ?? null, resolved_at: inc.resolvedAt?.getTime() ?? null,
      held: PageHolds.flagOf(inc), snapshot: JSON.stringify(snapshot(inc, locale)),
    };
    q.insert.run({ id: row.incident_id, seq: row.last_seq, severity: row.severity, state: row.state, opened: row.opened_at, acked: row.acknowledged_at, resolved: row.resolved_at, held: row.held, snapshot: row.snapshot, now: nowMs });
    sla.opened(inc, config.policies[inc.severity], calendarOf(inc));
    if (event.kind === 'acknowledged' && inc.state === 'acknowledged') {
      sla.acknowledged(inc.id, inc.acknowledgedAt ?? event.at, inc.acknowledgedBy ?? event.by);
      emit(row, 'acknowledged', pagedChannels(inc.id), [event.seq], {}, nowMs);
    }
    if (inc.state === 'resolved') {
      const resolvedAt = inc.resolvedAt ?? event.at;
      sla.resolved(inc.id, resolvedAt);
      emit(row, 'resolved', pagedChannels(inc.id), [], { outageMs: resolvedAt.getTime() - row.opened_at }, nowMs);
    }
    evaluate(row, nowMs);
  }

  return {
    onIncidentEvent(event) {
      db.transaction(() => handle(event))();
      if (started) tick();
    },
    async start() {
      if (started) return;
      started = true;
      // Resolved incidents are kept a while for redelivered events, then forgotten (their SLA records stay).
      const cutoff = clock.ms() - 30 * 86_400_000;
      db.transaction(() => { for (const st of q.purge) st.run(cutoff); })();
      for (const cal of config.serviceCalendars.values()) for (const w of calendarWarnings(cal, clock.ms())) log.warn({ calendar: cal.name }, w);
      if (!opts.deviceTags && config.calendarFor.some((r) => r.tags)) log.warn('calendarFor rules with "tags" match nothing: the device tags were not handed to escalation');
      outbox.start();
      tick();
    },
    async stop() {
      started = false;
      timer?.cancel();
      timer = undefined;
      await outbox.stop();
    },
    outboxStats: () => outbox.stats(),
    failedNotices: (limit) => outbox.failed(limit),
    retryNotice: (id) => outbox.retry(id),
    incidentNotices: (id) => outbox.forIncident(id),
    slaRecord: (id) => sla.get(id, clock.ms()),
    querySla: (query) => sla.query(query, clock.ms()),
    verifyAckToken(token, action = 'ack') {
      if (!config.ackLinks) return { ok: false, reason: 'malformed', message: 'acknowledge links are not configured (ackLinks in notify.yaml)' };
      return verifyAckToken(config.ackLinks.secret, token, clock.ms(), action);
    },
    muteNotices(incidentId, by) {
      const row = q.get.get(incidentId) as IncidentRow | undefined;
      if (!row || row.state === 'resolved') return undefined;
      const hold = db.transaction(() => holds.mute(incidentId, by, clock.ms()))();
      log.info({ incident: incidentId, by, until: hold.until.toISOString() }, 'pages held');
      if (started) tick();
      return hold;
    },
    noticeMute: (incidentId) => holds.active(incidentId, clock.ms()),
    muteForMs: () => holds.muteForMs,
    chatSettings: () => config.chat,
    acknowledge(incidentId, by, note) {
      return opts.actions?.acknowledge(incidentId, by, note);
    },
    onCall(schedule, at) {
      const s = config.schedules[schedule];
      return s ? onCallAt(s, timezone, (at ?? clock.now()).getTime()) : undefined;
    },
    async flush() {
      if (started) tick();
      await outbox.flush();
    },
    announceReport(report) {
      if (!config.reports) return 0;
      const nowMs = clock.ms();
      const subject: NoticeIncident = {
        id: `report-${report.kind}-${report.period}`, key: `report:${report.kind}:${report.period}`, title: report.title,
        severity: 'P4', state: 'resolved', openedAt: new Date(nowMs).toISOString(), alerts: [],
      };
      const { link, ...facts } = report;
      let queued = 0;
      db.transaction(() => {
        for (const [channel, recipients] of resolveTargets(config, timezone, config.reports!.notify, nowMs)) {
          const notifier = notifiers.get(channel);
          if (!notifier || !notifier.handles('report')) continue;
          const notice: Notice = {
            // One announcement per report and channel, whatever restarts happen around it.
            id: noticeId([subject.id, 'report', channel]), kind: 'report', channel, locale, timezone,
            createdAt: new Date(nowMs).toISOString(), incident: subject, recipients,
            links: link ? { report: link } : {}, report: facts,
          };
          if (outbox.enqueue(notice)) queued++;
        }
      })();
      log.info({ report: subject.id, queued }, 'report announced');
      return queued;
    },
    pauses(incidentId) {
      return sla.get(incidentId, clock.ms())?.pauses;
    },
    pauseClock(incidentId, p) {
      const out = db.transaction(() => sla.pause(incidentId, { ...p, at: clock.now() }))();
      if (!out.ok) return out;
      log.info({ incident: incidentId, pause: out.pause.id, reason: p.reason, by: p.by }, 'SLA clocks paused');
      if (started) tick();
      return { ...out, sla: sla.get(incidentId, clock.ms())! };
    },
    endPause(incidentId, pauseId, by) {
      const out = db.transaction(() => sla.endPause(incidentId, pauseId, by, clock.now()))();
      if (!out.ok) return out;
      log.info({ incident: incidentId, pause: pauseId, by }, 'SLA clocks running again');
      if (started) tick();
      return { ...out, sla: sla.get(incidentId, clock.ms())! };
    },
  };
}
