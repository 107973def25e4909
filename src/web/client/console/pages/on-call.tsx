/** Who is on call now, and who takes over next, per tier and schedule. */
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { OnCall, OnCallAnswer } from '../wire.js';

function Rota({ people }: { people: OnCall[] }) {
  const t = useText();
  if (people.length === 0) return <p class="empty">{t('oncall.none')}</p>;
  return (
    <div class="scroll"><table class="list on-call">
      <thead><tr><th>{t('oncall.tier')}</th><th>{t('oncall.schedule')}</th><th>{t('oncall.name')}</th><th>{t('oncall.contact')}</th><th>{t('oncall.until')}</th></tr></thead>
      <tbody>{people.map((p) => (
        <tr key={`${p.tier}-${p.schedule ?? ''}-${p.name}`} data-tier={p.tier}>
          <td>{p.tier}</td><td>{p.schedule ?? '–'}</td><td class="name">{p.name}</td><td>{p.contact ?? '–'}</td><td><Time at={p.until} /></td>
        </tr>
      ))}</tbody>
    </table></div>
  );
}

function OnCallPage() {
  const t = useText();
  const loaded = useApi<OnCallAnswer>('/on-call');
  return (
    <section>
      <h1>{t('nav.oncall')}</h1>
      <Loading loaded={loaded}>{(a) => <>
        <h2>{t('oncall.now')}</h2><div class="now"><Rota people={a.now} /></div>
        <h2>{t('oncall.next')}</h2><div class="next"><Rota people={a.next} /></div>
      </>}</Loading>
    </section>
  );
}

/** `#/on-call`. */
export const onCallPage: PageDef = { path: '/on-call', title: 'nav.oncall', nav: true, role: 'viewer', component: OnCallPage };
