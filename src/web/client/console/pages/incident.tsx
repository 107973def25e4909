/** One incident: what fired, who was told, who did what, the SLA clocks, and the operator's actions. */
import { Fragment, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { lang } from '../../shared/lang.js';
import { href } from '../../shared/router.js';
import { can, session } from '../../shared/session.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Badge, duration, Loading, Time, useApi, useTick } from '../ui.js';
import type { Incident, IncidentDetail, IncidentNotice, Sla, TimelineEntry } from '../wire.js';
import { useLiveIncidents } from './incidents.js';
import { SimilarPast } from './knowledge-entry.js';

function Clock({ label, by, doneMs, met, target }: { label: string; by?: string; doneMs?: number; met?: boolean; target: number }) {
  const t = useText();
  const now = useTick(1000);
  let body: string;
  let cls = 'running';
  if (doneMs !== undefined) {
    body = t('sla.done', { took: duration(doneMs), target: duration(target) });
    cls = met === false ? 'missed' : 'met';
  } else if (by) {
    const left = Date.parse(by) - now;
    body = left >= 0 ? t('sla.left', { left: duration(left) }) : t('sla.overdue', { over: duration(-left) });
    if (left < 0) cls = 'missed';
  } else {
    body = t('sla.paused');
    cls = 'paused';
  }
  return <div class={`clock ${cls}`}><span class="label">{label}</span><span class="value">{body}</span></div>;
}

function SlaClocks({ sla }: { sla: Sla }) {
  const t = useText();
  return (
    <div class="clocks">
      <Clock label={t('sla.response')} by={sla.respondBy} doneMs={sla.responseMs} met={sla.responseMet} target={sla.respondTargetMs} />
      <Clock label={t('sla.resolution')} by={sla.resolveBy} doneMs={sla.resolutionMs} met={sla.resolutionMet} target={sla.resolveTargetMs} />
    </div>
  );
}

function Actions({ incident, onDone }: { incident: Incident; onDone: () => void }) {
  const t = useText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [comment, setComment] = useState('');
  const act = async (verb: string, body?: { note: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/incidents/${encodeURIComponent(incident.id)}/${verb}`, body);
      if (verb === 'comment') setComment('');
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const open = incident.state !== 'resolved';
  return (
    <div class="actions">
      {incident.state === 'open' && <button type="button" class="primary action-acknowledge" disabled={busy} onClick={() => void act('acknowledge')}>{t('action.acknowledge')}</button>}
      {incident.state === 'acknowledged' && <button type="button" class="action-unacknowledge" disabled={busy} onClick={() => void act('unacknowledge')}>{t('action.unacknowledge')}</button>}
      {open && <button type="button" class="action-claim" disabled={busy} onClick={() => void act('claim')}>{t('action.claim')}</button>}
      {open && <button type="button" class="action-resolve" disabled={busy} onClick={() => void act('resolve')}>{t('action.resolve')}</button>}
      <form class="comment" onSubmit={(e) => { e.preventDefault(); if (comment.trim()) void act('comment', { note: comment.trim() }); }}>
        <textarea name="comment" maxLength={2000} rows={2} placeholder={t('action.commentPlaceholder')} value={comment}
          onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
        <button type="submit" class="action-comment" disabled={busy || !comment.trim()}>{t('action.comment')}</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

type Step = { at: string; key: string; node: JSX.Element };

function timelineSteps(t: ReturnType<typeof useText>, timeline: TimelineEntry[], notices: IncidentNotice[]): Step[] {
  const steps: Step[] = timeline.map((e) => ({
    at: e.at, key: `e${e.seq}`,
    node: (
      <li class={`step event-${e.kind}`} data-kind={e.kind}>
        <Time at={e.at} /> <span class="what">{t(`event.${e.kind}`)}</span>
        {e.by && <span class="by"> · {e.by}</span>}
        {e.note && <p class="note">{e.note}</p>}
      </li>
    ),
  }));
  for (const n of notices) {
    steps.push({
      at: n.createdAt, key: `n${n.id}`,
      node: (
        <li class={`step notice notice-${n.status}`} data-kind="notice" data-tier={n.tier ?? ''} data-channel={n.channel}>
          <Time at={n.createdAt} /> <span class="what">{t('notice.line', { kind: n.kind, channel: n.channel })}</span>
          {n.tier && <span class="tier"> · {t('notice.tier', { tier: n.tier })}</span>}
          <span class={`delivery ${n.status}`}> · {t(`notice.${n.status}`)}</span>
          {n.lastError && <p class="note">{n.lastError}</p>}
        </li>
      ),
    });
  }
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

function Detail({ d, reload }: { d: IncidentDetail; reload: () => void }) {
  const t = useText();
  const l = useStore(lang);
  const s = useStore(session);
  const i = d.incident;
  return (
    <article class="incident-detail" data-incident={i.id} data-state={i.state}>
      <h1><Badge kind="sev" value={i.severity} /> <span class="title">{i.title}</span></h1>
      <p class="facts">
        <Badge kind="state" value={i.state} />
        {i.device && <> · <a href={href(`/devices/${encodeURIComponent(i.device)}`)}>{i.device}</a></>}
        {i.site && <> · {i.site}</>}
        {' · '}{t('incident.opened')} <Time at={i.openedAt} />
        {i.acknowledgedBy && <> · <span class="acked-by">{t('incident.ackedBy', { name: i.acknowledgedBy })}</span></>}
        {i.muted && <> · <span class="muted-tag">{t('incident.muted')}{i.mutedReason ? `: ${i.mutedReason}` : ''}</span></>}
        {i.flapping && <> · {t('incident.flapping')}</>}
      </p>
      {d.sla && <SlaClocks sla={d.sla} />}
      {can(s, 'operator') && <Actions incident={i} onDone={reload} />}
      <h2>{t('incident.alerts')}</h2>
      <div class="scroll"><table class="list alerts">
        <thead><tr><th>{t('col.severity')}</th><th>{t('col.state')}</th><th>{t('col.rule')}</th><th>{t('col.instance')}</th>
          <th>{t('col.summary')}</th><th>{t('col.value')}</th><th>{t('col.started')}</th><th>{t('col.ended')}</th></tr></thead>
        <tbody>{i.alerts.map((a) => (
          <tr key={a.fingerprint} data-alert={a.fingerprint}>
            <td><Badge kind="sev" value={a.severity} /></td><td><Badge kind="state" value={a.state} /></td>
            <td>{a.rule}</td><td>{a.instance}</td><td>{a.summary[l]}{a.mutedBy && <span class="muted-tag"> · {a.mutedBy.kind}: {a.mutedBy.detail}</span>}</td>
            <td>{a.value ?? '–'}</td><td><Time at={a.startsAt} /></td><td><Time at={a.endsAt} /></td>
          </tr>
        ))}</tbody>
      </table></div>
      {i.suppressedDevices.length > 0 && <>
        <h2>{t('incident.suppressed')}</h2>
        <ul class="suppressed">{i.suppressedDevices.map((dev) => <li key={dev}><a href={href(`/devices/${encodeURIComponent(dev)}`)}>{dev}</a></li>)}</ul>
      </>}
      <h2>{t('incident.timeline')}</h2>
      <ol class="timeline">{timelineSteps(t, d.timeline, d.notices).map((st) => <Fragment key={st.key}>{st.node}</Fragment>)}</ol>
      <SimilarPast incident={i.id} />
    </article>
  );
}

function IncidentPage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const loaded = useApi<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`);
  useLiveIncidents(loaded.reload, (i) => i.id === id);
  return <Loading loaded={loaded}>{(d) => <Detail d={d} reload={loaded.reload} />}</Loading>;
}

/** `#/incidents/:id`. */
export const incidentPage: PageDef = { path: '/incidents/:id', title: 'nav.incidents', nav: false, role: 'viewer', component: IncidentPage };
