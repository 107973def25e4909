/** What the wall's address says: the API token, the language and the paging period for this screen. */
import type { Lang } from '../shared/lang.js';

const TOKEN_KEY = 'noctua.wallToken';
/** Shortest and longest paging period a screen may ask for with ?pageEvery= (seconds). */
const PAGE_EVERY_MIN_S = 5;
const PAGE_EVERY_MAX_S = 3600;

/** The wall's options for this screen. */
export interface WallOptions {
  token: string;
  lang: Lang | null;
  /** From ?pageEvery=SECONDS (0 turns paging off); undefined leaves it to the server's `api.wall.pageEvery`. */
  pageEveryMs: number | undefined;
}

function pageEvery(raw: string | null): number | undefined {
  if (raw === null || !/^\d{1,4}$/.test(raw)) return undefined;
  const s = Number(raw);
  if (s === 0) return 0;
  return s >= PAGE_EVERY_MIN_S && s <= PAGE_EVERY_MAX_S ? s * 1000 : undefined;
}

/**
 * Reads the options. The token arrives once in the URL (as `noctua lab` prints it) and is kept for reloads
 * of the wall screen, then taken out of the address bar so it does not end up in screenshots.
 */
export function readOptions(): WallOptions {
  const params = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = params.get('token') ?? fragment.get('token');
  const token = fromUrl ?? localStorage.getItem(TOKEN_KEY) ?? '';
  if (params.has('token') || fragment.has('token')) {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    params.delete('token');
    const q = params.toString();
    history.replaceState(null, '', location.pathname + (q ? `?${q}` : ''));
  }
  const l = params.get('lang');
  return { token, lang: l === 'en' || l === 'zh-CN' ? l : null, pageEveryMs: pageEvery(params.get('pageEvery')) };
}
