/**
 * The wall's data: one snapshot from /api/v1/wall, then live changes from /api/v1/stream (Server-Sent
 * Events). The stream carries changes only, so a lost stream starts over from a fresh snapshot, and the
 * snapshot is read again once the stream is open (a change between the two reads would be lost otherwise).
 */
import type { Lang } from '../shared/lang.js';
import type { WireDevice, WireIncident, WireIncidentEvent, WireOnCall, WireStatus, WireWall, WireWan } from './wire.js';

/** One WAN link as the sparklines draw it: the median line, its min–max band, loss (null: no data in that bucket). */
export interface WanLine {
  rtt: (number | null)[];
  rttMin: (number | null)[];
  rttMax: (number | null)[];
  loss: (number | null)[];
}

/** Why the wall cannot show live data, as far as the feed knows. */
export type FeedError = { kind: 'auth'; reason: 'missing' | 'bad' | 'role' } | { kind: 'load'; reason: string };

/** Everything the wall shows, kept current by {@link WallFeed}. */
export interface WallView {
  lang: Lang | null;
  devices: Map<string, WireDevice>;
  incidents: Map<string, WireIncident>;
  onCall: WireOnCall[];
  wan: Map<string, WanLine>;
  status: WireStatus | null;
  staleAfterMs: number;
  pageEveryMs: number;
  lastMessageAt: number;
  streamLostAt: number;
  error: FeedError | null;
  loaded: boolean;
  /** Bumped whenever a device changes, so the map is laid out again only then. */
  devicesVersion: number;
}

const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 30_000;
/** Sparklines come from storage and on-call from the schedule; neither is on the stream. */
const SLOW_REFRESH_MS = 30_000;
/** A freshly opened wall often loads before the first ICMP cycle ends: refresh latency soon after. */
const FIRST_REFRESH_MS = 10_000;

function wanLine(w: WireWan): WanLine {
  const values = (points: WireWan['rtt']) => points.map((p) => p.value);
  return { rtt: values(w.rtt), rttMin: values(w.rttMin), rttMax: values(w.rttMax), loss: values(w.loss) };
}

/** The snapshot and the stream, with reconnection; tells its subscribers after every change. */
export class WallFeed {
  readonly view: WallView;
  private readonly listeners = new Set<() => void>();
  private source: EventSource | null = null;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Events that arrive while the snapshot is reloading; null when none is. */
  private held: (() => void)[] | null = null;

  constructor(private readonly token: string, lang: Lang | null) {
    this.view = {
      lang, devices: new Map(), incidents: new Map(), onCall: [], wan: new Map(), status: null,
      staleAfterMs: 90_000, pageEveryMs: 0, lastMessageAt: 0, streamLostAt: 0, error: null, loaded: false, devicesVersion: 0,
    };
  }

  /** Calls `fn` after every change; returns the function that stops it. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  /** Loads the snapshot, opens the stream and keeps the slow parts fresh. */
  start(): void {
    void this.begin();
    setTimeout(() => void this.refreshSlowParts(), FIRST_REFRESH_MS);
    setInterval(() => void this.refreshSlowParts(), SLOW_REFRESH_MS);
  }

  /** Switches between zh-CN and en. */
  toggleLang(): void {
    this.view.lang = (this.view.lang ?? 'en') === 'en' ? 'zh-CN' : 'en';
    this.changed();
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private touched(): void {
    this.view.lastMessageAt = Date.now();
    this.changed();
  }

  private async fetchSnapshot(): Promise<WireWall | FeedError> {
    let res: Response;
    try {
      res = await fetch('/api/v1/wall', { headers: this.token ? { authorization: `Bearer ${this.token}` } : {}, cache: 'no-store' });
    } catch (err) {
      return { kind: 'load', reason: err instanceof Error ? err.message : String(err) };
    }
    if (res.status === 401) return { kind: 'auth', reason: this.token ? 'bad' : 'missing' };
    if (res.status === 403) return { kind: 'auth', reason: 'role' };
    if (!res.ok) return { kind: 'load', reason: `HTTP ${res.status}` };
    try {
      return await res.json() as WireWall;
    } catch (err) {
      return { kind: 'load', reason: err instanceof Error ? err.message : String(err) };
    }
  }

  private async loadSnapshot(): Promise<boolean> {
    const snap = await this.fetchSnapshot();
    const v = this.view;
    if ('kind' in snap) { v.error = snap; return false; }
    v.error = null;
    v.lang = v.lang ?? snap.locale;
    v.staleAfterMs = snap.staleAfterMs;
    v.pageEveryMs = snap.pageEveryMs;
    v.devices = new Map(snap.devices.map((d) => [d.name, d]));
    v.devicesVersion += 1;
    v.incidents = new Map(snap.incidents.map((i) => [i.id, i]));
    v.onCall = snap.onCall;
    v.wan = new Map(snap.wan.map((w) => [w.device, wanLine(w)]));
    v.status = snap.status;
    v.lastMessageAt = Date.now();
    v.loaded = true;
    return true;
  }

  private applyDevice(d: WireDevice): void {
    this.view.devices.set(d.name, d);
    this.view.devicesVersion += 1;
    if (d.tags.includes('wan') && !this.view.wan.has(d.name)) this.view.wan.set(d.name, { rtt: [], rttMin: [], rttMax: [], loss: [] });
  }

  private applyIncident(e: WireIncidentEvent): void {
    if (e.incident.state === 'resolved') this.view.incidents.delete(e.incident.id);
    else this.view.incidents.set(e.incident.id, e.incident);
  }

  private apply(fn: () => void): void {
    if (this.held) this.held.push(fn);
    else fn();
    this.touched();
  }

  /** Reads the snapshot again once the stream is open, and replays on top of it what the stream delivered meanwhile. */
  private async resync(opened: EventSource): Promise<void> {
    this.held = [];
    await this.loadSnapshot();
    const replay = this.held;
    this.held = null;
    // A newer connection resyncs on its own; otherwise the held events go on top of whatever state is now.
    if (opened === this.source) for (const fn of replay) fn();
    this.changed();
  }

  private listen<T>(source: EventSource, event: string, fn: (data: T) => void): void {
    source.addEventListener(event, (e) => {
      let data: T;
      try { data = JSON.parse((e as MessageEvent<string>).data) as T; } catch { return; }
      fn(data);
    });
  }

  private connect(): void {
    this.source?.close();
    const source = new EventSource('/api/v1/stream' + (this.token ? `?access_token=${encodeURIComponent(this.token)}` : ''));
    this.source = source;
    source.addEventListener('open', () => {
      this.view.streamLostAt = 0;
      this.retryMs = RETRY_MIN_MS;
      this.touched();
      void this.resync(source);
    });
    this.listen<WireStatus>(source, 'status', (s) => { this.view.status = s; this.touched(); });
    this.listen<WireDevice>(source, 'device', (d) => this.apply(() => this.applyDevice(d)));
    this.listen<WireIncidentEvent>(source, 'incident', (e) => this.apply(() => this.applyIncident(e)));
    source.addEventListener('error', () => {
      // Whatever happened while disconnected is lost: start over from a fresh snapshot.
      source.close();
      if (this.source === source) this.source = null;
      if (!this.view.streamLostAt) this.view.streamLostAt = Date.now();
      this.changed();
      this.restart();
    });
  }

  private restart(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.begin(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private async begin(): Promise<void> {
    const ok = await this.loadSnapshot();
    this.changed();
    if (ok) this.connect();
    else if (this.view.error?.kind !== 'auth') this.restart();
  }

  /** Sparklines, on-call and the latest latency and loss (which move every cycle without a state change). */
  private async refreshSlowParts(): Promise<void> {
    if (!this.view.loaded || this.view.error?.kind === 'auth') return;
    const snap = await this.fetchSnapshot();
    // A failed refresh only ages the sparklines; the stream's own error handling reports a lost server.
    if ('kind' in snap) return;
    const v = this.view;
    v.onCall = snap.onCall;
    v.wan = new Map(snap.wan.map((w) => [w.device, wanLine(w)]));
    for (const d of snap.devices) {
      const cur = v.devices.get(d.name);
      if (cur && cur.state === d.state) v.devices.set(d.name, { ...cur, rttMs: d.rttMs, lossPct: d.lossPct });
    }
    v.devicesVersion += 1;
    this.changed();
  }
}
