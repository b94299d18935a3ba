/** One open conversation: history, typing, composer with its own draft. */
import { Body, Name } from './text';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Message, Note, PhraseHit } from '@beckon/protocol';
import { STRINGS } from '../i18n';
import { TOOLS } from '../i18n-tools';
import { QUALITY } from '../i18n-quality';
import { Composer } from './composer';
import { Transfer } from './transfer';
import { Journey } from './journey';
import { backToList, changeMessage, closePane, endChat, loadOlder, retry, sendFile, set, startEditing, take, useConsole } from '../store';
import type { AttachmentRef } from '@beckon/protocol';
import { EVERYDAY } from '../i18n-everyday';
import { Face } from './face';

const time = (ms: number, lang: string) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

const size = (n: number) => (n < 1e6 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`);

/** a picture's preview (opening the file) or a document to download */
function Attachment({ a }: { a: AttachmentRef }) {
  const url = `/files/${a.id}`;
  if (a.thumb) {
    const scale = Math.min(1, 240 / (a.width ?? 240), 240 / (a.height ?? 240));
    return (
      <a class="pic" href={url} target="_blank" rel="noopener noreferrer" title={a.name}>
        <img src={`${url}/thumb`} alt={a.name} width={Math.round((a.width ?? 240) * scale)} height={Math.round((a.height ?? 240) * scale)} loading="lazy" />
      </a>
    );
  }
  return (
    <a class="doc" href={url} download={a.name} rel="noopener noreferrer">
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M6 2h8l5 5v15H6zM14 2v5h5" />
      </svg>
      <span>{a.name}</span> <small>{size(a.size)}</small>
    </a>
  );
}

export function Pane({ id }: { id: string }) {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const c = s.convs[id]!;
  const sum = c.summary;
  const x = TOOLS[s.lang];
  const q = QUALITY[s.lang];
  const d = EVERYDAY[s.lang];
  const [transferring, setTransferring] = useState(false);
  const [ending, setEnding] = useState(false);
  const [dragging, setDragging] = useState(false);
  const log = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  // new messages keep the view at the bottom; older ones loaded above keep what was in view
  const firstSeq = useRef(0);
  const fromBottom = useRef(0);
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    const first = c.messages[0]?.seq ?? 0;
    if (stick.current) el.scrollTop = el.scrollHeight;
    else if (first !== firstSeq.current) el.scrollTop = el.scrollHeight - fromBottom.current;
    firstSeq.current = first;
  });
  const mine = sum.assigneeId === s.me!.account.id;
  // "Seen" under our last message once the visitor has read it
  const lastOurs = [...c.messages].reverse().find((m) => m.sender === 'operator');
  const seenId = lastOurs && lastOurs.seq <= sum.visitorReadSeq ? lastOurs.id : null;
  // our own last message can be changed for five minutes (the server holds the same rule)
  const editableId = sum.status !== 'closed' && lastOurs && !lastOurs.deletedAt && lastOurs.authorName === s.me!.account.name && Date.now() - lastOurs.createdAt < 5 * 60_000 ? lastOurs.id : null;
  const closed = sum.status === 'closed';

  return (
    <article
      class={`pane${s.focus === id ? ' focus' : ''}${dragging ? ' dragging' : ''}`}
      aria-label={sum.visitorName}
      data-drop={d.dropHere}
      onDragOver={(e) => {
        if (closed || !e.dataTransfer?.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        setDragging(false);
        const f = e.dataTransfer?.files[0];
        if (closed || !f) return;
        e.preventDefault();
        stick.current = true;
        void sendFile(id, f).then((err) => err && set({ notice: err }));
      }}
    >
      <header>
        <button type="button" class="ghost back" aria-label={d.backLabel} onClick={backToList}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" d="M15 5l-7 7 7 7" />
          </svg>
          <span>{d.back}</span>
        </button>
        <div class="who">
          <h3>
            <Name text={sum.visitorName} />
          </h3>
          <span class={`chip ${sum.status}`}>{sum.status === 'queued' ? (sum.queuePosition ? x.queuePos(sum.queuePosition) : t.waiting) : sum.status === 'active' ? mine ? d.withYou : t.assignedTo(sum.assigneeName ?? '?') : t.closed}</span>
          {sum.priority > 0 && <span class="chip prio">{x.priority}</span>}
          {sum.rating && (
            <span class={`chip rated ${sum.rating.verdict}`} title={q.verdict[sum.rating.verdict]}>
              <Face v={sum.rating.verdict} /> {q.verdict[sum.rating.verdict]}
            </span>
          )}
          {sum.visitorLeftAt !== null && (
            <span class="chip left" title={x.visitorLeftHelp}>
              {x.visitorLeft}
            </span>
          )}
        </div>
        <div class="actions">
          {closed && (
            <a class="button-link small" href={`/api/conversations/${id}/transcript`} download>
              {q.exportTranscript}
            </a>
          )}
          {sum.status === 'queued' && (
            <button type="button" onClick={() => void take(id)}>
              {t.take}
            </button>
          )}
          {!closed && (
            <button type="button" onClick={() => setTransferring(!transferring)} aria-expanded={transferring}>
              {x.transfer}
            </button>
          )}
          {!closed && (
            <button type="button" class="danger" aria-expanded={ending} onClick={() => setEnding(!ending)}>
              {t.endChat}
            </button>
          )}
          <button type="button" class="ghost icon close-pane" aria-label={t.closePane} title={t.closePane} onClick={() => closePane(id)}>
            ×
          </button>
        </div>
      </header>
      {ending && !closed && (
        <div class="confirm-bar" role="alertdialog" aria-label={d.endConfirm}>
          <span>{d.endConfirm}</span>
          <button type="button" class="danger" onClick={() => (setEnding(false), void endChat(id))}>
            {d.endYes}
          </button>
          <button type="button" class="ghost" onClick={() => setEnding(false)}>
            {d.endNo}
          </button>
        </div>
      )}
      {transferring && <Transfer id={id} onDone={() => setTransferring(false)} />}
      <Journey sum={sum} />
      <div
        class="log"
        ref={log}
        role="log"
        aria-live="polite"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          fromBottom.current = el.scrollHeight - el.scrollTop;
        }}
      >
        {c.hasMore && (
          <button type="button" class="link more" disabled={c.loadingOlder} onClick={() => void loadOlder(id)}>
            {c.loadingOlder ? t.loading : t.earlier}
          </button>
        )}
        {!c.loaded && <p class="empty">{t.loading}</p>}
        {merge(c.messages, c.notes).map((m) =>
          'seq' in m ? (
            <div key={m.id} class={`msg ${m.sender === 'visitor' ? 'them' : m.sender === 'system' && !m.authorName ? 'sys' : 'us'}`}>
              <div class="meta">
                {m.sender === 'visitor' ? <Name text={sum.visitorName} /> : (m.authorName ?? 'Beckon')} · {time(m.createdAt, s.lang)}
              </div>
              <div class={`bubble${m.attachment ? ' with-file' : ''}`}>
                {m.attachment && <Attachment a={m.attachment} />}
                {m.deletedAt ? <i class="gone">{d.deleted}</i> : (!m.attachment || m.body !== m.attachment.name) && <Body text={m.body} />}
              </div>
              {m.editedAt && !m.deletedAt && <div class="meta">{d.edited}</div>}
              {m.id === seenId && <div class="meta seen">{d.seen}</div>}
              {m.id === editableId && (
                <div class="meta mine-actions">
                  {!m.attachment && (
                    <button type="button" class="link" onClick={() => startEditing(id, m)}>
                      {d.edit}
                    </button>
                  )}
                  <button type="button" class="link" onClick={() => void changeMessage(id, m.id, null).then((err) => err && set({ notice: err }))}>
                    {d.delete}
                  </button>
                </div>
              )}
            </div>
          ) : (
            <div key={m.id} class="msg note">
              <div class="meta">
                {x.noteBy(m.authorName)} · {time(m.createdAt, s.lang)}
              </div>
              <div class="bubble">{m.body}</div>
            </div>
          ),
        )}
        {c.pending.map((p) => (
          <div key={p.clientId} class="msg us pending">
            <div class="bubble">{p.body}</div>
            <div class="meta">
              {p.uploading ? (
                d.uploading
              ) : p.status === 'sending' ? (
                t.sending
              ) : (
                <>
                  {p.error === 'AT_CAPACITY' ? t.atCapacity : t.notSent}{' '}
                  <button type="button" class="link" onClick={() => retry(id, p.clientId)}>
                    {t.retry}
                  </button>
                </>
              )}
            </div>
          </div>
        ))}
        {closed && <p class="ended">{t.chatEnded(t.endedBy[sum.closedReason ?? 'operator'] ?? '')}</p>}
        {sum.rating && (
          <p class={`rating-line ${sum.rating.verdict}`}>
            <Face v={sum.rating.verdict} /> <b>{q.verdict[sum.rating.verdict]}</b>
            {sum.rating.nps !== null && ` · ${q.nps(sum.rating.nps)}`}
            {sum.rating.comment && (
              <>
                {' — '}
                <Body text={sum.rating.comment} />
              </>
            )}
          </p>
        )}
      </div>
      <div class="typing" aria-live="polite">
        {c.peek ? x.peek(c.peek) : c.visitorTyping ? t.typing : ''}
      </div>
      {!closed && <Composer id={id} onSent={() => (stick.current = true)} />}
    </article>
  );
}

/** Messages and internal notes in one timeline. */
function merge(messages: Message[], notes: Note[]): (Message | Note)[] {
  if (!notes.length) return messages;
  return [...messages, ...notes].sort((a, b) => a.createdAt - b.createdAt);
}

export type { PhraseHit };
