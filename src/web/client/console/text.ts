/** Every word the console shows, in en and zh-CN. A key missing from either table fails the type check. */
import { dictionary, lang, type Lang } from '../shared/lang.js';
import { useStore } from '../shared/store.js';
import { en, type Key } from './text-en.js';
import { zh } from './text-zh.js';

/** A console text key. */
export type TextKey = Key;

const lookup = dictionary<Key>(en, zh);

/** True when `key` names a console text (state and severity values that may have no word of their own). */
export function hasText(key: string): key is Key {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** The text for `key` in `l`. */
export function text(l: Lang, key: Key, vars?: Record<string, string | number>): string {
  return lookup(l, key, vars);
}

/** A translator bound to the current language; the component re-renders when the language changes. */
export function useText(): (key: Key, vars?: Record<string, string | number>) => string {
  const l = useStore(lang);
  return (key, vars) => lookup(l, key, vars);
}
