/** One problem record: its incidents (linked to their pages), what people found, its history, and the operator's edits. */
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { href } from '../../shared/router.js';
import { can, session } from '../../shared/session.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import { ProblemState } from './problems.js';
import { FIX_STATUSES, type ProblemDetail, type ProblemLogEntry, type ProblemRecord } from './service-records.js';

/** Longest root cause or workaround the API takes. */
const MAX_FINDING = 10_000;
/** Longest closing note the API takes. */
const MAX_NOTE = 2000;

/** Root cause, workaround and fix status, as an operator edits them; saved with one PATCH. */
function EditFindings({ p, onDone }: { p: ProblemRecord; onDone: () => void }) {
  const t = useText();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string }>();
  // Controlled: Preact sets a select's value only once its options exist, which defaultValue does not wait for.
  const [fix, setFix] = useState(p.fixStatus);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    // Only changed fields are sent; a cleared field is sent as null, which clears it on the server.
    const body: Record<string, string | null> = {};
    for (const key of ['rootCause', 'workaround'] as const) {
      const v = String(f.get(key) ?? '').trim();
      if (v !== (p[key] ?? '')) body[key] = v || null;
    }
    if (fix !== p.fixStatus) body.fixStatus = fix;
    if (Object.keys(body).length === 0) { setMessage({ error: false, text: t('problem.unchanged') }); return; }
    setBusy(true);
    setMessage(undefined);
    try {
      await api('PATCH', `/problems/${encodeURIComponent(p.id)}`, body);
      setMessage({ error: false, text: t('problem.saved') });
      onDone();
    } catch (err) {
      setMessage({ error: true, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="create problem-edit" onSubmit={(e) => void submit(e)}>
      <h2>{t('problem.edit')}</h2>
      <label>{t('problem.rootCause')}<textarea name="rootCause" rows={3} maxLength={MAX_FINDING} defaultValue={p.rootCause ?? ''} /></label>
      <label>{t('problem.workaround')}<textarea name="workaround" rows={3} maxLength={MAX_FINDING} defaultValue={p.workaround ?? ''} /></label>
      <label>{t('problems.fixStatus')}<select name="fixStatus" value={fix} onChange={(e) => setFix((e.currentTarget as HTMLSelectElement).value as ProblemRecord['fixStatus'])}>
        {FIX_STATUSES.map((s) => <option key={s} value={s}>{t(`problems.fix.${s}`)}</option>)}
      </select></label>
      <button type="submit" class="primary action-save" disabled={busy}>{t('problem.save')}</button>
      {message && <p class={message.error ? 'error' : 'ok'} role="status">{message.text}</p>}
    </form>
  );
}

/** Closing by hand, with an optional note; the record reopens by itself when the pattern comes back. */
function Close({ p, onDone }: { p: ProblemRecord; onDone: () => void }) {
  const t = useText();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const close = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/problems/${encodeURIComponent(p.id)}/close`, note.trim() ? { note: note.trim() } : {});
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      <form class="comment" onSubmit={(e) => { e.preventDefault(); void close(); }}>
        <textarea name="note" rows={2} maxLength={MAX_NOTE} placeholder={t('problem.closeNote')} value={note}
          onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
        <button type="submit" class="action-close" disabled={busy}>{t('problem.close')}</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

/** One history line; a `linked` line's note is the incident id, shown as a link to it. */
function LogLine({ e }: { e: ProblemLogEntry }) {
  const t = useText();
  return (
    <li class={`step problem-${e.kind}`} data-kind={e.kind}>
      <Time at={e.at} /> <span class="what">{t(`problem.log.${e.kind}`)}</span>
      {e.by && <span class="by"> · <bdi>{e.by}</bdi></span>}
      {e.note && (e.kind === 'linked'
        ? <> · <a href={href(`/incidents/${encodeURIComponent(e.note)}`)}><bdi>{e.note}</bdi></a></>
        : <p class="note">{e.note}</p>)}
    </li>
  );
}

/** A finding (root cause or workaround) as text, or a dash. */
function Finding({ label, text, cls }: { label: string; text?: string; cls: string }) {
  return <><dt>{label}</dt><dd class={`finding ${cls}`}>{text ? <p class="note">{text}</p> : <span class="muted">–</span>}</dd></>;
}

function Detail({ d, reload }: { d: ProblemDetail; reload: () => void }) {
  const t = useText();
  const s = useStore(session);
  const p = d.problem;
  return (
    <article class="problem-detail" data-problem={p.id} data-state={p.state}>
      <h1><span>{p.id}</span> <ProblemState state={p.state} /></h1>
      <dl class="identity">
        <dt>{t('col.device')}</dt><dd><a href={href(`/devices/${encodeURIComponent(p.device)}`)}><bdi>{p.device}</bdi></a></dd>
        <dt>{t('col.rule')}</dt><dd>{p.rule ? <bdi>{p.rule}</bdi> : t('problems.anyRule')}</dd>
        <dt>{t('col.site')}</dt><dd><bdi>{p.site ?? '–'}</bdi></dd>
        <dt>{t('problem.opened')}</dt><dd><Time at={p.openedAt} /></dd>
        {p.closedAt && <><dt>{t('problem.closed')}</dt><dd><Time at={p.closedAt} /> · <bdi>{p.closedBy ?? ''}</bdi></dd></>}
        <dt>{t('problems.fixStatus')}</dt><dd class="fix-status">{t(`problems.fix.${p.fixStatus}`)}</dd>
        {p.reopened > 0 && <><dt>{t('problem.reopened')}</dt><dd>{t('problems.reopenedTimes', { n: p.reopened })}</dd></>}
        <Finding label={t('problem.rootCause')} text={p.rootCause} cls="root-cause" />
        <Finding label={t('problem.workaround')} text={p.workaround} cls="workaround" />
        {p.updatedBy && <><dt>{t('problem.updated')}</dt><dd><Time at={p.updatedAt} /> · <bdi>{p.updatedBy}</bdi></dd></>}
      </dl>
      {can(s, 'operator') && p.state === 'open' && <Close p={p} onDone={reload} />}
      <h2>{t('problem.incidents', { n: p.incidents.length })}</h2>
      <div class="scroll"><table class="list problem-incidents">
        <thead><tr><th>{t('problem.incident')}</th><th>{t('col.opened')}</th></tr></thead>
        <tbody>{p.incidents.map((i) => (
          <tr key={i.id} data-incident={i.id}>
            <td><a href={href(`/incidents/${encodeURIComponent(i.id)}`)}><bdi>{i.id}</bdi></a></td><td><Time at={i.openedAt} /></td>
          </tr>
        ))}</tbody>
      </table></div>
      <h2>{t('incident.timeline')}</h2>
      <ol class="timeline">{d.log.map((e, n) => <LogLine key={n} e={e} />)}</ol>
      {can(s, 'operator') && <EditFindings key={p.updatedAt} p={p} onDone={reload} />}
    </article>
  );
}

function ProblemPage({ params }: { params: Record<string, string> }) {
  const loaded = useApi<ProblemDetail>(`/problems/${encodeURIComponent(params.id!)}`);
  return <Loading loaded={loaded}>{(d) => <Detail d={d} reload={loaded.reload} />}</Loading>;
}

/** `#/problems/:id`. */
export const problemPage: PageDef = { path: '/problems/:id', title: 'nav.problems', nav: false, role: 'viewer', component: ProblemPage };
