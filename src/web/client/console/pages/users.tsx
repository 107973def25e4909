/**
 * Local users for admins: the list, a form to add one, and per user a role and a disabled switch. Users
 * written in noctua.yaml are shown but changed only there (the API refuses, and the page says so).
 * Every change ends the user's sessions and lands in the audit trail (the server does both).
 */
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { ROLES, session, type Role } from '../../shared/session.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { useText } from '../text.js';
import { Loading, Time, useApi } from '../ui.js';
import type { UserJson } from '../wire.js';

/** "a, b ,c" → ["a", "b", "c"]; empty → undefined (every site). */
function siteList(v: FormDataEntryValue | null): string[] | undefined {
  const list = String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}

function CreateForm({ onDone }: { onDone: (name: string) => void }) {
  const t = useText();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const name = String(f.get('name') ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/users', { name, password: String(f.get('password') ?? ''), role: String(f.get('role') ?? 'viewer'), sites: siteList(f.get('sites')) });
      form.reset();
      onDone(name);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="create user-create" onSubmit={(e) => void submit(e)}>
      <h2>{t('users.create')}</h2>
      <label>{t('users.name')}<input name="name" required maxLength={100} autocomplete="off" /></label>
      <label>{t('login.password')}<input name="password" type="password" required minLength={8} maxLength={1024} autocomplete="new-password" /></label>
      <label>{t('users.role')}<select name="role">{ROLES.map((r) => <option key={r} value={r}>{t(`user.role.${r}`)}</option>)}</select></label>
      <label>{t('users.sites')}<input name="sites" maxLength={20000} placeholder={t('users.allSites')} /></label>
      <button type="submit" class="primary" disabled={busy}>{t('users.submit')}</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

function UserRow({ u, me, change }: { u: UserJson; me: string; change: (name: string, body: { role?: Role; disabled?: boolean }) => Promise<void> }) {
  const t = useText();
  const fixed = u.source === 'config';
  return (
    <tr class="user" data-user={u.name} data-role={u.role} data-disabled={String(u.disabled)} data-source={u.source}>
      <td class="name">{u.name}{u.name === me && <span class="muted"> · {t('users.you')}</span>}</td>
      <td>{fixed ? t(`user.role.${u.role}`) : (
        <select name="role" value={u.role} aria-label={t('users.role')} onChange={(e) => void change(u.name, { role: (e.currentTarget as HTMLSelectElement).value as Role })}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`user.role.${r}`)}</option>)}
        </select>
      )}</td>
      <td class="sites">{u.sites ? u.sites.join(', ') : t('users.allSites')}</td>
      <td class="status">{u.disabled ? t('users.disabled') : t('users.enabled')}</td>
      <td>{fixed ? <span class="muted">{t('users.inConfig')}</span> : <Time at={u.updatedAt ?? u.createdAt} />}</td>
      <td>{!fixed && (
        <button type="button" class={u.disabled ? 'action-enable' : 'action-disable'} onClick={() => void change(u.name, { disabled: !u.disabled })}>
          {u.disabled ? t('users.enable') : t('users.disable')}
        </button>
      )}</td>
    </tr>
  );
}

function Users() {
  const t = useText();
  const s = useStore(session);
  const loaded = useApi<{ items: UserJson[] }>('/users');
  const [message, setMessage] = useState<{ error: boolean; text: string }>();
  const change = async (name: string, body: { role?: Role; disabled?: boolean }) => {
    try {
      await api('PATCH', `/users/${encodeURIComponent(name)}`, body);
      setMessage({ error: false, text: t('users.changed', { name }) });
    } catch (err) {
      setMessage({ error: true, text: (err as Error).message });
    }
    loaded.reload();
  };
  return (
    <section>
      <h1>{t('nav.users')}</h1>
      {message && <p class={message.error ? 'error' : 'ok'} role="status">{message.text}</p>}
      <Loading loaded={loaded}>{(p) => (
        <div class="scroll"><table class="list users">
          <thead><tr><th>{t('users.name')}</th><th>{t('users.role')}</th><th>{t('users.sites')}</th><th>{t('users.status')}</th><th>{t('users.changedAt')}</th><th /></tr></thead>
          <tbody>{p.items.map((u) => <UserRow key={u.name} u={u} me={s.kind === 'in' ? s.session.name : ''} change={change} />)}</tbody>
        </table></div>
      )}</Loading>
      <CreateForm onDone={(name) => { setMessage({ error: false, text: t('users.added', { name }) }); loaded.reload(); }} />
    </section>
  );
}

/** `#/users` (admins). */
export const usersPage: PageDef = { path: '/users', title: 'nav.users', nav: true, role: 'admin', component: Users };
