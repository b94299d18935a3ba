import { useState } from 'preact/hooks';
import type { MeView } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { STRINGS } from '../i18n';
import { useConsole } from '../store';
import { LangSwitch } from './lang-switch';

export function Login({ onSignedIn }: { onSignedIn: (me: MeView) => void }) {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api<MeView>('POST', '/api/auth/login', { email, password }));
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'NETWORK';
      setError(code === 'RATE_LIMITED' ? t.tooManyLogins : code === 'NETWORK' ? t.networkError : t.wrongLogin);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit}>
        <div class="brand big">
          <Logo /> Beckon
        </div>
        <h1>{t.signInTitle}</h1>
        <label>
          {t.email}
          <input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          {t.password}
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {t.signIn}
        </button>
        <LangSwitch />
      </form>
    </main>
  );
}

export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.5 3.4 6L4.6 21l4.3-2.3c1 .2 2 .3 3.1.3 5.5 0 10-3.6 10-8s-4.5-8-10-8z" />
    </svg>
  );
}
