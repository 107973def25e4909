/**
 * The availability map: every site as a block with its counts by state, every device as a square coloured
 * by state, problems enlarged and first (geometry in layout.ts). Sized from its own box, which the page
 * gives it and never grows: the map fits the screen at any fleet size, or pages through the sites.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Lang } from '../shared/lang.js';
import { ms } from './format.js';
import { isProblem, layoutMap, pageSites, type MapLayout, type PlacedSite, type PlacedTile, type WallState } from './layout.js';
import { wallText } from './text.js';
import type { WireDevice } from './wire.js';

/** Squares at least this big when paging: a paged wall is for reading names from across the room. */
const PAGE_MIN_CELL = 48;
/** Height of the page line above a paged map. */
const PAGER_PX = 28;
/** Problem counts shown in a block header before "up/total", in this order. */
const HEADER_STATES: readonly WallState[] = ['down', 'unreachable', 'unknown', 'maintenance'];

/** A length in CSS pixels (Preact does not add the unit to numbers). */
function px(n: number): string {
  return `${n}px`;
}

/** An absolutely placed box. */
function box(x: number, y: number, w: number, h: number, more: Record<string, string> = {}): Record<string, string> {
  return { left: px(x), top: px(y), width: px(w), height: px(h), ...more };
}

function Tile({ t, d, lang }: { t: PlacedTile; d: WireDevice | undefined; lang: Lang }) {
  const full = t.w >= 64 && t.h >= 44;
  const named = full || (t.w >= 44 && t.h >= 16);
  const rtt = d?.state === 'up' && typeof d.rttMs === 'number' ? ` · ${ms(d.rttMs)}` : '';
  const fontSize = Math.max(9, Math.min(16, Math.floor(Math.min(t.h * (full ? 0.22 : 0.5), t.w / (full ? 7 : 9)))));
  return (
    <div
      class={`tile state-${t.state}${t.problem ? ' problem' : ''}${named ? ' named' : ''}${full ? ' full' : ''}`} data-device={t.name} data-state={t.state}
      title={[t.name, d?.address, d?.reason].filter(Boolean).join(' · ')}
      style={box(t.x, t.y, t.w, t.h, { fontSize: px(fontSize) })}
    >
      {named && <span class="name">{t.name}</span>}
      {full && <span class="meta">{wallText(lang, t.state)}{rtt}</span>}
    </div>
  );
}

function SiteBlock({ s, layout, devices, lang }: { s: PlacedSite; layout: MapLayout; devices: Map<string, WireDevice>; lang: Lang }) {
  const c = s.counts;
  const data = Object.fromEntries(Object.entries(c).map(([k, n]) => [`data-${k}`, String(n)]));
  return (
    <section class="site" data-site={s.site} {...data} style={box(s.x, s.y, s.w, s.h)}>
      <h2 style={{ height: px(layout.headerPx), fontSize: px(Math.round(layout.headerPx * 0.62)) }}>
        <span class="site-name">{s.site}</span>
        <span class="counts">
          {HEADER_STATES.filter((st) => c[st] > 0).map((st) => (
            <span key={st} class={`n n-${st}`} data-state={st} title={wallText(lang, st)}>{c[st]}</span>
          ))}
          <span class="n n-up" data-state="up" title={`${wallText(lang, 'up')}/${wallText(lang, 'devices')}`}>{c.up}/{c.total}</span>
        </span>
      </h2>
      {s.tiles.map((t) => <Tile key={t.name} t={t} d={devices.get(t.name)} lang={lang} />)}
    </section>
  );
}

/** Which page of sites shows, advancing every `everyMs`; null when the wall shows all sites at once. */
function usePage(all: WireDevice[], width: number, height: number, everyMs: number) {
  const pages = useMemo(() => (everyMs > 0 && width > 0 ? pageSites(all, width, height - PAGER_PX, PAGE_MIN_CELL) : null), [all, width, height, everyMs]);
  const [tick, setTick] = useState(0);
  const count = pages?.length ?? 0;
  useEffect(() => {
    if (count < 2) return undefined;
    const id = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(id);
  }, [count, everyMs]);
  const hot = useMemo(() => {
    const sites = new Set(all.filter((d) => isProblem(d.state)).map((d) => d.site));
    return (pages ?? []).map((p) => p.some((s) => sites.has(s)));
  }, [all, pages]);
  if (!pages || pages.length < 2) return null;
  const index = tick % pages.length;
  return { index, pages, hot, sites: new Set(pages[index]) };
}

/** The map: `devicesVersion` changes whenever a device does, so the layout is computed only then. */
export function SiteMap({ devices, devicesVersion, pageEveryMs, lang }: {
  devices: Map<string, WireDevice>; devicesVersion: number; pageEveryMs: number; lang: Lang;
}) {
  const ref = useRef<HTMLElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => setSize((s) => (s.w === el.clientWidth && s.h === el.clientHeight ? s : { w: el.clientWidth, h: el.clientHeight }));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // The feed changes its maps in place: devicesVersion is what says the map's contents changed.
  const all = useMemo(() => [...devices.values()], [devices, devicesVersion]);
  const page = usePage(all, size.w, size.h, pageEveryMs);
  const shown = useMemo(() => (page ? all.filter((d) => page.sites.has(d.site)) : all), [all, page?.index, page?.pages]);
  const top = page ? PAGER_PX : 0;
  const layout = useMemo(() => (size.w > 0 ? layoutMap(shown, size.w, size.h - top) : null), [shown, size, top]);
  return (
    <section id="sites" class="map" ref={ref} aria-label={wallText(lang, 'map')}>
      {page && (
        <div id="pager" class="pager" style={{ height: px(PAGER_PX) }} data-page={page.index + 1} data-pages={page.pages.length}>
          {wallText(lang, 'page', { n: page.index + 1, of: page.pages.length })}
          {page.pages.map((p, i) => <span key={i} class={`dot${i === page.index ? ' on' : ''}${page.hot[i] ? ' hot' : ''}`} title={p.join(', ')} />)}
        </div>
      )}
      {layout && (
        <div
          class="map-body"
          style={{ top: px(top), width: px(size.w), height: px(layout.usedHeight), transform: layout.scale < 1 ? `scale(${layout.scale})` : undefined }}
          data-cell={layout.cell} data-columns={layout.columns} data-problem-cells={layout.problemCells.join('x')} data-scale={layout.scale.toFixed(3)}
        >
          {layout.sites.map((s) => <SiteBlock key={s.site} s={s} layout={layout} devices={devices} lang={lang} />)}
        </div>
      )}
    </section>
  );
}
