/** The device list: search and filters over the whole fleet, read page by page from the API. */
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery } from '../../shared/api.js';
import { listen } from '../../shared/live.js';
import { href, replaceQuery } from '../../shared/router.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Badge, Loading, type Loaded } from '../ui.js';
import type { Device, Page } from '../wire.js';

const PAGE = 500;

/** Every device, paging through the API; device events from the stream update rows in place. */
function useFleet(): Loaded<Device[]> {
  const [state, setState] = useState<{ data?: Device[]; error?: string; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const all: Device[] = [];
        for (let offset = 0; ; offset += PAGE) {
          const p = await api<Page<Device>>('GET', withQuery('/devices', { limit: PAGE, offset }));
          all.push(...p.items);
          if (all.length >= p.total || p.items.length === 0) break;
        }
        if (!cancelled) setState({ data: all, loading: false });
      } catch (err) {
        if (!cancelled) setState((s) => ({ ...s, error: (err as Error).message, loading: false }));
      }
    })();
    return () => { cancelled = true; };
  }, [round]);
  useEffect(() => listen((event, data) => {
    if (event !== 'device') return;
    const d = data as Device;
    setState((s) => (s.data ? { ...s, data: s.data.map((x) => (x.name === d.name ? d : x)) } : s));
  }), []);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

function matches(d: Device, q: URLSearchParams): boolean {
  const search = (q.get('q') ?? '').trim().toLowerCase();
  if (search && ![d.name, d.address, d.sysName, d.description, d.model, ...d.tags].some((v) => v?.toLowerCase().includes(search))) return false;
  for (const [key, value] of [['state', d.state], ['vendor', d.vendor], ['model', d.model], ['site', d.site]] as const) {
    const want = q.get(key);
    if (want && value !== want) return false;
  }
  return true;
}

function Choice({ name, label, values, query, set }: { name: string; label: string; values: string[]; query: URLSearchParams; set: (k: string, v: string) => void }) {
  const t = useText();
  return (
    <label>{label}<select name={name} value={query.get(name) ?? ''} onChange={(e) => set(name, (e.currentTarget as HTMLSelectElement).value)}>
      <option value="">{t('filter.all')}</option>
      {values.map((v) => <option key={v} value={v}>{v}</option>)}
    </select></label>
  );
}

function DeviceTable({ fleet, query }: { fleet: Device[]; query: URLSearchParams }) {
  const t = useText();
  const set = (key: string, value: string) => {
    const next: Record<string, string> = {};
    for (const k of new Set(query.keys())) next[k] = query.get(k) ?? '';
    next[key] = value;
    replaceQuery(next);
  };
  const distinct = (f: (d: Device) => string | undefined) => [...new Set(fleet.map(f).filter((v): v is string => !!v))].sort();
  const shown = fleet.filter((d) => matches(d, query));
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t('filter.search')}<input name="q" type="search" maxLength={200} value={query.get('q') ?? ''}
          onInput={(e) => set('q', (e.currentTarget as HTMLInputElement).value)} /></label>
        <Choice name="state" label={t('filter.state')} values={distinct((d) => d.state)} query={query} set={set} />
        <Choice name="site" label={t('filter.site')} values={distinct((d) => d.site)} query={query} set={set} />
        <Choice name="vendor" label={t('filter.vendor')} values={distinct((d) => d.vendor)} query={query} set={set} />
        <Choice name="model" label={t('filter.model')} values={distinct((d) => d.model)} query={query} set={set} />
      </form>
      <p class="count">{t('devices.count', { n: shown.length, total: fleet.length })}</p>
      <div class="scroll"><table class="list devices">
        <thead><tr><th>{t('col.device')}</th><th>{t('col.state')}</th><th>{t('col.address')}</th><th>{t('col.site')}</th>
          <th>{t('col.vendor')}</th><th>{t('col.model')}</th><th>{t('col.openIncidents')}</th><th>{t('col.rtt')}</th></tr></thead>
        <tbody>{shown.map((d) => (
          <tr key={d.name} class="device" data-device={d.name} data-state={d.state}>
            <td><a href={href(`/devices/${encodeURIComponent(d.name)}`)}>{d.name}</a></td>
            <td><Badge kind="dev" value={d.state} /></td><td>{d.address}</td><td>{d.site}</td>
            <td>{d.vendor ?? '–'}</td><td>{d.model ?? '–'}</td>
            <td class="open-incidents">{d.openIncidents > 0 ? <a href={href('/incidents', { device: d.name, state: ['open', 'acknowledged'] })}>{d.openIncidents}</a> : 0}</td>
            <td>{d.rttMs === undefined ? '–' : `${d.rttMs.toFixed(1)} ms`}{d.lossPct ? ` · ${d.lossPct.toFixed(0)}%` : ''}</td>
          </tr>
        ))}</tbody>
      </table></div>
    </>
  );
}

function Devices({ query }: { query: URLSearchParams }) {
  const t = useText();
  const fleet = useFleet();
  return <section><h1>{t('nav.devices')}</h1><Loading loaded={fleet}>{(f) => <DeviceTable fleet={f} query={query} />}</Loading></section>;
}

/** `#/devices`. */
export const devicesPage: PageDef = { path: '/devices', title: 'nav.devices', nav: true, role: 'viewer', component: Devices };
