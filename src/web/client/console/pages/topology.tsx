/** `#/topology`: the devices and their LLDP/CDP links as a tree under their parents, and the locate search box. */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { locateAnswerJson } from '../../../../api/routes/locate.js';
import { api, withQuery } from '../../shared/api.js';
import { href, replaceQuery } from '../../shared/router.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Badge, bps, Loading, Time, useApi } from '../ui.js';
import { layoutTopology, NODE_H, NODE_W, type DrawnEdge, type DrawnNode, type TopologyAnswer } from './topology-layout.js';

type LocateAnswer = z.infer<typeof locateAnswerJson>;
type Place = NonNullable<LocateAnswer['hosts'][number]['best']>;

const FILL: Record<string, string> = { up: '#dcfae6', down: '#fee4e2', unreachable: '#fee4e2', maintenance: '#e0eaff', unknown: '#f2f4f7', unmanaged: '#ffffff' };
const STROKE: Record<string, string> = { up: '#067647', down: '#b42318', unreachable: '#b42318', maintenance: '#3538cd', unknown: '#98a2b3', unmanaged: '#98a2b3' };
const LINE: Record<DrawnEdge['kind'], { stroke: string; dash?: string }> = {
  link: { stroke: '#475467' }, lost: { stroke: '#d92d20', dash: '6 4' }, unmanaged: { stroke: '#98a2b3', dash: '2 3' }, parent: { stroke: '#7a5af8', dash: '1 5' },
};
/** Device text is cut for the drawing (the whole text is in the tooltip and the tables). */
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function Node({ n }: { n: DrawnNode }) {
  const box = (
    <g class={`node ${n.kind}`} data-id={n.id} data-state={n.state}>
      <title>{`${n.label}\n${n.sub}`}</title>
      <rect x={n.x} y={n.y} width={NODE_W} height={NODE_H} rx={6} fill={FILL[n.state] ?? '#fff'} stroke={STROKE[n.state] ?? '#98a2b3'} stroke-dasharray={n.kind === 'unmanaged' ? '4 3' : undefined} />
      <text x={n.x + 8} y={n.y + 18} font-size="13" font-weight={n.kind === 'device' ? 600 : 400}>{cut(n.label, 20)}</text>
      <text x={n.x + 8} y={n.y + 35} font-size="11" fill="#667085">{cut(n.sub, 22)}</text>
    </g>
  );
  return n.kind === 'device' ? <a href={href(`/devices/${encodeURIComponent(n.id)}`)}>{box}</a> : box;
}

function Edge({ e, at }: { e: DrawnEdge; at: Map<string, DrawnNode> }) {
  const a = at.get(e.from);
  const b = at.get(e.to);
  if (!a || !b) return null;
  const [x1, y1, x2, y2] = [a.x + NODE_W / 2, a.y + NODE_H / 2, b.x + NODE_W / 2, b.y + NODE_H / 2];
  const label = (f: number, text: string) => text && <text x={x1 + (x2 - x1) * f + 4} y={y1 + (y2 - y1) * f} font-size="10" fill="#344054">{cut(text, 18)}</text>;
  return (
    <g class={`edge ${e.kind}`} data-id={e.id}>
      <line x1={x1} y1={y1} x2={x2} y2={y2} stroke={LINE[e.kind].stroke} stroke-width={e.kind === 'link' ? 2 : 1.5} stroke-dasharray={LINE[e.kind].dash} />
      {label(0.3, e.fromPort)}{label(0.7, e.toPort)}
    </g>
  );
}

function Graph({ t, site }: { t: TopologyAnswer; site: string }) {
  const tx = useText();
  const d = layoutTopology(t, site);
  const at = new Map(d.nodes.map((n) => [n.id, n]));
  return (
    <>
      {d.shown < d.total && <p class="muted">{tx('topo.tooMany', { shown: d.shown, total: d.total })}</p>}
      <p class="legend muted">{tx('topo.legend')}</p>
      <div class="scroll topology-graph">
        <svg width={d.width} height={d.height} viewBox={`0 0 ${d.width} ${d.height}`} role="img" aria-label={tx('nav.topology')}>
          {/* Links under the boxes, so the boxes stay readable and clickable. */}
          {d.edges.map((e) => <Edge key={e.id} e={e} at={at} />)}
          {d.nodes.map((n) => <Node key={n.id} n={n} />)}
        </svg>
      </div>
    </>
  );
}

function Links({ t, site }: { t: TopologyAnswer; site: string }) {
  const tx = useText();
  const sites = new Map(t.nodes.map((n) => [n.name, n.site]));
  const links = t.links.filter((l) => !site || sites.get(l.a.device) === site || sites.get(l.b.device) === site);
  if (links.length === 0) return <p class="empty">{tx('topo.empty')}</p>;
  return (
    <div class="scroll"><table class="list links">
      <thead><tr><th>{tx('topo.col.a')}</th><th>{tx('topo.col.b')}</th><th>{tx('topo.col.state')}</th><th>{tx('topo.col.speed')}</th><th>{tx('topo.col.protocol')}</th><th>{tx('topo.col.lastSeen')}</th></tr></thead>
      <tbody>{links.map((l) => (
        <tr key={l.id} data-lost={String(l.lost)}>
          <td><a href={href(`/devices/${encodeURIComponent(l.a.device)}`)}>{l.a.device}</a> {l.a.port}</td>
          <td><a href={href(`/devices/${encodeURIComponent(l.b.device)}`)}>{l.b.device}</a> {l.b.port}</td>
          <td>{l.lost ? tx('topo.link.lost') : tx('topo.link.seen')}</td><td>{bps(l.a.speedBps ?? l.b.speedBps)}</td>
          <td>{l.protocol}</td><td><Time at={l.lastSeen} /></td>
        </tr>
      ))}</tbody>
    </table></div>
  );
}

function Unmanaged({ t }: { t: TopologyAnswer }) {
  const tx = useText();
  if (t.unmanaged.length === 0) return null;
  return (
    <>
      <h2>{tx('topo.unmanaged')}</h2>
      <div class="scroll"><table class="list unmanaged">
        <thead><tr><th>{tx('topo.col.name')}</th><th>{tx('topo.col.address')}</th><th>{tx('topo.col.seenBy')}</th></tr></thead>
        <tbody>{t.unmanaged.map((u) => (
          <tr key={u.key}><td>{u.sysName || u.chassisId}</td><td>{u.mgmtAddress || '–'}</td><td>{u.seenBy.map((s) => `${s.device} ${s.port}`).join(', ')}</td></tr>
        ))}</tbody>
      </table></div>
    </>
  );
}

function PlaceLine({ p }: { p: Place }) {
  const t = useText();
  return (
    <span class="place">
      <a href={href(`/devices/${encodeURIComponent(p.device)}`)}>{p.device}</a> <strong class="port">{p.ifName}</strong>
      {p.vlan !== undefined && ` VLAN ${p.vlan}`} · {p.uplink ? t('locate.uplink') : t('locate.edge')} · {t('locate.macs', { n: p.macsOnPort })}
      {' · '}{t('locate.lastSeen')} <Time at={p.lastSeen} />{!p.current && ` (${t('locate.stale')})`}
    </span>
  );
}

function Locate() {
  const t = useText();
  const [q, setQ] = useState('');
  const [state, setState] = useState<{ answer?: LocateAnswer; error?: string; busy: boolean }>({ busy: false });
  const submit = async (e: Event) => {
    e.preventDefault();
    setState({ busy: true });
    try { setState({ busy: false, answer: await api<LocateAnswer>('GET', withQuery('/locate', { q })) }); } catch (err) { setState({ busy: false, error: (err as Error).message }); }
  };
  const a = state.answer;
  return (
    <section class="locate">
      <h2>{t('locate.title')}</h2>
      <form class="filters" onSubmit={submit}>
        <label>{t('locate.query')}<input name="locate" type="search" maxLength={253} value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" disabled={state.busy || q.trim() === ''}>{t('locate.submit')}</button>
      </form>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {a && a.devices.length > 0 && <p class="muted">{t('locate.devices')}: {a.devices.join(', ')}</p>}
      {a && a.neighbours.map((n) => <p key={n.chassisId + n.sysName} class="neighbour">{t('locate.neighbours')}: {n.sysName} @ {n.seenBy.map((s) => `${s.device} ${s.port}`).join(', ')}</p>)}
      {a && a.hosts.length === 0 && <p class="empty">{t('locate.none')}</p>}
      {a && a.hosts.map((h) => (
        <dl class="identity host" key={h.mac}>
          <dt>MAC</dt><dd class="mac">{h.mac}</dd>
          <dt>{t('locate.vendor')}</dt><dd class="vendor">{h.vendor ?? h.vendorNote ?? '–'}</dd>
          <dt>{t('locate.best')}</dt><dd class="best">{h.best ? <PlaceLine p={h.best} /> : t('locate.none')}</dd>
          {h.ips.length > 0 && <><dt>{t('locate.ips')}</dt><dd>{h.ips.map((i) => i.ip).join(', ')}</dd></>}
          {h.locations.length > 1 && <><dt>{t('locate.also')}</dt><dd>{h.locations.slice(1).map((l) => <div key={`${l.device}|${l.ifName}|${l.vlan ?? ''}`}><PlaceLine p={l} /></div>)}</dd></>}
        </dl>
      ))}
    </section>
  );
}

function TopologyPage({ query }: { query: URLSearchParams }) {
  const t = useText();
  const loaded = useApi<TopologyAnswer>('/topology');
  const site = query.get('site') ?? '';
  return (
    <section>
      <h1>{t('nav.topology')}</h1>
      <Locate />
      <Loading loaded={loaded}>{(topo) => <>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>{t('filter.site')}<select name="site" value={site} onChange={(e) => replaceQuery({ site: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{t('filter.all')}</option>
            {[...new Set(topo.nodes.map((n) => n.site))].sort().map((s) => <option key={s} value={s}>{s}</option>)}
          </select></label>
        </form>
        <Graph t={topo} site={site} />
        <h2>{t('topo.links')}</h2>
        <Links t={topo} site={site} />
        <Unmanaged t={topo} />
        <h2>{t('topo.parents')}</h2>
        <div class="scroll"><table class="list parents">
          <thead><tr><th>{t('topo.col.name')}</th><th>{t('topo.col.state')}</th><th>{t('topo.parents')}</th></tr></thead>
          <tbody>{topo.nodes.filter((n) => !site || n.site === site).map((n) => (
            <tr key={n.name}><td><a href={href(`/devices/${encodeURIComponent(n.name)}`)}>{n.name}</a></td><td><Badge kind="dev" value={n.state} /></td>
              <td>{n.parent ? `${n.parent} (${n.parentFrom === 'derived' ? t('topo.parent.derived') : t('topo.parent.configured')})` : '–'}</td></tr>
          ))}</tbody>
        </table></div>
      </>}</Loading>
    </section>
  );
}

/** `#/topology`. */
export const topologyPage: PageDef = { path: '/topology', title: 'nav.topology', nav: true, role: 'viewer', component: TopologyPage };
