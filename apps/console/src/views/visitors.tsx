/** Who is on the site right now: a live board, paged and filtered, with one-click invitations. */
import { useEffect, useState } from 'preact/hooks';
import type { LiveVisitor } from '@beckon/protocol';
import { ENGAGE } from '../i18n-engage';
import { inviteVisitor, unwatchVisitors, useConsole, watchVisitors } from '../store';

const PAGE = 50;

/** Re-render every second, for the "time on page" column. */
export function useTicker(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

const UNITS = { en: ['s', 'm', 'h'], ru: [' с', ' мин', ' ч'] } as const;
export const duration = (ms: number, lang: 'en' | 'ru' = 'en') => {
  const [S, M, H] = UNITS[lang];
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}${S}` : s < 3600 ? `${Math.floor(s / 60)}${M} ${String(s % 60).padStart(2, '0')}${S}` : `${Math.floor(s / 3600)}${H} ${Math.floor((s % 3600) / 60)}${M}`;
};

const pathOf = (url: string) => {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
};

export function Visitors() {
  const s = useConsole();
  const t = ENGAGE[s.lang];
  const [filter, setFilter] = useState('');
  const [offset, setOffset] = useState(0);
  const [inviting, setInviting] = useState<string | null>(null);
  const now = useTicker();

  useEffect(() => {
    void watchVisitors(filter, offset);
  }, [filter, offset, s.siteId]);
  useEffect(() => () => unwatchVisitors(), []);

  const board = s.board;
  const total = board?.total ?? 0;
  return (
    <section class="page wide visitors">
      <div class="page-head">
        <h2>{t.visitors}</h2>
        <span class="muted">{t.liveNow(total)}</span>
        <div class="spacer" />
        <input
          type="search"
          class="filter"
          placeholder={t.filterVisitors}
          aria-label={t.filterVisitors}
          value={filter}
          onInput={(e) => {
            setFilter(e.currentTarget.value);
            setOffset(0);
          }}
        />
      </div>
      {board && !board.visitors.length ? (
        <p class="empty">{t.noVisitors}</p>
      ) : (
        <table class="grid-table">
          <thead>
            <tr>
              <th>{t.visitors}</th>
              <th>{t.page}</th>
              <th>{t.onPage}</th>
              <th>{t.pages}</th>
              <th>{t.source}</th>
              <th>{t.cart}</th>
              <th>{t.status}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(board?.visitors ?? []).map((v) => (
              <Row key={v.visitorId} v={v} now={now} inviting={inviting === v.visitorId} onInvite={(on) => setInviting(on ? v.visitorId : null)} />
            ))}
          </tbody>
        </table>
      )}
      {total > PAGE && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            {t.prev}
          </button>
          <span>{t.range(offset + 1, Math.min(total, offset + PAGE), total)}</span>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            {t.next}
          </button>
        </div>
      )}
    </section>
  );
}

function Row({ v, now, inviting, onInvite }: { v: LiveVisitor; now: number; inviting: boolean; onInvite: (on: boolean) => void }) {
  const s = useConsole();
  const t = ENGAGE[s.lang];
  const [text, setText] = useState(t.inviteText);
  const [result, setResult] = useState('');
  const send = async (e: Event) => {
    e.preventDefault();
    const err = await inviteVisitor(v.visitorId, text);
    setResult(err ?? t.invited);
    if (!err) onInvite(false);
  };
  return (
    <>
      <tr class="visitor-row">
        <td>
          <b>{v.name}</b>
          <div class="muted small">
            {v.returning ? t.returning(v.visits) : t.newVisitor} · {t.devices[v.device] ?? v.device}
          </div>
        </td>
        <td class="page-cell" title={v.page?.url}>
          {v.page ? (
            <>
              <div>{v.page.title || pathOf(v.page.url)}</div>
              <div class="muted small">{pathOf(v.page.url)}</div>
            </>
          ) : (
            '—'
          )}
        </td>
        <td class="num">{v.page ? duration(now - v.page.since, s.lang) : '—'}</td>
        <td class="num">{v.pages}</td>
        <td>{v.source}</td>
        <td class="num">{v.cart && v.cart.items ? `${v.cart.value.toFixed(2)} ${v.cart.currency}` : '—'}</td>
        <td class="why">
          {v.chatting && <span class="chip active">{t.chatting}</span>}
          {v.offer && <span class="chip offer">{t.showing(v.offer.ruleName)}</span>}
          {v.held
            .filter((h) => h.reason !== 'lower_priority')
            .map((h) => (
              <div class="small held" title={t.why}>
                {h.ruleName}: {t.reasons[h.reason]}
              </div>
            ))}
          {!v.chatting && !v.offer && !v.held.length && v.matching.length === 0 && <span class="muted small">—</span>}
          {result && <div class="small ok">{result}</div>}
        </td>
        <td>
          {!v.chatting && (
            <button type="button" onClick={() => onInvite(!inviting)}>
              {t.invite}
            </button>
          )}
        </td>
      </tr>
      {inviting && (
        <tr class="invite-row">
          <td colSpan={8}>
            <form class="invite-form" onSubmit={send}>
              <textarea rows={2} maxLength={600} value={text} aria-label={t.inviteText} onInput={(e) => setText(e.currentTarget.value)} />
              <button type="submit" class="primary" disabled={!text.trim()}>
                {t.inviteSend}
              </button>
              <button type="button" class="ghost" onClick={() => onInvite(false)}>
                {t.cancel}
              </button>
            </form>
          </td>
        </tr>
      )}
    </>
  );
}
