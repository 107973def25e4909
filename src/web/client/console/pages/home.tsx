/** The landing page: who is signed in. */
import { useStore } from '../../shared/store.js';
import { session } from '../../shared/session.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';

function Home() {
  const t = useText();
  const s = useStore(session);
  if (s.kind !== 'in') return null;
  return <p class="welcome">{t('home.welcome', { name: s.session.name, role: t(`user.role.${s.session.role}`) })}</p>;
}

/** `#/`. */
export const homePage: PageDef = { path: '/', title: 'nav.home', nav: true, role: 'viewer', component: Home };
