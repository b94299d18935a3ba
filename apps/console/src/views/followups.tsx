/** Follow-ups (supervisors and admins): bad chats to put right, with the transcript, notes and an outcome. */
import { useEffect, useState } from 'preact/hooks';
import type { FollowUpView, MemberView, Message } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { QUALITY } from '../i18n-quality';
import { loadFollowUpCount, set, useConsole } from '../store';
import { Body, Name } from './text';
import { Face } from './face';

const when = (ms: number, lang: string) => new Date(ms).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });

function Detail({ id, onChange }: { id: string; onChange: () => void }) {
  const s = useConsole();
  const q = QUALITY[s.lang];
  const [d, setD] = useState<{ followUp: FollowUpView; messages: Message[]; emails: { to: string; status: string; error: string | null }[] } | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [leads, setLeads] = useState<MemberView[]>([]);
  useEffect(() => {
    void api<MemberView[]>('GET', `/api/sites/${s.siteId}/members`).then((ms) => setLeads(ms.filter((m) => m.role !== 'operator' && !m.disabled)), () => undefined);
  }, [s.siteId]);
  const load = () => void api<NonNullable<typeof d>>('GET', `/api/follow-ups/${id}`).then(setD, (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  useEffect(load, [id]);
  if (!d) return <p class="empty">{error || q.loading}</p>;
  const f = d.followUp;
  const act = (method: 'PATCH' | 'POST', path: string, body: unknown) =>
    void api(method, path, body).then(
      () => (load(), onChange()),
      (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)),
    );
  return (
    <article class="fu-detail" aria-label={f.visitorName}>
      <header>
        <h2>
          <Face v={f.rating?.verdict ?? 'worse'} size={20} /> <Name text={f.visitorName} />
        </h2>
        <span class={`chip ${f.status === 'open' ? 'queued' : 'active'}`}>{f.status === 'open' ? q.open : `${q.resolved}: ${q.outcome[f.outcome ?? 'recovered']}`}</span>
      </header>
      <dl class="fu-facts">
        <dt>{q.comment}</dt>
        <dd>
          <b>{f.rating ? q.verdict[f.rating.verdict] : q.reason[f.reason]}</b>
          {f.rating?.nps != null && ` · ${q.nps(f.rating.nps)}`}
          {f.rating?.comment && (
            <>
              {' — '}
              <Body text={f.rating.comment} />
            </>
          )}
        </dd>
        <dt>{q.visitor}</dt>
        <dd>
          <Name text={f.visitorName} />
          {f.visitorEmail && <> · {f.visitorEmail}</>}
        </dd>
        <dt>{q.operator}</dt>
        <dd>{f.operatorName ?? '—'}</dd>
        <dt>{q.assignee}</dt>
        <dd>
          {f.status === 'open' ? (
            <select aria-label={q.assignee} value={f.assigneeId ?? ''} onChange={(e) => act('PATCH', `/api/follow-ups/${f.id}`, { assignee: e.currentTarget.value || null })}>
              <option value="">{q.nobody}</option>
              {leads.map((m) => (
                <option value={m.accountId}>{m.name}</option>
              ))}
            </select>
          ) : (
            (f.assigneeName ?? q.nobody)
          )}{' '}
          {f.status === 'open' && f.assigneeId !== s.me!.account.id && (
            <button type="button" class="small" onClick={() => act('PATCH', `/api/follow-ups/${f.id}`, { assignee: 'me' })}>
              {q.takeIt}
            </button>
          )}
        </dd>
      </dl>
      <h3>{q.transcript}</h3>
      <ol class="fu-transcript">
        {d.messages.map((m) => (
          <li class={m.sender}>
            <span class="who">{m.sender === 'visitor' ? q.you : m.authorName || '—'}</span> <time>{new Date(m.createdAt).toLocaleTimeString(s.lang, { hour: '2-digit', minute: '2-digit' })}</time>
            <div>
              <Body text={m.body} />
            </div>
          </li>
        ))}
      </ol>
      <h3>{q.notes}</h3>
      <ul class="fu-notes">
        {f.notes.map((n) => (
          <li>
            <b>{n.authorName}</b> <time>{when(n.createdAt, s.lang)}</time>
            <div>
              <Body text={n.body} />
            </div>
          </li>
        ))}
      </ul>
      <form
        class="fu-note"
        onSubmit={(e) => {
          e.preventDefault();
          if (!note.trim()) return;
          act('POST', `/api/follow-ups/${f.id}/notes`, { body: note });
          setNote('');
        }}
      >
        <textarea rows={2} maxLength={4000} placeholder={q.notePh} aria-label={q.addNote} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        <button type="submit">{q.addNote}</button>
      </form>
      <div class="fu-resolve">
        {f.status === 'open' ? (
          <>
            <span>{q.resolveAs}</span>
            <button type="button" class="primary" onClick={() => act('PATCH', `/api/follow-ups/${f.id}`, { status: 'resolved', outcome: 'recovered' })}>
              {q.recovered}
            </button>
            <button type="button" onClick={() => act('PATCH', `/api/follow-ups/${f.id}`, { status: 'resolved', outcome: 'not_recovered' })}>
              {q.notRecovered}
            </button>
          </>
        ) : (
          <button type="button" onClick={() => act('PATCH', `/api/follow-ups/${f.id}`, { status: 'open' })}>
            {q.reopen}
          </button>
        )}
      </div>
      {d.emails.filter((e) => e.status === 'failed').map((e) => (
        <p class="error small">{q.emailFailed(e.to, e.error ?? '')}</p>
      ))}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

export function FollowUps() {
  const s = useConsole();
  const q = QUALITY[s.lang];
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [items, setItems] = useState<FollowUpView[] | null>(null);
  const load = () => void api<{ items: FollowUpView[] }>('GET', `/api/sites/${s.siteId}/follow-ups?status=${status}`).then((r) => setItems(r.items));
  useEffect(load, [s.siteId, status, s.followUpsOpen]);
  const pick = (id: string | null) => set({ followUpId: id });
  return (
    <div class="page wide followups">
      <h1>{q.followUps}</h1>
      <p class="muted">{q.followUpsHelp}</p>
      <div class="fu-layout">
        <div class="fu-list">
          <div class="tabs" role="tablist">
            {(['open', 'resolved'] as const).map((x) => (
              <button type="button" role="tab" aria-selected={status === x} class={status === x ? 'on' : ''} onClick={() => setStatus(x)}>
                {x === 'open' ? `${q.open}${s.followUpsOpen ? ` (${s.followUpsOpen})` : ''}` : q.resolved}
              </button>
            ))}
          </div>
          {items && !items.length && <p class="empty-line muted">{status === 'open' ? q.noFollowUps : '—'}</p>}
          <ul>
            {items?.map((f) => (
              <li>
                <button type="button" class={`row${s.followUpId === f.id ? ' open' : ''}`} onClick={() => pick(f.id)}>
                  <span class="row-main">
                    <span class="row-top">
                      <b>
                        <Name text={f.visitorName} />
                      </b>
                      <time title={when(f.createdAt, s.lang)}>{q.age(Date.now() - f.createdAt)}</time>
                    </span>
                    <span class="fu-preview">
                      {f.rating && <Face v={f.rating.verdict} />} {f.rating ? q.verdict[f.rating.verdict] : q.reason[f.reason]}
                      {f.rating?.comment ? ` — ${f.rating.comment}` : ''}
                    </span>
                    <span class="muted small">
                      {q.operator}: {f.operatorName ?? '—'} · {q.assignee}: {f.assigneeName ?? q.nobody}
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        {s.followUpId ? (
          <Detail
            key={s.followUpId}
            id={s.followUpId}
            onChange={() => {
              load();
              void loadFollowUpCount();
            }}
          />
        ) : (
          <p class="empty fu-detail">{q.pick}</p>
        )}
      </div>
    </div>
  );
}
