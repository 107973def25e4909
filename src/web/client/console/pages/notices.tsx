/** The notice outbox: counts, the notices given up on with the receiver's answer, and retry. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { href } from '../../shared/router.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { FailedNotice, StatusAnswer } from '../wire.js';

/** How often the counts and the failed list are read again. */
const REFRESH_MS = 3000;

function Notices() {
  const t = useText();
  const status = useApi<StatusAnswer>('/status');
  const failed = useApi<{ total: number; items: FailedNotice[] }>('/notices/failed?limit=200');
  const [message, setMessage] = useState<{ error: boolean; text: string }>();
  // The outbox works on after a retry (and on its own): the counts and the failed list follow every few seconds.
  useEffect(() => {
    const id = setInterval(() => { status.reload(); failed.reload(); }, REFRESH_MS);
    return () => clearInterval(id);
  }, [status.reload, failed.reload]);
  const retry = async (id: string) => {
    try {
      await api('POST', `/notices/${encodeURIComponent(id)}/retry`);
      setMessage({ error: false, text: t('notices.retried', { id }) });
      failed.reload();
      status.reload();
    } catch (err) {
      setMessage({ error: true, text: (err as Error).message });
    }
  };
  return (
    <section>
      <h1>{t('nav.notices')}</h1>
      <Loading loaded={status}>{(s) => (s.outbox ? (
        <p class="outbox">
          <span class="pending">{t('notices.pending', { n: s.outbox.pending })}</span> ·{' '}
          <span class="sent">{t('notices.sent', { n: s.outbox.sent })}</span> ·{' '}
          <span class="failed">{t('notices.failedCount', { n: s.outbox.failed })}</span>
          {s.outbox.oldestPendingAt && <> · {t('notices.oldest')} <Time at={s.outbox.oldestPendingAt} /></>}
        </p>
      ) : <p class="empty">{t('notices.noPaging')}</p>)}</Loading>
      {message && <p class={message.error ? 'error' : 'ok'} role="status">{message.text}</p>}
      <h2>{t('notices.failedTitle')}</h2>
      <Loading loaded={failed}>{(f) => (f.items.length === 0 ? <p class="empty">{t('notices.noneFailed')}</p> : (
        <div class="scroll"><table class="list failed-notices">
          <thead><tr><th>{t('col.time')}</th><th>{t('notices.channel')}</th><th>{t('notices.kind')}</th><th>{t('nav.incidents')}</th>
            <th>{t('notices.attempts')}</th><th>{t('notices.reason')}</th><th>{t('notices.answer')}</th><th /></tr></thead>
          <tbody>{f.items.map((n) => (
            <tr key={n.id} data-notice={n.id}>
              <td><Time at={n.failedAt} /></td><td>{n.channel}</td><td>{n.kind}</td>
              <td><a href={href(`/incidents/${encodeURIComponent(n.incidentId)}`)}>{n.incidentId}</a></td>
              <td>{n.attempts}</td><td class="reason">{n.reason}</td>
              <td class="answer">{n.lastStatus !== undefined && <b>HTTP {n.lastStatus} </b>}<pre>{(n.response ?? '').slice(0, 2000)}</pre></td>
              <td><button type="button" class="action-retry" onClick={() => void retry(n.id)}>{t('notices.retry')}</button></td>
            </tr>
          ))}</tbody>
        </table></div>
      ))}</Loading>
    </section>
  );
}

/** `#/notices` (operators: the failed list needs the operator role). */
export const noticesPage: PageDef = { path: '/notices', title: 'nav.notices', nav: true, role: 'operator', component: Notices };
