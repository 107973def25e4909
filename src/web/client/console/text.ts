/** Every word the console shows, in en and zh-CN. A key missing from either table fails the type check. */
import { dictionary, lang, type Lang } from '../shared/lang.js';
import { useStore } from '../shared/store.js';

const en = {
  'app.title': 'Noctua console',
  'nav.home': 'Home',
  'lang.switch': '中文',
  'user.signOut': 'Sign out',
  'user.role.viewer': 'viewer',
  'user.role.operator': 'operator',
  'user.role.admin': 'admin',
  'login.title': 'Sign in to Noctua',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.sso': 'Sign in with SSO',
  'login.failed': 'Sign-in failed: {message}',
  'page.notFound': 'There is no page at {path}.',
  'page.forbidden': 'Your role ({role}) may not open this page.',
  'home.welcome': 'Signed in as {name} ({role}).',
  'common.loading': 'Loading…',
  'common.error': 'Could not load: {message}',
};
type Key = keyof typeof en;

const zh: Record<Key, string> = {
  'app.title': 'Noctua 运维控制台',
  'nav.home': '首页',
  'lang.switch': 'English',
  'user.signOut': '退出登录',
  'user.role.viewer': '只读',
  'user.role.operator': '值班员',
  'user.role.admin': '管理员',
  'login.title': '登录 Noctua',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.sso': '单点登录（SSO）',
  'login.failed': '登录失败：{message}',
  'page.notFound': '没有此页面：{path}',
  'page.forbidden': '您的角色（{role}）无权打开此页面。',
  'home.welcome': '当前用户：{name}（{role}）',
  'common.loading': '加载中…',
  'common.error': '加载失败：{message}',
};

/** A console text key. */
export type TextKey = Key;

const lookup = dictionary<Key>(en, zh);

/** The text for `key` in `l`. */
export function text(l: Lang, key: Key, vars?: Record<string, string | number>): string {
  return lookup(l, key, vars);
}

/** A translator bound to the current language; the component re-renders when the language changes. */
export function useText(): (key: Key, vars?: Record<string, string | number>) => string {
  const l = useStore(lang);
  return (key, vars) => lookup(l, key, vars);
}
