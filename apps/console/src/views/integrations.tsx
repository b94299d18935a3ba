/** Settings → Integrations (admins): API tokens and their audit log, webhook endpoints and their deliveries. */
import { useEffect, useState } from 'preact/hooks';
import { EndpointCreate, TokenCreate, WEBHOOK_EVENTS, type AuditView, type DeliveryView, type EndpointView, type TokenView, type WebhookEvent } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { INTEGRATIONS } from '../i18n-integrations';
import { STRINGS } from '../i18n';
import { useConsole } from '../store';
import type { Outcome } from './save-row';

type Texts = (typeof INTEGRATIONS)['en'];
const when = (ms: number, lang: string) => new Date(ms).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
const failure = (err: unknown): Outcome => ({ ok: false, text: err instanceof ApiError ? err.message : String(err) });

/** an outcome: the server's words, or one of ours (kept as a key, so it follows a language switch) */
type Said = Outcome | { ok: true; key: 'testSent' | 'redelivered' };
function Said({ msg, t }: { msg: Said | null; t: Texts }) {
  return msg ? (
    <p class={msg.ok ? 'ok' : 'error'} role="status">
      {'key' in msg ? t[msg.key] : msg.text}
    </p>
  ) : null;
}

/** a secret shown once, with a copy button */
function Reveal({ label, value, t }: { label: string; value: string; t: Texts }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="reveal-secret" role="status">
      <span>{label}</span>
      <code>{value}</code>
      <button
        type="button"
        class="small"
        onClick={() =>
          void navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => undefined,
          )
        }
      >
        {copied ? t.copied : t.copy}
      </button>
    </div>
  );
}

function Tokens({ siteId, t }: { siteId: string; t: Texts }) {
  const s = useConsole();
  const [tokens, setTokens] = useState<TokenView[]>([]);
  const [form, setForm] = useState({ name: '', scope: 'read' as 'read' | 'write', expiresInDays: '' });
  const [shown, setShown] = useState<string | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const reload = () => void api<{ tokens: TokenView[] }>('GET', `/api/sites/${siteId}/tokens`).then((r) => setTokens(r.tokens), (e: unknown) => setMsg(failure(e)));
  useEffect(reload, [siteId]);
  const create = async (e: Event) => {
    e.preventDefault();
    const body = { name: form.name, scope: form.scope, expiresInDays: form.expiresInDays ? Number(form.expiresInDays) : null };
    const checked = TokenCreate.safeParse(body);
    if (!checked.success) return setMsg({ ok: false, text: `${t.tokenName}: ${checked.error.issues[0]!.message}` });
    try {
      const r = await api<{ secret: string }>('POST', `/api/sites/${siteId}/tokens`, body);
      setShown(r.secret);
      setForm({ name: '', scope: 'read', expiresInDays: '' });
      setMsg(null);
      reload();
    } catch (err) {
      setMsg(failure(err));
    }
  };
  const state = (x: TokenView) => (x.revokedAt ? t.revoked : x.expiresAt !== null && x.expiresAt <= Date.now() ? t.expired : t.active);
  return (
    <section aria-labelledby="tokens-h">
      <h2 id="tokens-h">{t.tokens}</h2>
      <p class="muted small">{t.tokensHelp}</p>
      {shown && <Reveal label={t.tokenShown} value={shown} t={t} />}
      {tokens.length ? (
        <div class="table-wrap">
        <table class="grid-table tokens">
          <thead>
            <tr>
              <th>{t.tokenName}</th>
              <th>{t.scope}</th>
              <th>{t.created}</th>
              <th>{t.lastUsed}</th>
              <th>{t.expires}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((x) => (
              <tr key={x.id} class={x.revokedAt ? 'gone' : ''}>
                <td>
                  <div>{x.name}</div>
                  <code class="muted small">{x.prefix}…</code>
                </td>
                <td>{t.scopes[x.scopes.includes('write') ? 'write' : 'read']}</td>
                <td>{when(x.createdAt, s.lang)}</td>
                <td>{x.lastUsedAt ? when(x.lastUsedAt, s.lang) : <span class="muted">{t.notUsed}</span>}</td>
                <td>
                  {x.expiresAt ? when(x.expiresAt, s.lang) : t.never} <span class={`chip ${state(x) === t.active ? 'active' : ''}`}>{state(x)}</span>
                </td>
                <td>
                  {!x.revokedAt && (
                    <button
                      type="button"
                      class="danger small"
                      onClick={() => {
                        if (!confirm(t.revokeConfirm(x.name))) return;
                        void api('DELETE', `/api/sites/${siteId}/tokens/${x.id}`).then(reload, (e: unknown) => setMsg(failure(e)));
                      }}
                    >
                      {t.revoke}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      ) : (
        <p class="empty-line muted">{t.noTokens}</p>
      )}
      <form class="inline-form" onSubmit={create}>
        <label>
          {t.tokenName}
          <input name="tokenName" required maxLength={80} placeholder={t.tokenNamePh} value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        </label>
        <label>
          {t.scope}
          <select name="scope" value={form.scope} onChange={(e) => setForm({ ...form, scope: e.currentTarget.value as 'read' | 'write' })}>
            <option value="read">{t.scopes.read}</option>
            <option value="write">{t.scopes.write}</option>
          </select>
        </label>
        <label>
          {t.expires}
          <select name="expires" value={form.expiresInDays} onChange={(e) => setForm({ ...form, expiresInDays: e.currentTarget.value })}>
            <option value="">{t.never}</option>
            {[30, 90, 365].map((n) => (
              <option value={String(n)}>{t.inDays(n)}</option>
            ))}
          </select>
        </label>
        <button class="primary" type="submit">
          {t.createToken}
        </button>
      </form>
      <Said msg={msg} t={t} />
    </section>
  );
}

function Audit({ siteId, t }: { siteId: string; t: Texts }) {
  const s = useConsole();
  const [items, setItems] = useState<AuditView[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const load = (before: number | null) =>
    void api<{ items: AuditView[]; next: number | null }>('GET', `/api/sites/${siteId}/audit?limit=20${before ? `&before=${before}` : ''}`).then((r) => {
      setItems((old) => (before ? [...old, ...r.items] : r.items));
      setNext(r.next);
    });
  useEffect(() => load(null), [siteId]);
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">{t.audit}</h2>
      <p class="muted small">{t.auditHelp}</p>
      {items.length ? (
        <div class="table-wrap">
        <table class="grid-table audit">
          <thead>
            <tr>
              <th>{t.when}</th>
              <th>{t.token}</th>
              <th>{t.request}</th>
              <th class="num">{t.status}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.seq}>
                <td>{when(a.at, s.lang)}</td>
                <td>{a.tokenName}</td>
                <td class="mono">
                  {a.method} {a.path}
                </td>
                <td class={`num ${a.status < 400 ? 'ok' : 'error'}`}>{a.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      ) : (
        <p class="empty-line muted">{t.noAudit}</p>
      )}
      {next && (
        <button type="button" class="ghost" onClick={() => load(next)}>
          {t.more}
        </button>
      )}
    </section>
  );
}

function Deliveries({ siteId, endpoint, t }: { siteId: string; endpoint: EndpointView; t: Texts }) {
  const s = useConsole();
  const [items, setItems] = useState<DeliveryView[]>([]);
  const [msg, setMsg] = useState<Said | null>(null);
  const base = `/api/sites/${siteId}/webhooks/${endpoint.id}`;
  const reload = () => void api<{ items: DeliveryView[] }>('GET', `${base}/deliveries?limit=50`).then((r) => setItems(r.items));
  useEffect(reload, [endpoint.id]);
  if (!items.length) return <p class="empty-line muted">{t.noDeliveries}</p>;
  return (
    <>
      <div class="table-wrap">
      <table class="grid-table deliveries">
        <thead>
          <tr>
            <th>{t.time}</th>
            <th>{t.event}</th>
            <th>{t.status}</th>
            <th class="num">{t.attempts}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <td>{when(d.createdAt, s.lang)}</td>
              <td>
                <div>{t.eventNames[d.event as WebhookEvent] ?? d.event}</div>
                <details>
                  <summary class="muted small">{t.payload}</summary>
                  <pre class="payload">{JSON.stringify(JSON.parse(d.body), null, 2)}</pre>
                </details>
              </td>
              <td>
                <span class={`chip d-${d.status}`}>{t.dstatus[d.status]}</span>
                <div class="muted small">
                  {d.lastStatus !== null ? `HTTP ${d.lastStatus}` : d.lastError}
                  {d.lastMs !== null && ` · ${d.lastMs} ms`}
                  {d.nextAt !== null && d.attempts > 0 && ` · ${t.nextTry(when(d.nextAt, s.lang))}`}
                </div>
              </td>
              <td class="num">{d.attempts}</td>
              <td>
                <button type="button" class="small" onClick={() => void api('POST', `${base}/deliveries/${d.id}/redeliver`).then(() => (setMsg({ ok: true, key: 'redelivered' }), setTimeout(reload, 1500)), (e: unknown) => setMsg(failure(e)))}>
                  {t.redeliver}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      <Said msg={msg} t={t} />
    </>
  );
}

function Webhooks({ siteId, t }: { siteId: string; t: Texts }) {
  const s = useConsole();
  const [list, setList] = useState<{ endpoints: EndpointView[]; allowPrivate: boolean } | null>(null);
  const [form, setForm] = useState({ url: '', description: '', events: [...WEBHOOK_EVENTS] as WebhookEvent[] });
  const [shown, setShown] = useState<{ id: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const base = `/api/sites/${siteId}/webhooks`;
  const reload = () => void api<{ endpoints: EndpointView[]; allowPrivate: boolean }>('GET', base).then(setList, (e: unknown) => setMsg(failure(e)));
  useEffect(reload, [siteId]);
  const act = (p: Promise<unknown>, ok?: 'testSent') =>
    void p.then(
      () => (setMsg(ok ? { ok: true, key: ok } : null), reload()),
      (e: unknown) => setMsg(failure(e)),
    );
  const create = async (e: Event) => {
    e.preventDefault();
    const checked = EndpointCreate.safeParse(form);
    if (!checked.success) {
      const i = checked.error.issues[0]!;
      return setMsg({ ok: false, text: `${i.path[0] === 'events' ? t.events : t.url}: ${i.message}` });
    }
    try {
      const r = await api<{ endpoint: EndpointView; secret: string }>('POST', base, form);
      setShown({ id: r.endpoint.id, secret: r.secret });
      setForm({ url: '', description: '', events: [...WEBHOOK_EVENTS] });
      setMsg(null);
      reload();
    } catch (err) {
      setMsg(failure(err));
    }
  };
  const toggle = (ev: WebhookEvent, on: boolean) => setForm({ ...form, events: on ? WEBHOOK_EVENTS.filter((x) => x === ev || form.events.includes(x)) : form.events.filter((x) => x !== ev) });
  const health = (e: EndpointView) => {
    const parts = [e.last ? (e.last.ok ? t.lastOk(when(e.last.at, s.lang)) : t.lastFail(when(e.last.at, s.lang), e.last.status ? `HTTP ${e.last.status}` : '—')) : t.never2];
    if (e.pending) parts.push(t.pending(e.pending));
    if (e.failed) parts.push(t.failed(e.failed));
    return parts.join(' · ');
  };
  return (
    <section aria-labelledby="hooks-h">
      <h2 id="hooks-h">{t.webhooks}</h2>
      <p class="muted small">{t.webhooksHelp}</p>
      {list?.allowPrivate && <p class="muted small">{t.privateNote}</p>}
      {list && !list.endpoints.length && <p class="empty-line muted">{t.noEndpoints}</p>}
      <ul class="endpoints">
        {list?.endpoints.map((e) => (
          <li key={e.id} class={`endpoint ${e.enabled ? '' : 'off'}`}>
            <div class="endpoint-head">
              <label class="check switch">
                <input type="checkbox" checked={e.enabled} onChange={(x) => act(api('PATCH', `${base}/${e.id}`, { enabled: x.currentTarget.checked }))} /> {e.enabled ? t.enabled : t.disabled}
              </label>
              <div class="endpoint-main">
                <code class="endpoint-url">{e.url}</code>
                {e.description && <div class="small">{e.description}</div>}
                <div class={`small ${e.last && !e.last.ok ? 'error' : 'muted'}`}>{health(e)}</div>
                <div class="small muted">
                  {t.events}: {e.events.length === WEBHOOK_EVENTS.length ? t.all : e.events.map((x) => t.eventNames[x]).join(', ')}
                </div>
              </div>
              <div class="endpoint-actions">
                <button type="button" class="small" onClick={() => act(api('POST', `${base}/${e.id}/test`), 'testSent')}>
                  {t.test}
                </button>
                <button type="button" class="small" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                  {open === e.id ? t.hide : t.deliveries}
                </button>
                <button type="button" class="small" onClick={() => void api<{ secret: string }>('GET', `${base}/${e.id}/secret`).then((r) => setShown({ id: e.id, secret: r.secret }))}>
                  {t.secret}
                </button>
                <button
                  type="button"
                  class="small"
                  onClick={() => {
                    if (!confirm(t.rotateConfirm)) return;
                    void api<{ secret: string }>('PATCH', `${base}/${e.id}`, { rotateSecret: true }).then((r) => setShown({ id: e.id, secret: r.secret }), (x: unknown) => setMsg(failure(x)));
                  }}
                >
                  {t.rotate}
                </button>
                <button type="button" class="danger small" onClick={() => confirm(t.removeConfirm(e.url)) && act(api('DELETE', `${base}/${e.id}`))}>
                  {t.remove}
                </button>
              </div>
            </div>
            {shown?.id === e.id && <Reveal label={t.secretShown} value={shown.secret} t={t} />}
            {open === e.id && <Deliveries siteId={siteId} endpoint={e} t={t} />}
          </li>
        ))}
      </ul>
      <Said msg={msg} t={t} />
      <form class="endpoint-form" onSubmit={create}>
        <div class="row2">
          <label>
            {t.url}
            <input name="webhookUrl" type="url" required placeholder="https://crm.example.com/hooks/beckon" value={form.url} onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
          </label>
          <label>
            {t.description}
            <input name="webhookDescription" maxLength={200} value={form.description} onInput={(e) => setForm({ ...form, description: e.currentTarget.value })} />
          </label>
        </div>
        <fieldset class="event-picks">
          <legend>
            {t.events}{' '}
            <button type="button" class="ghost small" onClick={() => setForm({ ...form, events: form.events.length === WEBHOOK_EVENTS.length ? [] : [...WEBHOOK_EVENTS] })}>
              {t.all}
            </button>
          </legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <label class="check">
              <input type="checkbox" checked={form.events.includes(ev)} onChange={(e) => toggle(ev, e.currentTarget.checked)} />
              <span>
                {t.eventNames[ev]}
                <code class="ev-id">{ev}</code>
              </span>
            </label>
          ))}
        </fieldset>
        <button class="primary" type="submit">
          {t.addEndpoint}
        </button>
      </form>
    </section>
  );
}

export function Integrations() {
  const s = useConsole();
  const t = INTEGRATIONS[s.lang];
  const admin = s.me!.memberships.find((m) => m.siteId === s.siteId)?.role === 'admin';
  if (!s.siteId) return null;
  if (!admin) return <div class="page"><p class="banner">{STRINGS[s.lang].adminOnly}</p></div>;
  return (
    <div class="page integrations">
      <div class="page-head">
        <h1>{t.title}</h1>
        <a class="button-link" href="/api/docs/" target="_blank" rel="noopener">
          {t.apiReference} ↗
        </a>
      </div>
      <p class="muted">{t.intro}</p>
      <Tokens siteId={s.siteId} t={t} />
      <Webhooks siteId={s.siteId} t={t} />
      <Audit siteId={s.siteId} t={t} />
    </div>
  );
}
