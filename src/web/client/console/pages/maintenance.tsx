/** Maintenance windows: the list, a form to create one for devices, sites or tags, and "end now". */
import { useState } from 'preact/hooks';
import { api, withQuery } from '../../shared/api.js';
import { can, session } from '../../shared/session.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { Maintenance, Page } from '../wire.js';

/** "a, b ,c" → ["a", "b", "c"]. */
function names(v: FormDataEntryValue | null): string[] {
  return String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function CreateForm({ onDone }: { onDone: () => void }) {
  const t = useText();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [until, setUntil] = useState<'duration' | 'end'>('duration');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const localTime = (v: FormDataEntryValue | null) => (v ? new Date(String(v)).toISOString() : undefined);
    const body = {
      reason: String(f.get('reason') ?? '').trim(),
      devices: names(f.get('devices')), sites: names(f.get('sites')), tags: names(f.get('tags')),
      startsAt: localTime(f.get('startsAt')),
      ...(until === 'duration' ? { duration: String(f.get('duration') ?? '').trim() } : { endsAt: localTime(f.get('endsAt')) }),
    };
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/maintenance', body);
      form.reset();
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="create maintenance-create" onSubmit={(e) => void submit(e)}>
      <h2>{t('maintenance.create')}</h2>
      <label>{t('maintenance.reason')}<input name="reason" required maxLength={500} /></label>
      <label>{t('maintenance.devices')}<input name="devices" maxLength={20000} placeholder="core-sw-01, edge-rt-01" /></label>
      <label>{t('maintenance.sites')}<input name="sites" maxLength={20000} /></label>
      <label>{t('maintenance.tags')}<input name="tags" maxLength={20000} /></label>
      <label>{t('maintenance.startsAt')}<input name="startsAt" type="datetime-local" /></label>
      <fieldset><legend>{t('maintenance.until')}</legend>
        <label><input type="radio" name="until" checked={until === 'duration'} onChange={() => setUntil('duration')} />{t('maintenance.duration')}</label>
        <label><input type="radio" name="until" checked={until === 'end'} onChange={() => setUntil('end')} />{t('maintenance.endsAt')}</label>
      </fieldset>
      {until === 'duration'
        ? <label>{t('maintenance.duration')}<input name="duration" required maxLength={20} placeholder="2h" /></label>
        : <label>{t('maintenance.endsAt')}<input name="endsAt" type="datetime-local" required /></label>}
      <button type="submit" class="primary" disabled={busy}>{t('maintenance.submit')}</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

function MaintenancePage({ query }: { query: URLSearchParams }) {
  const t = useText();
  const s = useStore(session);
  const state = query.get('state') ?? 'active';
  const loaded = useApi<Page<Maintenance>>(withQuery('/maintenance', { state: state === 'all' ? undefined : [state], limit: 500 }));
  const [error, setError] = useState<string>();
  const end = async (id: string) => {
    setError(undefined);
    try { await api('POST', `/maintenance/${encodeURIComponent(id)}/end`); loaded.reload(); } catch (err) { setError((err as Error).message); }
  };
  const operator = can(s, 'operator');
  return (
    <section>
      <h1>{t('nav.maintenance')}</h1>
      <p class="tabs">{['active', 'scheduled', 'ended', 'all'].map((st) => (
        <a key={st} href={`#/maintenance?state=${st}`} class={st === state ? 'active' : undefined}>{t(`maintenance.state.${st as 'active'}`)}</a>
      ))}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <Loading loaded={loaded}>{(p) => (p.items.length === 0 ? <p class="empty">{t('maintenance.none')}</p> : (
        <div class="scroll"><table class="list maintenance">
          <thead><tr><th>{t('maintenance.reason')}</th><th>{t('maintenance.scope')}</th><th>{t('maintenance.startsAt')}</th>
            <th>{t('maintenance.endsAt')}</th><th>{t('maintenance.by')}</th><th /></tr></thead>
          <tbody>{p.items.map((w) => (
            <tr key={w.id} data-window={w.id} data-active={String(w.active)}>
              <td>{w.reason}</td>
              <td>{[...w.devices, ...w.sites.map((x) => `site:${x}`), ...w.tags.map((x) => `tag:${x}`)].join(', ')}</td>
              <td><Time at={w.startsAt} /></td><td><Time at={w.endsAt} /></td>
              <td>{w.createdBy ?? ''}{w.endedEarlyBy ? ` · ${t('maintenance.endedBy', { name: w.endedEarlyBy })}` : ''}</td>
              <td>{operator && !w.readOnly && Date.parse(w.endsAt) > Date.now() && (
                <button type="button" class="action-end" onClick={() => void end(w.id)}>{t('maintenance.endNow')}</button>
              )}{w.readOnly && <span class="muted">{t('maintenance.readOnly')}</span>}</td>
            </tr>
          ))}</tbody>
        </table></div>
      ))}</Loading>
      {operator && <CreateForm onDone={loaded.reload} />}
    </section>
  );
}

/** `#/maintenance`. */
export const maintenancePage: PageDef = { path: '/maintenance', title: 'nav.maintenance', nav: true, role: 'viewer', component: MaintenancePage };
