/** Leads, callback requests and offline messages: one list, worked by the team. */
import { Name } from './text';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ENGAGE } from '../i18n-engage';
import { TOOLS } from '../i18n-tools';
import { QUALITY } from '../i18n-quality';
import { set, useConsole } from '../store';

export interface InboxItem {
  id: string;
  kind: 'message' | 'callback' | 'lead';
  status: 'open' | 'resolved';
  name: string;
  email: string;
  phone: string;
  preferredTime: string;
  body: string;
  pageUrl: string;
  assigneeId: string | null;
  assigneeName: string | null;
  visitorName: string | null;
  answer: string | null;
  answeredAt: number | null;
  createdAt: number;
  /** what became of the emailed answer (null: none sent, e.g. no email on this server) */
  answerEmail: { to: string; status: 'pending' | 'sent' | 'failed'; error: string | null } | null;
}

export function Inbox() {
  const s = useConsole();
  const t = ENGAGE[s.lang];
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  // in pages of 50, newest first; "Show more" continues where the last page ended
  const load = (after?: string) =>
    api<{ items: InboxItem[]; next: string | null }>('GET', `/api/sites/${s.siteId}/inbox?status=${status}${after ? `&before=${encodeURIComponent(after)}` : ''}`).then(
      (r) => {
        setItems((prev) => (after ? [...(prev ?? []), ...r.items] : r.items));
        setNext(r.next);
      },
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void load();
    set({ inboxNew: 0 });
  }, [status, s.siteId, s.inboxNew > 0]);

  const patch = async (id: string, body: Record<string, unknown>) => {
    try {
      await api('PATCH', `/api/inbox/${id}`, body);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const me = s.me!.account.id;
  return (
    <section class="page wide inbox">
      <div class="page-head">
        <h2>{t.inbox}</h2>
        <div class="tabs" role="tablist">
          {(['open', 'resolved'] as const).map((x) => (
            <button type="button" role="tab" aria-selected={status === x} class={status === x ? 'on' : ''} onClick={() => setStatus(x)}>
              {x === 'open' ? t.inboxOpen : t.inboxResolved}
            </button>
          ))}
        </div>
      </div>
      {error && <p class="error">{error}</p>}
      {items && !items.length && <p class="empty">{t.inboxEmpty}</p>}
      <ul class="inbox-list">
        {(items ?? []).map((i) => (
          <li class="inbox-item" key={i.id}>
            <span class={`chip kind-${i.kind}`}>{t.itemKinds[i.kind]}</span>
            <div class="inbox-main">
              <b>
                <Name text={i.name || i.visitorName || '—'} />
              </b>
              <div class="contact">
                {i.email && <a href={`mailto:${i.email}`}>{i.email}</a>}
                {i.phone && <a href={`tel:${i.phone.replace(/[^\d+]/g, '')}`}>{i.phone}</a>}
                {i.preferredTime && <span>{t.callAt(i.preferredTime)}</span>}
              </div>
              {i.body && <p class="inbox-body">{i.body}</p>}
              {i.answer ? (
                <>
                  <p class="inbox-answer">
                    <span class="muted small">{TOOLS[s.lang].answered(i.assigneeName ?? '')}:</span> {i.answer}
                  </p>
                  {i.answerEmail && (
                    <p class={`small ${i.answerEmail.status === 'failed' ? 'error' : 'muted'}`} role={i.answerEmail.status === 'failed' ? 'alert' : undefined}>
                      {i.answerEmail.status === 'sent' ? QUALITY[s.lang].answerSent(i.answerEmail.to) : i.answerEmail.status === 'failed' ? QUALITY[s.lang].answerFailed(i.answerEmail.to, i.answerEmail.error ?? '') : QUALITY[s.lang].answerPending(i.answerEmail.to)}
                    </p>
                  )}
                </>
              ) : (
                i.kind === 'message' &&
                i.status === 'open' && (
                  <form
                    class="answer-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      const text = new FormData(e.currentTarget).get('answer')?.toString().trim();
                      if (text) void patch(i.id, { answer: text, assignee: 'me' });
                    }}
                  >
                    <textarea name="answer" rows={2} maxLength={4000} placeholder={TOOLS[s.lang].answerPlaceholder} aria-label={TOOLS[s.lang].answer} />
                    <button type="submit" class="primary">
                      {TOOLS[s.lang].answer}
                    </button>
                  </form>
                )
              )}
              <div class="muted small">
                {new Date(i.createdAt).toLocaleString(s.lang)} {i.pageUrl && `· ${t.fromPage} ${i.pageUrl}`} {i.assigneeName && `· ${t.assigned(i.assigneeName)}`}
              </div>
            </div>
            <div class="actions">
              {i.status === 'open' && (i.assigneeId === me ? (
                <button type="button" class="ghost" onClick={() => void patch(i.id, { assignee: null })}>
                  {t.release}
                </button>
              ) : (
                <button type="button" onClick={() => void patch(i.id, { assignee: 'me' })}>
                  {t.takeItem}
                </button>
              ))}
              <button type="button" class={i.status === 'open' ? 'primary' : ''} onClick={() => void patch(i.id, { status: i.status === 'open' ? 'resolved' : 'open' })}>
                {i.status === 'open' ? t.resolve : t.reopen}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" class="more" onClick={() => void load(next)}>
          {t.showMore}
        </button>
      )}
    </section>
  );
}
