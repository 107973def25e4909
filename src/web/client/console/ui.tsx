/** Small pieces every console page uses: loading API data, times and durations, state and severity badges. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { lang } from '../shared/lang.js';
import { useStore } from '../shared/store.js';
import { hasText, useText } from './text.js';

/** What {@link useApi} holds: the last answer, the last error, and a way to ask again. */
export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs `path` (under /api/v1) and keeps the answer; asks again when `path` changes or `reload` is called.
 * An answer that arrives after a newer request was made is dropped, so a fast typist never sees an old list.
 */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const load = useCallback(() => {
    if (path === undefined) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    api<T>('GET', path).then(
      (data) => { if (mine === seq.current) setState({ data, loading: false }); },
      (err: unknown) => { if (mine === seq.current) setState((s) => ({ data: s.data, error: (err as Error).message, loading: false })); },
    );
  }, [path]);
  useEffect(load, [load]);
  return { ...state, reload: load };
}

/** Re-renders every `ms` milliseconds (SLA clocks, ages). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** A time in the user's language and zone, with the exact ISO time on hover. */
export function Time({ at }: { at: string | undefined }) {
  const l = useStore(lang);
  if (!at) return <span class="muted">–</span>;
  const d = new Date(at);
  return <time dateTime={at} title={at}>{d.toLocaleString(l, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })}</time>;
}

/** `1h 05m`, `4m 09s`, `12s`; negative durations are written with a minus sign. */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${two(m)}m`;
  if (m > 0) return `${sign}${m}m ${two(s)}s`;
  return `${sign}${s}s`;
}

/** Bits per second in the usual units. */
export function bps(v: number | undefined): string {
  if (v === undefined) return '–';
  const units = ['bps', 'kbps', 'Mbps', 'Gbps', 'Tbps'];
  let i = 0;
  let x = v;
  while (x >= 1000 && i < units.length - 1) { x /= 1000; i++; }
  return `${x >= 100 || i === 0 ? Math.round(x) : x.toFixed(1)} ${units[i]}`;
}

/** A coloured label for a state or severity; the text is the translated word, the class the raw value. */
export function Badge({ kind, value }: { kind: 'state' | 'sev' | 'dev'; value: string }) {
  const t = useText();
  const key = `${kind}.${value}`;
  const label = hasText(key) ? t(key) : value;
  return <span class={`badge ${kind}-${value}`} data-value={value}>{label}</span>;
}

/** A loading line, an error line, or the children once data is there. */
export function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  const t = useText();
  if (loaded.data !== undefined) {
    return <>{loaded.error && <p class="error" role="alert">{t('common.error', { message: loaded.error })}</p>}{children(loaded.data)}</>;
  }
  if (loaded.error) return <p class="error" role="alert">{t('common.error', { message: loaded.error })}</p>;
  return <p class="loading">{t('common.loading')}</p>;
}
