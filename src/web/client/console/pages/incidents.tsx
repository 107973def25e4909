/** The incident list: filters in the address (so a filtered view can be shared), live updates from the stream. */
import { useEffect } from 'preact/hooks';
import { withQuery } from '../../shared/api.js';
import { listen } from '../../shared/live.js';
import { href, replaceQuery } from '../../shared/router.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Badge, duration, Loading, Time, useApi, useTick } from '../ui.js';
import type { Incident, Page } from '../wire.js';

const STATES = ['open', 'acknowledged', 'resolved'] as const;
const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
/** The time filter: how far back resolved incidents are shown. */
const SINCE = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
type Since = keyof typeof SINCE;

function Filters({ query }: { query: URLSearchParams }) {
  const t = useText();
  const set = (key: string, values: string[]) => {
    const next: Record<string, string[]> = {};
    for (const k of new Set(query.keys())) next[k] = query.getAll(k);
    next[key] = values;
    replaceQuery(next);
  };
  const toggle = (key: string, value: string, on: boolean) =>
    set(key, on ? [...query.getAll(key), value] : query.getAll(key).filter((v) => v !== value));
  // Text boxes are uncontrolled and remounted when the address changes: typing survives another filter's re-render.
  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()}>
      <fieldset><legend>{t('filter.state')}</legend>
        {STATES.map((s) => (
          <label key={s}><input type="checkbox" name="state" value={s} checked={query.getAll('state').includes(s)}
            onChange={(e) => toggle('state', s, (e.currentTarget as HTMLInputElement).checked)} />{t(`state.${s}`)}</label>
        ))}
      </fieldset>
      <fieldset><legend>{t('filter.severity')}</legend>
        {SEVERITIES.map((s) => (
          <label key={s}><input type="checkbox" name="severity" value={s} checked={query.getAll('severity').includes(s)}
            onChange={(e) => toggle('severity', s, (e.currentTarget as HTMLInputElement).checked)} />{s}</label>
        ))}
      </fieldset>
      <label>{t('filter.site')}<input key={query.get('site') ?? ''} name="site" defaultValue={query.get('site') ?? ''} maxLength={200}
        onChange={(e) => set('site', [(e.currentTarget as HTMLInputElement).value.trim()].filter(Boolean))} /></label>
      <label>{t('filter.device')}<input key={query.get('device') ?? ''} name="device" defaultValue={query.get('device') ?? ''} maxLength={200}
        onChange={(e) => set('device', [(e.currentTarget as HTMLInputElement).value.trim()].filter(Boolean))} /></label>
      <label>{t('filter.since')}<select name="since" value={query.get('since') ?? '24h'}
        onChange={(e) => set('since', [(e.currentTarget as HTMLSelectElement).value])}>
        {Object.keys(SINCE).map((k) => <option key={k} value={k}>{t(`since.${k as Since}`)}</option>)}
      </select></label>
    </form>
  );
}

/** One incident row; shared with the device page's history. */
export function IncidentRow({ i, now }: { i: Incident; now: number }) {
  const t = useText();
  const end = i.resolvedAt ? Date.parse(i.resolvedAt) : now;
  return (
    <tr class="incident" data-incident={i.id} data-state={i.state}>
      <td><Badge kind="sev" value={i.severity} /></td>
      <td><Badge kind="state" value={i.state} /></td>
      <td class="title"><a href={href(`/incidents/${encodeURIComponent(i.id)}`)}>{i.title}</a>
        {i.muted && <span class="muted-tag"> · {t('incident.muted')}</span>}</td>
      <td>{i.device ? <a href={href(`/devices/${encodeURIComponent(i.device)}`)}>{i.device}</a> : '–'}</td>
      <td>{i.site ?? '–'}</td>
      <td><Time at={i.openedAt} /></td>
      <td class="age">{duration(end - Date.parse(i.openedAt))}</td>
      <td class="acked-by">{i.acknowledgedBy ?? ''}</td>
    </tr>
  );
}

/** A table of incidents with the list's header. */
export function IncidentTable({ items }: { items: Incident[] }) {
  const t = useText();
  const now = useTick(1000);
  if (items.length === 0) return <p class="empty">{t('incidents.none')}</p>;
  return (
    <div class="scroll"><table class="list incidents">
      <thead><tr><th>{t('col.severity')}</th><th>{t('col.state')}</th><th>{t('col.title')}</th><th>{t('col.device')}</th>
        <th>{t('col.site')}</th><th>{t('col.opened')}</th><th>{t('col.age')}</th><th>{t('col.ackedBy')}</th></tr></thead>
      <tbody>{items.map((i) => <IncidentRow key={i.id} i={i} now={now} />)}</tbody>
    </table></div>
  );
}

/** Reloads `reload` (at most every 300 ms) whenever an incident event arrives that `relevant` accepts. */
export function useLiveIncidents(reload: () => void, relevant: (i: Incident) => boolean = () => true): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = listen((event, data) => {
      if (event !== 'incident' || !relevant((data as { incident: Incident }).incident)) return;
      if (!timer) timer = setTimeout(() => { timer = undefined; reload(); }, 300);
    });
    return () => { stop(); if (timer) clearTimeout(timer); };
  }, [reload]);
}

function Incidents({ query }: { query: URLSearchParams }) {
  const t = useText();
  const sinceKey = (query.get('since') ?? '24h') as Since;
  // Rounded to the minute so the request (and its cache key) does not change on every render.
  const since = new Date(Math.floor((Date.now() - (SINCE[sinceKey] ?? SINCE['24h'])) / 60_000) * 60_000).toISOString();
  const path = withQuery('/incidents', {
    state: query.getAll('state'), severity: query.getAll('severity'),
    site: query.getAll('site'), device: query.getAll('device'), since, limit: 500,
  });
  const loaded = useApi<Page<Incident>>(path);
  useLiveIncidents(loaded.reload);
  return (
    <section>
      <h1>{t('nav.incidents')}</h1>
      <Filters query={query} />
      <Loading loaded={loaded}>{(p) => <>
        <p class="count">{t('incidents.count', { n: p.total })}</p>
        <IncidentTable items={p.items} />
      </>}</Loading>
    </section>
  );
}

/** `#/incidents`. */
export const incidentsPage: PageDef = { path: '/incidents', title: 'nav.incidents', nav: true, role: 'viewer', component: Incidents };
