/**
 * The site's lifecycle in the console (issue 8 §3, §8): where the widget was seen or refused
 * (Install), new sites, deleting a site, and how long its data is kept (Settings).
 */
import { useEffect, useState } from 'preact/hooks';
import type { MeView, OriginSighting, RetentionSettings, SiteView } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { ADMIN } from '../i18n-admin';
import { set, useConsole } from '../store';

const when = (ms: number, lang: string) => new Date(ms).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
const errorText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

async function refreshMe(siteId?: string | null) {
  const me = await api<MeView>('GET', '/api/auth/me');
  set({ me, siteId: siteId !== undefined ? siteId : (me.memberships[0]?.siteId ?? null) });
}

/** Install: the allowed-origins rule next to the snippet, and what was seen where. */
export function InstallStatus({ site, admin }: { site: SiteView; admin: boolean }) {
  const s = useConsole();
  const a = ADMIN[s.lang];
  const [data, setData] = useState<{ allowedOrigins: string[]; sightings: OriginSighting[] } | null>(null);
  const load = () => void api<{ allowedOrigins: string[]; sightings: OriginSighting[] }>('GET', `/api/sites/${site.id}/install`).then(setData);
  useEffect(load, [site.id]);
  const allow = async (origin: string) => {
    await api('PATCH', `/api/sites/${site.id}`, { allowedOrigins: [...(data?.allowedOrigins ?? []), origin] });
    load();
  };
  const seen = new Map((data?.sightings ?? []).filter((x) => x.allowed).map((x) => [x.origin, x]));
  const refused = (data?.sightings ?? []).filter((x) => !x.allowed && !data?.allowedOrigins.includes(x.origin));
  return (
    <>
      <p class="note">{a.originNote}</p>
      <h2>{a.seenTitle}</h2>
      {data && (
        <ul class="sightings">
          {data.allowedOrigins.map((o) => {
            const x = seen.get(o);
            return (
              <li class={x ? 'ok' : 'never'}>
                <code>{o}</code> — {x ? a.seenOk(x.count, when(x.lastSeenAt, s.lang)) : a.notYet}
              </li>
            );
          })}
          {refused.map((x) => (
            <li class="refused">
              <code>
                <bdi>{x.origin}</bdi>
              </code>{' '}
              — {a.refused} ({when(x.lastSeenAt, s.lang)})
              {admin && (
                <>
                  {' '}
                  <button type="button" class="ghost small" onClick={() => void allow(x.origin)}>
                    {a.addOrigin}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {data && seen.size === 0 && <p class="muted small">{a.seenNever}</p>}
    </>
  );
}

/** Settings (admins): retention, a new site, deleting this one. */
export function SiteAdmin({ site }: { site: SiteView }) {
  const s = useConsole();
  const a = ADMIN[s.lang];
  const [ret, setRet] = useState<RetentionSettings>(site.retention);
  const [msg, setMsg] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const [made, setMade] = useState<{ name: string } | { error: string } | null>(null);
  const [confirm, setConfirm] = useState('');
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => setRet(site.retention), [site]);

  const saveRetention = async (e: Event) => {
    e.preventDefault();
    try {
      await api('PATCH', `/api/sites/${site.id}`, { retention: ret });
      setMsg('saved');
    } catch (x) {
      setMsg(errorText(x));
    }
  };
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const created = await api<SiteView>('POST', '/api/sites', { name, allowedOrigins: origins.split(/\s+/).filter(Boolean), defaultLang: s.lang });
      setMade({ name: created.name });
      setName('');
      setOrigins('');
      await refreshMe(s.siteId);
    } catch (x) {
      setMade({ error: errorText(x) });
    }
  };
  const remove = async (e: Event) => {
    e.preventDefault();
    try {
      await api('DELETE', `/api/sites/${site.id}`, { confirmName: confirm });
      await refreshMe();
    } catch (x) {
      setErr(errorText(x));
    }
  };

  return (
    <div class="site-admin">
      <form onSubmit={saveRetention}>
        <h2>{a.privacyTitle}</h2>
        {(Object.keys(ret) as (keyof RetentionSettings)[]).map((k) => (
          <label class="retention">
            <span>{a.retention[k]}</span>
            <span class="days">
              <input type="number" min={1} max={3650} class="narrow" disabled={ret[k] === null} value={ret[k] ?? ''} onInput={(e) => setRet({ ...ret, [k]: Number(e.currentTarget.value) || 1 })} /> {a.days}
              <label class="check">
                <input type="checkbox" checked={ret[k] === null} onChange={(e) => setRet({ ...ret, [k]: e.currentTarget.checked ? null : 180 })} /> {a.forever}
              </label>
            </span>
          </label>
        ))}
        <button type="submit" class="primary">
          {a.saveRetention}
        </button>{' '}
        {msg && <span role="status">{msg === 'saved' ? a.saved : msg}</span>}
      </form>

      <form onSubmit={create}>
        <h2>{a.newSite}</h2>
        <label>
          {a.newSiteName}
          <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {a.newSiteOrigins}
          <textarea rows={2} value={origins} placeholder="https://shop.example.com" onInput={(e) => setOrigins(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          {a.create}
        </button>{' '}
        {made && <span role="status">{'name' in made ? a.created(made.name) : made.error}</span>}
      </form>

      <form onSubmit={remove} class="danger-zone">
        <h2>{a.deleteTitle}</h2>
        <p class="muted small">{a.deleteHelp}</p>
        <label>
          {a.deleteConfirm(site.name)}
          <input value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
        </label>
        <button type="submit" class="danger" disabled={confirm.trim() !== site.name}>
          {a.deleteButton}
        </button>{' '}
        {err && <span role="alert">{err}</span>}
      </form>
    </div>
  );
}
