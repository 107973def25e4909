/** The page language (zh-CN or en): chosen by the user, remembered in the browser, defaulting to the browser's own. */
import { Store } from './store.js';

/** The languages every user-facing text exists in. */
export const LANGS = ['en', 'zh-CN'] as const;
/** One of {@link LANGS}. */
export type Lang = (typeof LANGS)[number];

const KEY = 'noctua.lang';

function initial(): Lang {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'en' || fromUrl === 'zh-CN') return fromUrl;
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** The current language. */
export const lang = new Store<Lang>(initial());

/** Switches the language and remembers the choice. */
export function setLang(l: Lang): void {
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
  lang.set(l);
}

/**
 * A typed dictionary: every key exists in both languages (the zh-CN table must name every en key), and
 * values may take `{name}` placeholders.
 */
export function dictionary<K extends string>(en: Record<K, string>, zh: Record<K, string>) {
  const tables: Record<Lang, Record<K, string>> = { en, 'zh-CN': zh };
  return (l: Lang, key: K, vars: Record<string, string | number> = {}): string =>
    tables[l][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
