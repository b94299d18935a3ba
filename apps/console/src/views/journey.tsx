/** The visitor's journey beside a conversation: where they came from, what they saw, what started the chat. */
import { ADMIN } from '../i18n-admin';
import { useEffect, useState } from 'preact/hooks';
import type { ConversationSummary, RoutingEvent, Rule, VisitorDetails } from '@beckon/protocol';
import { TOOLS } from '../i18n-tools';
import { api } from '../api';
import { ENGAGE } from '../i18n-engage';
import { blockVisitor, openPane, updateVisitor, useConsole, visitorJourney, whyRouted } from '../store';
import { EVERYDAY } from '../i18n-everyday';

/** the visitor's wall clock from their UTC offset: "14:32 (UTC+3)" */
function localTime(tzOffset: number, lang: string): string {
  const at = new Date(Date.now() + tzOffset * 60_000).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  const h = Math.trunc(Math.abs(tzOffset) / 60);
  const m = Math.abs(tzOffset) % 60;
  return `${at} (UTC${tzOffset < 0 ? '−' : '+'}${h}${m ? `:${String(m).padStart(2, '0')}` : ''})`;
}

function Contact({ data, visitorId, onSaved }: { data: VisitorDetails; visitorId: string; onSaved: (identity: VisitorDetails['identity']) => void }) {
  const s = useConsole();
  const d = EVERYDAY[s.lang];
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(data.identity.name ?? '');
  const [email, setEmail] = useState(data.identity.email ?? '');
  const [error, setError] = useState('');
  if (!editing)
    return (
      <>
        <dt>{d.contact}</dt>
        <dd class="contact">
          <span>{[data.identity.name, data.identity.email].filter(Boolean).join(' · ') || <i class="muted">{d.notGiven}</i>}</span>{' '}
          <button type="button" class="link" onClick={() => setEditing(true)}>
            {d.edit}
          </button>
        </dd>
      </>
    );
  return (
    <dd class="contact-form">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const err = await updateVisitor(visitorId, { name: name.trim(), email: email.trim() });
          if (err) return setError(err);
          setEditing(false);
          setError('');
          onSaved({ ...data.identity, name: name.trim() || null, email: email.trim() || null });
        }}
      >
        <input aria-label={d.name} placeholder={d.name} name="visitor-name" value={name} maxLength={80} onInput={(e) => setName(e.currentTarget.value)} />
        <input aria-label={d.email} placeholder={d.email} name="visitor-email" type="email" value={email} maxLength={200} onInput={(e) => setEmail(e.currentTarget.value)} />
        <button type="submit" class="small primary">
          {d.save}
        </button>
        <button type="button" class="small ghost" onClick={() => setEditing(false)}>
          {d.cancel}
        </button>
        {error && <p class="error small">{error}</p>}
      </form>
    </dd>
  );
}

const ruleNames = new Map<string, Promise<Map<string, string>>>();
function namesOf(siteId: string): Promise<Map<string, string>> {
  let p = ruleNames.get(siteId);
  if (!p) {
    p = api<{ rules: Rule[] }>('GET', `/api/sites/${siteId}/rules`).then((r) => new Map(r.rules.map((x) => [x.id, x.name])));
    p.catch(() => ruleNames.delete(siteId));
    ruleNames.set(siteId, p);
  }
  return p;
}

const short = (url: string) => {
  try {
    const u = new URL(url);
    return u.pathname + u.search + u.hash;
  } catch {
    return url;
  }
};

/** everything stored about the visitor, downloaded as a JSON file */
async function exportVisitor(siteId: string, visitorId: string): Promise<void> {
  const data = await api<unknown>('GET', `/api/sites/${siteId}/visitors/${visitorId}/export`);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  a.download = `beckon-visitor-${visitorId}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export function Journey({ sum }: { sum: ConversationSummary }) {
  const s = useConsole();
  const t = ENGAGE[s.lang];
  const x = TOOLS[s.lang];
  const [data, setData] = useState<VisitorDetails | null>(null);
  const [why, setWhy] = useState<RoutingEvent[]>([]);
  const [rule, setRule] = useState<string | null>(null);
  useEffect(() => {
    void visitorJourney(sum.visitorId).then(setData);
    void whyRouted(sum.id).then(setWhy);
    if (sum.origin?.ruleId) void namesOf(sum.siteId).then((m) => setRule(m.get(sum.origin!.ruleId!) ?? '?'), () => undefined);
  }, [sum.visitorId, sum.origin?.offerId, sum.assigneeId, sum.status]);
  if (!data) return null;
  const v = data.visitor;
  const pages = data.entries.filter((e) => e.type === 'page');
  const first = pages[0]?.data as { url?: string; referrer?: string } | undefined;
  const events = data.entries.filter((e) => e.type !== 'page').slice(-5);
  return (
    <details class="journey" open={!!sum.origin}>
      <summary>
        {t.journey} · {x.pagesCount(pages.length)}
        {v ? ` · ${v.source}` : ''}
      </summary>
      {sum.origin && <p class="origin">{sum.origin.ruleId ? t.startedBy(rule ?? '…', sum.origin.variant) : t.startedByOperator}</p>}
      <dl>
        {data.identity.userId && (
          <>
            <dt>{x.identity}</dt>
            <dd>#{data.identity.userId}</dd>
          </>
        )}
        <Contact key={sum.visitorId} data={data} visitorId={sum.visitorId} onSaved={(identity) => setData({ ...data, identity })} />
        {(data.client.browser || data.client.os) && (
          <>
            <dt>{EVERYDAY[s.lang].browser}</dt>
            <dd>{[data.client.browser, data.client.os].filter(Boolean).join(' · ')}</dd>
          </>
        )}
        {data.client.tzOffset !== null && (
          <>
            <dt>{EVERYDAY[s.lang].localTime}</dt>
            <dd>{localTime(data.client.tzOffset, s.lang)}</dd>
          </>
        )}
        {v && (
          <>
            <dt>{t.source}</dt>
            <dd>{v.source}</dd>
            <dt>{t.device}</dt>
            <dd>
              {t.devices[v.device] ?? v.device} · {v.lang}
            </dd>
            <dt>{t.visits}</dt>
            <dd>{v.visits}</dd>
            {v.cart && v.cart.items > 0 && (
              <>
                <dt>{t.cart}</dt>
                <dd>
                  {v.cart.items} · {v.cart.value.toFixed(2)} {v.cart.currency}
                </dd>
              </>
            )}
          </>
        )}
        {first?.url && (
          <>
            <dt>{t.landing}</dt>
            <dd>{short(first.url)}</dd>
          </>
        )}
        {first?.referrer && (
          <>
            <dt>{t.referrer}</dt>
            <dd>{first.referrer}</dd>
          </>
        )}
      </dl>
      {pages.length ? (
        <ol class="trail">
          {pages.slice(-12).map((e) => {
            const d = e.data as { url: string; title: string };
            return (
              <li title={d.url}>
                <time>{new Date(e.at).toLocaleTimeString(s.lang, { hour: '2-digit', minute: '2-digit' })}</time> {d.title || short(d.url)} <span class="muted">{short(d.url)}</span>
              </li>
            );
          })}
        </ol>
      ) : (
        <p class="muted small">{t.journeyEmpty}</p>
      )}
      {why.length > 0 && (
        <div class="why-list">
          <b>{x.why}</b>
          <ul>
            {why.slice(0, 5).map((e) => {
              const code = String(e.reason.code ?? e.reason.policy ?? '');
              const load = typeof e.reason.active === 'number' ? ` (${e.reason.active}/${e.reason.capacity})` : '';
              return (
                <li>
                  <time>{new Date(e.at).toLocaleTimeString(s.lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</time> {x.whyKinds[e.kind] ?? e.kind} {e.operatorName ?? ''} — {x.whyCodes[code] ?? code}
                  {load}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {data.previous.filter((p) => p.id !== sum.id).length > 0 && (
        <div class="why-list">
          <b>{x.previous}</b>
          <ul>
            {data.previous
              .filter((p) => p.id !== sum.id)
              .map((p) => (
                <li>
                  <button type="button" class="link" onClick={() => openPane(p.id)}>
                    {new Date(p.createdAt).toLocaleDateString(s.lang)}
                  </button>{' '}
                  <span class="muted">{p.preview}</span>
                </li>
              ))}
          </ul>
        </div>
      )}
      {s.me!.memberships.find((m) => m.siteId === sum.siteId)?.role === 'admin' && (
        <p class="data-actions">
          <button type="button" class="ghost small" onClick={() => void exportVisitor(sum.siteId, sum.visitorId)}>
            {ADMIN[s.lang].exportData}
          </button>{' '}
          <button
            type="button"
            class="ghost small danger"
            onClick={async () => {
              if (!confirm(ADMIN[s.lang].eraseConfirm)) return;
              await api('DELETE', `/api/sites/${sum.siteId}/visitors/${sum.visitorId}`).then(
                () => alert(ADMIN[s.lang].erased),
                (e: Error) => alert(e.message),
              );
            }}
          >
            {ADMIN[s.lang].eraseData}
          </button>
        </p>
      )}
      <button
        type="button"
        class="ghost small danger block-btn"
        onClick={async () => {
          const reason = prompt(x.blockReason);
          if (!reason || !reason.trim()) return;
          // by visitor id unless asked: behind one address there may be a whole office
          const byAddress = confirm(x.blockAddress);
          alert((await blockVisitor(sum.visitorId, reason.trim(), byAddress)) ?? x.blocked);
        }}
      >
        {x.block}
      </button>
      {events.length > 0 && (
        <ul class="events">
          {events.map((e) => (
            <li>
              {e.type === 'track' ? `● ${(e.data as { name: string }).name}` : e.type === 'cart' ? `🛒 ${(e.data as { value: number }).value}` : e.type === 'exit' ? '↗ exit intent' : e.type}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
