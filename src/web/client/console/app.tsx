/** The console frame: header with the menu, language switch and user; the page the location names; or the login page. */
import { lang, setLang } from '../shared/lang.js';
import { match, route } from '../shared/router.js';
import { can, session, signOut } from '../shared/session.js';
import { useStore } from '../shared/store.js';
import { Login } from './login.js';
import { PAGES } from './pages/index.js';
import { useText } from './text.js';

function Header() {
  const t = useText();
  const l = useStore(lang);
  const s = useStore(session);
  const { path } = useStore(route);
  return (
    <header class="top">
      <a class="brand" href="#/">Noctua</a>
      <nav>
        {s.kind === 'in' && PAGES.filter((p) => p.nav && can(s, p.role)).map((p) => {
          const active = path === p.path || path.startsWith(`${p.path}/`);
          return <a key={p.path} href={`#${p.path}`} class={active ? 'active' : undefined}>{t(p.title)}</a>;
        })}
      </nav>
      <span class="spacer" />
      <button type="button" class="lang" onClick={() => setLang(l === 'en' ? 'zh-CN' : 'en')}>{t('lang.switch')}</button>
      {s.kind === 'in' && (
        <span class="user">
          <span class="who" data-role={s.session.role}>{s.session.name} · {t(`user.role.${s.session.role}`)}</span>
          {s.session.via !== 'token' && <button type="button" class="signout" onClick={() => void signOut()}>{t('user.signOut')}</button>}
        </span>
      )}
    </header>
  );
}

function Routed() {
  const t = useText();
  const s = useStore(session);
  const { path, query } = useStore(route);
  if (path === '/') {
    // The first page of the menu is the start page.
    location.replace(`#${PAGES[0]!.path}`);
    return null;
  }
  for (const p of PAGES) {
    const params = match(p.path, path);
    if (!params) continue;
    if (!can(s, p.role)) return <p class="error">{t('page.forbidden', { role: s.kind === 'in' ? s.session.role : '' })}</p>;
    const Page = p.component;
    // Keyed by path so a page's state does not leak from one incident or device to the next.
    return <Page key={path} params={params} query={query} />;
  }
  return <p class="error">{t('page.notFound', { path })}</p>;
}

/** The whole console. */
export function App() {
  const t = useText();
  const s = useStore(session);
  return (
    <div class="console">
      <Header />
      <main>
        {s.kind === 'loading' && <p class="loading">{t('common.loading')}</p>}
        {s.kind === 'out' && <Login sso={s.sso} message={s.message} />}
        {s.kind === 'in' && <Routed />}
      </main>
    </div>
  );
}
