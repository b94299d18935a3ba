/** The signed-in person's own account: change the password (the demo's is generated). */
import { useEffect, useState } from 'preact/hooks';
import type { PushPrefs } from '@beckon/protocol';
import { EVERYDAY } from '../i18n-everyday';
import { disablePush, enablePush, pushState, type PushState } from '../push';

/** web push on this device, and which kinds this person wants (on every device) */
function Notifications() {
  const s = useConsole();
  const d = EVERYDAY[s.lang];
  const [state, setState] = useState<PushState | null>(null);
  const [prefs, setPrefs] = useState<PushPrefs | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void pushState().then(setState);
    void api<{ prefs: PushPrefs }>('GET', '/api/push').then((r) => setPrefs(r.prefs), () => undefined);
  }, []);
  const toggle = async (k: keyof PushPrefs, on: boolean) => {
    const r = await api<{ prefs: PushPrefs }>('PUT', '/api/push/prefs', { [k]: on }).catch((e: Error) => (setError(e.message), null));
    if (r) setPrefs(r.prefs);
  };
  return (
    <section class="push-settings">
      <h2>{d.pushTitle}</h2>
      <p class="muted small">{d.pushHelp}</p>
      <p class="push-state" data-state={state ?? ''}>
        {state === 'on' ? d.pushOn : state === 'denied' ? d.pushDenied : state === 'unsupported' ? d.pushUnsupported : state === 'off' ? d.pushOff : ''}{' '}
        {state === 'off' && (
          <button type="button" class="primary small" onClick={async () => {
            setError('');
            const err = await enablePush();
            if (err) setError(err === 'denied' ? d.pushDenied : d.pushFailed(err));
            setState(await pushState());
          }}>
            {d.pushEnable}
          </button>
        )}
        {state === 'on' && (
          <button type="button" class="small" onClick={async () => (await disablePush(), setState(await pushState()))}>
            {d.pushDisable}
          </button>
        )}
      </p>
      {error && <p class="error small">{error}</p>}
      {prefs && (
        <fieldset class="push-kinds">
          <legend>{d.pushKinds}</legend>
          {(Object.keys(prefs) as (keyof PushPrefs)[]).map((k) => (
            <label class="check">
              <input type="checkbox" name={`push-${k}`} checked={prefs[k]} onChange={(e) => void toggle(k, e.currentTarget.checked)} /> {d.pushKind[k]}
            </label>
          ))}
        </fieldset>
      )}
    </section>
  );
}
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
    <div class="page narrow-page">
    <form onSubmit={submit}>
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
    <Notifications />
    </div>
  );
}
