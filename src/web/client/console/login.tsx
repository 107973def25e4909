/** The login page: username and password, and single sign-on when the server offers it. */
import { useState } from 'preact/hooks';
import { signIn } from '../shared/session.js';
import { useText } from './text.js';

/** Shown whenever the API answers 401. */
export function Login({ sso, message }: { sso: boolean; message?: string }) {
  const t = useText();
  const [error, setError] = useState(message);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      await signIn(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
    } catch (err) {
      setError(t('login.failed', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="login" onSubmit={(e) => void submit(e)}>
      <h1>{t('login.title')}</h1>
      <label>{t('login.username')}<input name="username" autocomplete="username" maxLength={200} required /></label>
      <label>{t('login.password')}<input name="password" type="password" autocomplete="current-password" maxLength={1000} required /></label>
      <button type="submit" disabled={busy}>{t('login.submit')}</button>
      {sso && <a class="button sso" href="/auth/oidc/login">{t('login.sso')}</a>}
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
