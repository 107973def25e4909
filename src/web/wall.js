// The NOC wall: one snapshot from /api/v1/wall, then live changes from /api/v1/stream (Server-Sent Events).
// Plain browser JavaScript served as-is by fastify; every value from the API goes in through textContent.

import { TEXT } from './wall-text.js';

const SEVERITY_ORDER = { P1: 0, P2: 1, P3: 2, P4: 3 };
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
// The token arrives once in the URL (as `noctua lab` prints it) and is kept for reloads of the wall screen,
// then taken out of the address bar so it does not end up in screenshots.
let token = params.get('token') ?? fragment.get('token') ?? localStorage.getItem('noctua.wallToken') ?? '';
if (params.has('token') || fragment.has('token')) {
  if (token) localStorage.setItem('noctua.wallToken', token);
  params.delete('token');
  const q = params.toString();
  history.replaceState(null, '', location.pathname + (q ? `?${q}` : ''));
}

const state = {
  lang: params.get('lang') === 'zh-CN' || params.get('lang') === 'en' ? params.get('lang') : null,
  devices: new Map(),
  incidents: new Map(),
  onCall: [],
  wan: new Map(),
  status: null,
  staleAfterMs: 90_000,
  lastMessageAt: 0,
  streamLostAt: 0,
  loadError: '',
  authError: '',
  loaded: false,
};
let source = null;
let retryMs = 2000;
let retryTimer = 0;

function t(key, vars = {}) {
  const table = TEXT[state.lang ?? 'en'] ?? TEXT.en;
  return (table[key] ?? TEXT.en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function age(fromIso, now = Date.now()) {
  const s = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

/** A round-trip time as the wall shows it; a LAN answers in well under 0.1 ms, which "0.0 ms" would misstate as nothing. */
function ms(v) {
  return v < 0.1 ? '<0.1 ms' : `${v.toFixed(1)} ms`;
}

function headers() {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function loadSnapshot() {
  let res;
  try {
    res = await fetch('/api/v1/wall', { headers: headers(), cache: 'no-store' });
  } catch (err) {
    state.loadError = String(err.message ?? err);
    return false;
  }
  if (res.status === 401) { state.authError = token ? t('authBad') : t('authMissing'); return false; }
  if (res.status === 403) { state.authError = t('authRole'); return false; }
  if (!res.ok) { state.loadError = `HTTP ${res.status}`; return false; }
  const snap = await res.json();
  state.authError = '';
  state.loadError = '';
  state.lang = state.lang ?? snap.locale;
  state.staleAfterMs = snap.staleAfterMs;
  state.devices = new Map(snap.devices.map((d) => [d.name, d]));
  state.incidents = new Map(snap.incidents.map((i) => [i.id, i]));
  state.onCall = snap.onCall;
  state.wan = new Map(snap.wan.map((w) => [w.device, wanLine(w)]));
  state.status = snap.status;
  state.lastMessageAt = Date.now();
  state.loaded = true;
  return true;
}

function applyDevice(d) {
  state.devices.set(d.name, d);
  if (d.tags.includes('wan') && !state.wan.has(d.name)) state.wan.set(d.name, { rtt: [], rttMin: [], rttMax: [], loss: [] });
}

/** One WAN link of /api/v1/wall as the sparklines draw it: the median line, its min–max band, loss. */
function wanLine(w) {
  const values = (points) => (points ?? []).map((p) => p.value);
  return { rtt: values(w.rtt), rttMin: values(w.rttMin), rttMax: values(w.rttMax), loss: values(w.loss) };
}

function applyIncident(ev) {
  if (ev.incident.state === 'resolved') state.incidents.delete(ev.incident.id);
  else state.incidents.set(ev.incident.id, ev.incident);
}

/** Events that arrive while the snapshot is reloading; null when none is. */
let held = null;

function apply(fn, data) {
  if (held) held.push([fn, data]);
  else fn(data);
  touched();
}

/**
 * The first snapshot was read before the stream was subscribed, so a change in between would be
 * missed for good (a device that came up just then stays "unknown"). Once the stream is open, read
 * the snapshot again and replay on top of it whatever the stream delivered meanwhile, in order.
 */
async function resync(opened) {
  held = [];
  await loadSnapshot();
  const replay = held;
  held = null;
  // A newer connection resyncs on its own; otherwise the held events go on top of whatever state is now.
  if (opened === source) for (const [fn, data] of replay) fn(data);
  schedule();
}

function connect() {
  if (source) source.close();
  const url = '/api/v1/stream' + (token ? `?access_token=${encodeURIComponent(token)}` : '');
  source = new EventSource(url);
  source.addEventListener('open', () => {
    state.streamLostAt = 0; retryMs = 2000; state.lastMessageAt = Date.now(); schedule();
    void resync(source);
  });
  source.addEventListener('status', (e) => { state.status = JSON.parse(e.data); touched(); });
  source.addEventListener('device', (e) => apply(applyDevice, JSON.parse(e.data)));
  source.addEventListener('incident', (e) => apply(applyIncident, JSON.parse(e.data)));
  source.addEventListener('error', () => {
    // Whatever happened while disconnected is lost: start over from a fresh snapshot.
    source.close();
    source = null;
    if (!state.streamLostAt) state.streamLostAt = Date.now();
    schedule();
    restart();
  });
}

/**
 * Sparklines come from storage and on-call from the schedule, neither of which the stream carries:
 * refresh both once a minute from the snapshot.
 */
async function refreshSlowParts() {
  if (!state.loaded || state.authError) return;
  try {
    const res = await fetch('/api/v1/wall', { headers: headers(), cache: 'no-store' });
    if (!res.ok) return;
    const snap = await res.json();
    state.onCall = snap.onCall;
    state.wan = new Map(snap.wan.map((w) => [w.device, wanLine(w)]));
    // The stream sends a device only when its state changes; its latency and loss move every cycle.
    for (const d of snap.devices) {
      const cur = state.devices.get(d.name);
      if (cur && cur.state === d.state) state.devices.set(d.name, { ...cur, rttMs: d.rttMs, lossPct: d.lossPct });
    }
    schedule();
  } catch {
    // The stream's own error handling reports a lost server; a missed refresh only ages the sparklines.
  }
}
// A freshly opened wall often loads before the first ICMP cycle has finished: fetch latency and sparklines
// again soon after, then every 30 s (one small snapshot per screen).
setTimeout(refreshSlowParts, 10_000);
setInterval(refreshSlowParts, 30_000);

function touched() {
  state.lastMessageAt = Date.now();
  schedule();
}

function restart() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(start, retryMs);
  retryMs = Math.min(retryMs * 2, 30_000);
}

async function start() {
  const ok = await loadSnapshot();
  schedule();
  if (ok) connect();
  else if (!state.authError) restart();
}

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

function staleReason(now) {
  if (state.authError) return { kind: 'auth', text: state.authError };
  if (state.loadError) return { kind: 'stale', text: t('loadFailed', { reason: state.loadError }) };
  if (!state.loaded) return null;
  if (state.streamLostAt) return { kind: 'stale', text: t('staleStream', { since: new Date(state.streamLostAt).toLocaleTimeString(state.lang ?? 'en', { hour12: false }) }) };
  if (now - state.lastMessageAt > state.staleAfterMs) return { kind: 'stale', text: t('staleSilent', { age: age(new Date(state.lastMessageAt).toISOString(), now) }) };
  const s = state.status;
  if (s && s.pollerStale) {
    return { kind: 'stale', text: s.lastCycleAt ? t('stalePoller', { age: age(s.lastCycleAt, now) }) : t('stalePollerNever') };
  }
  return null;
}

function renderBanner(now) {
  const banner = $('banner');
  const reason = staleReason(now);
  banner.hidden = !reason;
  banner.className = reason?.kind === 'auth' ? 'banner auth' : 'banner';
  banner.dataset.kind = reason?.kind ?? '';
  banner.textContent = reason?.text ?? '';
  document.body.classList.toggle('stale', reason?.kind === 'stale');
}

function renderStatic() {
  document.documentElement.lang = state.lang ?? 'en';
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('lang').textContent = t('lang');
}

function renderCounters() {
  const devices = [...state.devices.values()];
  const open = [...state.incidents.values()];
  const p1 = open.filter((i) => i.severity === 'P1').length;
  const p2 = open.filter((i) => i.severity === 'P2').length;
  $('c-up').textContent = `${devices.filter((d) => d.state === 'up').length}/${devices.length}`;
  $('c-p1').textContent = String(p1);
  $('c-p2').textContent = String(p2);
  $('c-maint').textContent = String(devices.filter((d) => d.state === 'maintenance').length);
  $('c-p1').parentElement.classList.toggle('hot', p1 > 0);
  $('c-p2').parentElement.classList.toggle('hot', p2 > 0);
}

function renderOnCall() {
  const box = $('oncall');
  box.replaceChildren(el('span', '', `${t('onCall')}: `));
  if (state.onCall.length === 0) { box.append(el('span', 'empty', t('nobodyOnCall'))); return; }
  state.onCall.forEach((e, i) => {
    if (i > 0) box.append(el('span', '', ' · '));
    box.append(el('span', '', state.lang === 'zh-CN' ? `${t('tier')}${e.tier}级 ` : `${t('tier')}${e.tier} `));
    box.append(el('b', '', e.name));
    if (e.contact) box.append(el('span', '', ` ${e.contact}`));
  });
}

function renderSites() {
  const bySite = new Map();
  for (const d of state.devices.values()) {
    if (!bySite.has(d.site)) bySite.set(d.site, []);
    bySite.get(d.site).push(d);
  }
  const sections = [...bySite.keys()].sort().map((site) => {
    const devices = bySite.get(site).sort((a, b) => a.name.localeCompare(b.name));
    const section = el('section', 'site');
    section.dataset.site = site;
    const h = el('h2', '', site);
    const up = devices.filter((d) => d.state === 'up').length;
    h.append(el('span', 'count', `${up}/${devices.length} ${t('sites')}`));
    const tiles = el('div', 'tiles');
    for (const d of devices) {
      const tile = el('div', `tile state-${d.state}`);
      tile.dataset.device = d.name;
      tile.dataset.state = d.state;
      tile.title = [d.name, d.address, d.reason].filter(Boolean).join(' · ');
      tile.append(el('span', 'name', d.name));
      const rtt = d.state === 'up' && typeof d.rttMs === 'number' ? ` · ${ms(d.rttMs)}` : '';
      tile.append(el('span', 'meta', `${t(d.state)}${rtt}`));
      tiles.append(tile);
    }
    section.append(h, tiles);
    return section;
  });
  $('sites').replaceChildren(...sections);
}

function renderIncidents(now) {
  const list = $('incidents');
  const open = [...state.incidents.values()].sort((a, b) =>
    (a.state === 'acknowledged') - (b.state === 'acknowledged') ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    Date.parse(a.openedAt) - Date.parse(b.openedAt));
  if (open.length === 0) { list.replaceChildren(el('li', 'empty', t('noIncidents'))); return; }
  list.replaceChildren(...open.map((i) => {
    const li = el('li', `incident sev-${i.severity}`);
    li.dataset.incident = i.id;
    li.dataset.state = i.state;
    li.append(el('span', 'sev', i.severity), el('span', 'title', i.title), el('span', 'age', age(i.openedAt, now)));
    li.append(el('span', 'where', [i.device, i.site].filter(Boolean).join(' · ')));
    li.append(i.state === 'acknowledged'
      ? el('span', 'ack yes', `${t('ackBy')} ${i.acknowledgedBy ?? '?'}`)
      : el('span', 'ack no', t('notAck')));
    return li;
  }));
}

/**
 * A sparkline of `values`; with `band` ({ lo, hi }, same length), the Smokeping look: the lo–hi range shaded
 * behind the line (buckets where either edge is missing are left out of the shape).
 */
function sparkline(values, cls, max, band) {
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 100 20');
  svg.setAttribute('preserveAspectRatio', 'none');
  const nums = [...values, ...(band ? band.hi : [])].filter((v) => typeof v === 'number');
  const top = max ?? Math.max(1, ...nums) * 1.1;
  const step = values.length > 1 ? 100 / (values.length - 1) : 100;
  const xy = (v, i) => `${(i * step).toFixed(1)},${(20 - (v / top) * 20).toFixed(1)}`;
  if (band) {
    const both = values.map((_, i) => i).filter((i) => typeof band.lo[i] === 'number' && typeof band.hi[i] === 'number');
    if (both.length > 0) {
      const shape = document.createElementNS(svgNs, 'polygon');
      shape.setAttribute('class', `${cls}-band`);
      shape.setAttribute('points', [...both.map((i) => xy(band.hi[i], i)), ...both.reverse().map((i) => xy(band.lo[i], i))].join(' '));
      // Drawn here rather than in wall.css: the band belongs to the line it surrounds.
      shape.setAttribute('fill', '#7fd1ff');
      shape.setAttribute('fill-opacity', '0.25');
      shape.setAttribute('stroke', 'none');
      svg.append(shape);
    }
  }
  const pts = [];
  values.forEach((v, i) => { if (typeof v === 'number') pts.push(xy(v, i)); });
  const line = document.createElementNS(svgNs, 'polyline');
  line.setAttribute('class', cls);
  line.setAttribute('points', pts.join(' '));
  svg.append(line);
  return svg;
}

function renderWan() {
  const box = $('wan');
  const links = [...state.wan.entries()].sort(([a], [b]) => a.localeCompare(b));
  box.replaceChildren(...links.map(([name, s]) => {
    const row = el('div', 'link');
    row.dataset.link = name;
    const charts = el('div', 'charts');
    charts.append(sparkline(s.rtt, 'rtt', undefined, { lo: s.rttMin, hi: s.rttMax }), sparkline(s.loss, 'loss', 100));
    // The figures come from the live device state: a link that stopped answering has no latency, not its last good one.
    const d = state.devices.get(name);
    const lastRtt = d && d.state !== 'unreachable' && typeof d.rttMs === 'number' ? d.rttMs : undefined;
    const lastLoss = d && typeof d.lossPct === 'number' ? d.lossPct : undefined;
    const now = el('div', 'now');
    now.append(el('div', '', `${t('rtt')} ${lastRtt === undefined ? '–' : ms(lastRtt)}`));
    now.append(el('div', '', `${t('loss')} ${lastLoss === undefined ? '–' : lastLoss.toFixed(0) + '%'}`));
    row.append(el('div', 'name', name), charts, now);
    return row;
  }));
}

function render() {
  const now = Date.now();
  renderStatic();
  renderClock(now);
  renderBanner(now);
  renderCounters();
  renderOnCall();
  renderSites();
  renderIncidents(now);
  renderWan();
}

function renderClock(now) {
  $('clock').textContent = new Date(now).toLocaleTimeString(state.lang ?? 'en', { hour12: false });
}

// Ages, the clock and staleness move with time even when nothing arrives.
setInterval(() => {
  const now = Date.now();
  renderClock(now);
  renderBanner(now);
  for (const li of document.querySelectorAll('.incident')) {
    const i = state.incidents.get(li.dataset.incident);
    if (i) li.querySelector('.age').textContent = age(i.openedAt, now);
  }
}, 1000);

$('lang').addEventListener('click', () => {
  state.lang = (state.lang ?? 'en') === 'en' ? 'zh-CN' : 'en';
  schedule();
});

start();
