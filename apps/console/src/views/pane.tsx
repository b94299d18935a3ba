/** One open conversation: history, typing, composer with its own draft. */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { Message } from '@beckon/protocol';
import { STRINGS } from '../i18n';
import { Journey } from './journey';
import { closePane, endChat, loadOlder, retry, send, setDraft, take, typing, useConsole } from '../store';

const time = (ms: number, lang: string) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

export function Pane({ id }: { id: string }) {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const c = s.convs[id]!;
  const sum = c.summary;
  const draft = s.drafts[id] ?? '';
  const log = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const input = useRef<HTMLTextAreaElement>(null);

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
  useEffect(() => {
    input.current?.focus();
  }, []);

  const submit = () => {
    if (!draft.trim()) return;
    stick.current = true;
    send(id, draft);
  };
  const mine = sum.assigneeId === s.me!.account.id;
  const closed = sum.status === 'closed';

  return (
    <article class="pane" aria-label={sum.visitorName}>
      <header>
        <div>
          <h3>{sum.visitorName}</h3>
          <span class={`chip ${sum.status}`}>{sum.status === 'queued' ? t.waiting : sum.status === 'active' ? t.assignedTo(mine ? t.you : (sum.assigneeName ?? '?')) : t.closed}</span>
        </div>
        <div class="actions">
          {sum.status === 'queued' && (
            <button type="button" onClick={() => void take(id)}>
              {t.take}
            </button>
          )}
          {!closed && (
            <button type="button" class="danger" onClick={() => void endChat(id)}>
              {t.endChat}
            </button>
          )}
          <button type="button" class="ghost icon" aria-label={t.closePane} title={t.closePane} onClick={() => closePane(id)}>
            ×
          </button>
        </div>
      </header>
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
        {c.messages.map((m: Message) => (
          <div key={m.id} class={`msg ${m.sender === 'visitor' ? 'them' : 'us'}`}>
            <div class="meta">
              {m.sender === 'visitor' ? sum.visitorName : m.authorName} · {time(m.createdAt, s.lang)}
            </div>
            <div class="bubble">{m.body}</div>
          </div>
        ))}
        {c.pending.map((p) => (
          <div key={p.clientId} class="msg us pending">
            <div class="bubble">{p.body}</div>
            <div class="meta">
              {p.status === 'sending' ? (
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
      </div>
      <div class="typing" aria-live="polite">
        {c.visitorTyping ? t.typing : ''}
      </div>
      {!closed && (
        <form
          class="compose"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <textarea
            ref={input}
            rows={2}
            aria-label={t.reply}
            placeholder={t.reply}
            value={draft}
            maxLength={4000}
            onInput={(e) => {
              setDraft(id, e.currentTarget.value);
              typing(id, true);
            }}
            onBlur={() => typing(id, false)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                submit();
              }
            }}
          />
          <button type="submit" class="primary" disabled={!draft.trim()}>
            {t.send}
          </button>
        </form>
      )}
    </article>
  );
}
