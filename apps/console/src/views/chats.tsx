/** The conversation list and the open conversations side by side. */
import { useState } from 'preact/hooks';
import type { ConversationSummary } from '@beckon/protocol';
import { api } from '../api';
import { TOOLS } from '../i18n-tools';
import { QUALITY } from '../i18n-quality';
import { STRINGS, type Strings } from '../i18n';
import { loadMoreConversations, openPane, set, useConsole, type ConsoleState, type Filter } from '../store';
import { Pane } from './pane';
import { Name } from './text';
import { Face } from './face';

export function ago(ms: number, lang: string, t: Strings): string {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 45) return t.justNow;
  // Russian's narrow form is a bare "−1 мин" (it reads as "minus one"): its short form says "1 мин. назад"
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: lang === 'ru' ? 'short' : 'narrow' });
  if (s < 3600) return rtf.format(-Math.round(s / 60), 'minute');
  if (s < 86400) return rtf.format(-Math.round(s / 3600), 'hour');
  return rtf.format(-Math.round(s / 86400), 'day');
}

function visible(s: ConsoleState, f: Filter): ConversationSummary[] {
  const me = s.me!.account.id;
  return Object.values(s.convs)
    .map((c) => c.summary)
    .filter((c) => c.siteId === s.siteId)
    .filter((c) => (f === 'closed' ? c.status === 'closed' : c.status !== 'closed' && (f === 'open' || c.assigneeId === me)))
    .sort((a, b) => (f === 'closed' ? (b.closedAt ?? 0) - (a.closedAt ?? 0) : b.lastMessageAt - a.lastMessageAt));
}

function Row({ c, s, t }: { c: ConversationSummary; s: ConsoleState; t: Strings }) {
  const open = s.panes.includes(c.id);
  const state = c.status === 'queued' ? t.waiting : c.status === 'active' ? t.assignedTo(c.assigneeName ?? '?') : t.closed;
  return (
    <li>
      <button type="button" class={`row${open ? ' open' : ''}${c.unread ? ' unread' : ''}`} onClick={() => openPane(c.id)} aria-label={`${c.visitorName}, ${state}${c.unread ? `, ${t.unread(c.unread)}` : ''}`}>
        <span class="avatar" aria-hidden="true">
          {c.visitorName.replace(/^(Visitor|Посетитель)\s*/, '').charAt(0) || '?'}
        </span>
        <span class="row-main">
          <span class="row-top">
            <b>
              <Name text={c.visitorName} />
            </b>
            <time>{ago(c.lastMessageAt, s.lang, t)}</time>
          </span>
          <span class="preview">
            <bdi>{c.lastMessagePreview || '…'}</bdi>
          </span>
          <span class={`chip ${c.status}`}>{state}</span>
          {c.visitorLeftAt !== null && c.status !== 'closed' && <span class="chip left">{TOOLS[s.lang].visitorLeft}</span>}
          {c.rating && (
            <span class={`chip rated ${c.rating.verdict}`}>
              <Face v={c.rating.verdict} /> {QUALITY[s.lang].verdict[c.rating.verdict]}
            </span>
          )}
        </span>
        {c.unread > 0 && (
          <span class="badge" aria-hidden="true">
            {c.unread}
          </span>
        )}
      </button>
    </li>
  );
}

export function Chats() {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const list = visible(s, s.filter);
  const queued = list.filter((c) => c.status === 'queued');
  const rest = list.filter((c) => c.status !== 'queued');
  const total = Object.values(s.convs).filter((c) => c.summary.siteId === s.siteId).length;
  const panes = s.panes.filter((id) => s.convs[id]?.summary.siteId === s.siteId);
  const filters: [Filter, string][] = [
    ['open', t.filterOpen],
    ['mine', t.filterMine],
    ['closed', t.filterClosed],
  ];
  const x = TOOLS[s.lang];
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<{ conversationId: string; body: string; visitorName: string; createdAt: number }[] | null>(null);
  const search = async (text: string) => {
    setQ(text);
    if (text.trim().length < 2) return setHits(null);
    const r = await api<{ hits: typeof hits }>('GET', `/api/sites/${s.siteId}/search?q=${encodeURIComponent(text.trim())}`).catch(() => ({ hits: [] }));
    setHits(r.hits);
  };
  return (
    <div class="chats">
      <aside class="list">
        <input type="search" class="search" placeholder={x.search} aria-label={x.search} value={q} onInput={(e) => void search(e.currentTarget.value)} />
        {hits && (
          <ul class="hits">
            {hits.length === 0 && <li class="empty">{x.noHits}</li>}
            {hits.map((h) => (
              <li>
                <button type="button" class="row" onClick={() => openPane(h.conversationId)}>
                  <span class="row-main">
                    <span class="row-top">
                      <b>
                        <Name text={h.visitorName} />
                      </b>
                      <time>{new Date(h.createdAt).toLocaleDateString(s.lang)}</time>
                    </span>
                    <span class="preview">{h.body}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="filters" role="tablist">
          {filters.map(([f, label]) => (
            <button type="button" role="tab" aria-selected={s.filter === f} class={s.filter === f ? 'on' : ''} onClick={() => set({ filter: f })}>
              {label}
            </button>
          ))}
        </div>
        {queued.length > 0 && <h2>{t.waitingSection}</h2>}
        <ul>
          {queued.map((c) => (
            <Row key={c.id} c={c} s={s} t={t} />
          ))}
        </ul>
        {queued.length > 0 && rest.length > 0 && <h2>{s.filter === 'closed' ? t.closedSection : t.activeSection}</h2>}
        <ul>
          {rest.map((c) => (
            <Row key={c.id} c={c} s={s} t={t} />
          ))}
        </ul>
        {list.length === 0 && <p class="empty">{total === 0 ? t.noChats : t.noChatsFilter}</p>}
        {s.listNext && s.filter !== 'closed' && (
          <button type="button" class="more" onClick={() => void loadMoreConversations()}>
            {t.showMore}
          </button>
        )}
      </aside>
      <section class={`panes n${Math.min(panes.length, 3)}`} aria-label={t.chats}>
        {panes.length === 0 ? <p class="empty big">{t.pickChat}</p> : panes.map((id) => <Pane key={id} id={id} />)}
      </section>
    </div>
  );
}
