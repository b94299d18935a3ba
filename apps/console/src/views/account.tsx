/** The signed-in person's own account: change the password (the demo's is generated). */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { STRINGS } from '../i18n';
import { useConsole } from '../store';
import { SaveRow, type Outcome } from './save-row';

export function Account() {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [msg, setMsg] = useState<Outcome | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', '/api/auth/password', { current, next });
      setCurrent('');
      setNext('');
      setMsg({ ok: true, text: t.passwordChanged });
    } catch (err) {
      setMsg({ ok: false, text: err instanceof ApiError && err.code === 'INVALID_CREDENTIALS' ? t.wrongCurrentPassword : err instanceof ApiError ? err.message : String(err) });
    }
  };
  return (
    <form class="page narrow-page" onSubmit={submit}>
      <h1>{t.account}</h1>
      <p>
        {s.me!.account.name} · {s.me!.account.email}
      </p>
      <h2>{t.changePassword}</h2>
      <label>
        {t.currentPassword}
        <input name="current" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </label>
      <label>
        {t.newPasswordLabel}
        <input name="next" type="password" autocomplete="new-password" required minLength={10} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        <small>{t.passwordRule}</small>
      </label>
      <SaveRow label={t.changePassword} outcome={msg} />
    </form>
  );
}
