/** The chat panel: header, conversation log, composer. Rendered only once the chat is opened. */
import { Fragment } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '@beckon/protocol';
import { LIMITS_MESSAGE_LENGTH } from './limits';
import type { WidgetContext, WidgetState } from '../shared/types';
import { STRINGS, type Strings } from './i18n';
import { useWidgetState } from './state';
import { Linkified } from './linkify';
import type { Actions } from './actions';
import type { Rating as RatingCard } from './rating';

const CLOSE = <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L12 13.4l-6.3 6.3-1.4-1.4L10.6 12 4.3 5.7l1.4-1.4L12 10.6l6.3-6.3z" /></svg>;
const CLIP = <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z" /></svg>;
const SMILE = <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm-3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM12 17.5a5.5 5.5 0 0 0 5-3.2l-1.8-.8a3.5 3.5 0 0 1-6.4 0l-1.8.8a5.5 5.5 0 0 0 5 3.2z" /></svg>;
const SEND = <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3.4 20.4 21 12 3.4 3.6 3.3 10l12.6 2-12.6 2z" /></svg>;

const time = (ms: number, lang: string) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

type FilesPart = typeof import('./more');

function Bubble({ m, t, color, lang, showWho, base, files }: { m: Message; t: Strings; color: string; lang: string; showWho: boolean; base: string; files: FilesPart | null }) {
  const mine = m.sender === 'visitor';
  return (
    <>
      {!mine && showWho && m.authorName && <div class="bk-who">{m.authorName}</div>}
      <div class={`bk-msg ${mine ? 'bk-me' : 'bk-them'}`} style={mine ? { background: color } : undefined}>
        <span class="bk-sr">{mine ? t.you : m.authorName || ''}: </span>
        {m.attachment && (files ? <files.File a={m.attachment} base={base} /> : <a class="bk-doc" href={`${base}/files/${m.attachment.id}`} target="_blank" rel="noopener noreferrer">{m.attachment.name}</a>)}
        {m.deletedAt ? <i class="bk-gone">{t.deleted}</i> : (!m.attachment || m.body !== m.attachment.name) && <Linkified text={m.body} />}
        <time class="bk-time" dateTime={new Date(m.createdAt).toISOString()}>
          {time(m.createdAt, lang)}
          {m.editedAt && !m.deletedAt ? ` · ${t.edited}` : ''}
        </time>
      </div>
    </>
  );
}

/** a visitor's own last message may be changed for a while (LIMITS.editWindowMs on the server) */
const EDITABLE_MS = 5 * 60_000;

function Messages({ list, t, color, lang, seen = 0, base, files, change }: { list: Message[]; t: Strings; color: string; lang: string; seen?: number; base: string; files: FilesPart | null; change?: (m: Message, remove: boolean) => void }) {
  // "Seen" under the visitor's last message once an operator has read it
  let last = list.length - 1;
  while (last >= 0 && list[last]!.sender !== 'visitor') last--;
  return (
    <>
      {list.map((m, i) => (
        <Fragment key={m.id}>
          <Bubble m={m} t={t} color={color} lang={lang} base={base} files={files} showWho={i === 0 || list[i - 1]!.sender !== m.sender || list[i - 1]!.authorName !== m.authorName} />
          {i === last && m.seq <= seen && <div class="bk-seen">{t.seen}</div>}
          {i === last && change && !m.deletedAt && Date.now() - m.createdAt < EDITABLE_MS && (
            <div class="bk-mine">
              {!m.attachment && (
                <button type="button" class="bk-link" onClick={() => change(m, false)}>
                  {t.edit}
                </button>
              )}
              <button type="button" class="bk-link" onClick={() => change(m, true)}>
                {t.del}
              </button>
            </div>
          )}
        </Fragment>
      ))}
    </>
  );
}

export function Panel({ ctx, actions }: { ctx: WidgetContext; actions: Actions }) {
  const s = useWidgetState(ctx);
  const t = STRINGS[s.lang];
  const a = s.site!.appearance;
  const [draft, setDraft] = useState('');
  /** the chat, or one of the forms for the inbox */
  const [mode, setMode] = useState<'chat' | 'message' | 'callback'>('chat');
  const [sent, setSent] = useState('');
  const [formError, setFormError] = useState('');
  const [start, setStart] = useState({ department: null as string | null, name: '', email: '' });
  const log = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const stick = useRef(true);
  const typingSent = useRef(0);
  const typingStop = useRef<ReturnType<typeof setTimeout>>();
  // the rating card is its own chunk, fetched once a chat has ended
  const [Rating, setRating] = useState<typeof RatingCard | null>(null);
  const rateable = s.conversation?.status === 'closed' && (s.conversation.rateUntil ?? 0) > Date.now();
  useEffect(() => {
    if (rateable && !Rating) void (import(/* @vite-ignore */ ctx.partUrl('rating')) as Promise<typeof import('./rating')>).then((m) => setRating(() => m.Rating));
  }, [rateable]);

  // focus the composer on open; give focus back to the launcher on close
  useEffect(() => {
    if (s.open) input.current?.focus();
  }, [s.open]);
  useEffect(() => {
    if (s.open && s.answersUnread) actions.seen();
  }, [s.open, s.answersUnread]);

  // new messages keep the view at the bottom; older ones loaded above keep what was in view
  const firstSeq = useRef(0);
  const fromBottom = useRef(0);
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    const first = s.messages[0]?.seq ?? 0;
    if (stick.current) el.scrollTop = el.scrollHeight;
    else if (first !== firstSeq.current) el.scrollTop = el.scrollHeight - fromBottom.current;
    firstSeq.current = first;
  });

  if (!s.open) return null;

  const close = () => {
    ctx.setOpen(false);
    ctx.launcher.focus();
  };
  const send = () => {
    if (!draft.trim() || draft.length > LIMITS_MESSAGE_LENGTH) return;
    if (editing) {
      const id = editing.id;
      setEditing(null);
      void actions.change(id, draft).then((err) => err !== null && setSent(err || t.sendFailed));
    } else actions.send(draft, prechat ? start : undefined);
    setDraft('');
    stick.current = true;
    typingSent.current = 0;
    input.current?.focus();
  };
  const onInput = (value: string) => {
    setDraft(value);
    const now = Date.now();
    if (now - typingSent.current > 2000) {
      typingSent.current = now;
      actions.typing(true, value);
    }
    clearTimeout(typingStop.current);
    typingStop.current = setTimeout(() => {
      typingSent.current = 0;
      actions.typing(false);
    }, 3000);
  };

  const conv = s.conversation;
  const site = s.site!;
  const online = site.online && site.inHours;
  const fresh = !conv || conv.status === 'closed';
  // nobody to chat with and no conversation going: the forms instead of the composer
  const form = mode !== 'chat' ? mode : fresh && !online && !s.pending.length ? 'message' : null;
  const prechat = fresh && online && site.prechat;
  const q = conv?.status === 'queued' && online ? conv.queue : null;
  const base = ctx.server().base;
  // pictures and uploads are their own chunk: fetched when a file is in the chat or about to be sent
  const [files, setFiles] = useState<FilesPart | null>(null);
  const loadFiles = () => (import(/* @vite-ignore */ ctx.partUrl('more')) as Promise<FilesPart>).then((m) => (setFiles(() => m), m));
  const hasFile = s.messages.some((m) => m.attachment) || s.earlier.some((m) => m.attachment);
  useEffect(() => {
    if (hasFile && !files) void loadFiles();
  }, [hasFile]);
  // editing the visitor's own last message: its text goes into the composer
  const [editing, setEditing] = useState<Message | null>(null);
  const change = (m: Message, remove: boolean) => {
    if (!remove) {
      setEditing(m);
      setDraft(m.body);
      return input.current?.focus();
    }
    void actions.change(m.id, null).then((err) => err !== null && setSent(err || t.sendFailed));
  };
  const [picking, setPicking] = useState(false);
  const pickEmoji = (e: string) => {
    const el = input.current;
    const next = files!.insertAt(draft, el?.selectionStart ?? null, el?.selectionEnd ?? null, e);
    onInput(next.value);
    setPicking(false);
    requestAnimationFrame(() => (el?.focus(), el?.setSelectionRange(next.cursor, next.cursor)));
  };
  const attach = (f: globalThis.File) => {
    if (site.filesMb !== null && f.size > site.filesMb * 1048576) return setSent(t.tooBig(site.filesMb));
    setSent('');
    void (files ? Promise.resolve(files) : loadFiles()).then((m) => m.upload(ctx, actions, f)).then((err) => err !== null && setSent(err || t.sendFailed));
  };
  const leave = async (e: Event) => {
    e.preventDefault();
    const el = e.currentTarget as HTMLFormElement;
    const f = new FormData(el);
    const fields = Object.fromEntries([...f.entries()].map(([k, v]) => [k, String(v).trim()]));
    setFormError('');
    const err = await actions.leave(form === 'callback' ? 'offer:callback' : 'inbox:message', fields);
    if (err === null) {
      setSent(form === 'callback' ? t.sentCall : t.sentMessage + t.answerWay(site.email));
      // sent: the form starts empty again (it stays on screen while nobody is online)
      el.reset();
      setMode('chat');
    } else setFormError(err || t.sendFailed);
  };
  // honest: "an operator will join" only while someone is online to join
  const status = conv?.status === 'active' && conv.assignee ? t.answering(conv.assignee.name) : conv?.status === 'queued' && online ? t.waiting : online ? t.online : t.offline;
  const left = LIMITS_MESSAGE_LENGTH - draft.length;

  return (
    <div
      class={`bk-panel bk-${a.position}`}
      role="dialog"
      aria-label={t.panel(a.teamName)}
      style={{ '--bk-color': a.color }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          close();
        }
      }}
    >
      <div class="bk-head" style={{ background: a.color }}>
        <div class="bk-avatar" aria-hidden="true">
          {a.avatarUrl ? <img src={a.avatarUrl} alt="" /> : (conv?.assignee?.name || a.teamName).charAt(0).toUpperCase()}
        </div>
        <div class="bk-title">
          <b>{a.teamName}</b>
          <span>
            <i class={`bk-dot${online ? '' : ' bk-off'}`} />
            {status}
          </span>
        </div>
        <button type="button" class="bk-x" aria-label={t.close} onClick={close}>
          {CLOSE}
        </button>
      </div>
      {s.connection !== 'online' && (
        <div class="bk-banner" role="status">
          {s.connection === 'connecting' ? t.connecting : t.reconnecting}
        </div>
      )}
      <div
        class="bk-log"
        ref={log}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          fromBottom.current = el.scrollHeight - el.scrollTop;
        }}
      >
        {s.hasMore && (
          <button type="button" class="bk-link bk-more bk-note" onClick={() => actions.loadOlder()} disabled={s.loadingOlder}>
            {s.loadingOlder ? t.loading : t.earlier}
          </button>
        )}
        {!s.hasMore && (a.greeting[s.lang] || a.greeting.en || a.greeting.ru) && (
          <div class="bk-msg bk-them">{a.greeting[s.lang] || a.greeting.en || a.greeting.ru}</div>
        )}
        {s.answers.map((x) => (
          <div class="bk-answer" key={x.id}>
            <b>{t.reply}</b>
            <div class="bk-q">{x.question}</div>
            <Linkified text={x.answer} />
            <div class="bk-time">— {x.by}</div>
          </div>
        ))}
        <Messages list={s.earlier} t={t} color={a.color} lang={s.lang} base={base} files={files} />
        {s.earlier.length > 0 && <div class="bk-divider">{t.endedDivider}</div>}
        <Messages list={s.messages} t={t} color={a.color} lang={s.lang} seen={conv?.seenSeq} base={base} files={files} change={conv?.status === 'closed' ? undefined : change} />
        {conv?.status === 'closed' && <div class="bk-note">{t.ended}</div>}
        {rateable && Rating && <Rating key={conv!.id} ctx={ctx} conv={conv!} lang={s.lang} color={a.color} />}
        {conv?.status === 'queued' && !online && s.messages.length > 0 && <div class="bk-note">{t.nobodyOnline}</div>}
        {q && (
          <div class="bk-queue" role="status">
            <b>
              {t.inLine(q.position)}
              {q.waitMs === null ? t.noEstimate : t.about(Math.max(1, Math.round(q.waitMs / 60_000)))}
            </b>
            {q.overLimit && <div>{t.longWait}</div>}
            <button type="button" class="bk-link" onClick={() => setMode('message')}>
              {t.leaveMessage}
            </button>{' '}
            ·{' '}
            <button type="button" class="bk-link" onClick={() => setMode('callback')}>
              {t.callMe}
            </button>
          </div>
        )}
        {sent && (
          <div class="bk-note" role="status">
            {sent}
          </div>
        )}
        {s.pending.map((p) => (
          <Fragment key={p.clientId}>
            <div class="bk-msg bk-me bk-pending" style={{ background: a.color }}>
              {p.body}
              <span class="bk-time">{p.uploading ? t.uploading : p.status === 'sending' ? t.sending : ''}</span>
            </div>
            {p.status === 'failed' && (
              <div class="bk-failed" role="alert">
                {t.failed}
                <button type="button" class="bk-link" onClick={() => actions.retry(p.clientId)}>
                  {t.retry}
                </button>
                <button type="button" class="bk-link" onClick={() => actions.discard(p.clientId)}>
                  {t.discard}
                </button>
              </div>
            )}
          </Fragment>
        ))}
        <div class="bk-typing" aria-live="off">
          {s.typing !== null ? t.typing(s.typing) : ''}
        </div>
      </div>
      {form ? (
        <form class="bk-leave" onSubmit={leave} key={form}>
          {mode === 'chat' && <p>{t.away}</p>}
          {form === 'message' ? (
            <>
              <input class="bk-input" name="name" required maxLength={100} placeholder={t.name} aria-label={t.name} autoComplete="name" />
              <input class="bk-input" name="email" type="email" required maxLength={200} placeholder={t.email} aria-label={t.email} autoComplete="email" />
              <textarea class="bk-input" name="body" required rows={3} maxLength={LIMITS_MESSAGE_LENGTH} placeholder={t.message} aria-label={t.message} />
            </>
          ) : (
            <>
              <input class="bk-input" name="phone" type="tel" required maxLength={32} placeholder={t.phone} aria-label={t.phone} autoComplete="tel" />
              <input class="bk-input" name="time" maxLength={100} placeholder={t.when} aria-label={t.when} />
            </>
          )}
          {formError && (
            <div class="bk-failed" role="alert">
              {formError}
            </div>
          )}
          <div class="bk-row">
            <button type="submit" class="bk-btn" style={{ background: a.color }}>
              {form === 'message' ? t.sendMessage : t.requestCall}
            </button>
            <button type="button" class="bk-link" onClick={() => setMode(mode === 'chat' ? (form === 'message' ? 'callback' : 'message') : 'chat')}>
              {mode === 'chat' ? (form === 'message' ? t.callMe : t.leaveMessage) : t.backToChat}
            </button>
          </div>
        </form>
      ) : (
        <>
      {prechat && (
        <div class="bk-pre">
          {site.departments.length > 0 && (
            <select class="bk-input" aria-label={t.topic} value={start.department ?? ''} onChange={(e) => setStart({ ...start, department: e.currentTarget.value || null })}>
              <option value="">{t.topic}…</option>
              {site.departments.map((d) => (
                <option value={d.id}>{d.name[s.lang] || d.name.en || d.name.ru || d.id}</option>
              ))}
            </select>
          )}
          <input class="bk-input" placeholder={`${t.name} ${t.optional}`} aria-label={t.name} maxLength={100} value={start.name} onInput={(e) => setStart({ ...start, name: e.currentTarget.value })} />
          <input class="bk-input" type="email" placeholder={`${t.email} ${t.optional}`} aria-label={t.email} maxLength={200} value={start.email} onInput={(e) => setStart({ ...start, email: e.currentTarget.value })} />
        </div>
      )}
      {left < 200 && <div class="bk-count">{t.charsLeft(left)}</div>}
      {site.sneakPeek && <div class="bk-count bk-peek">{t.peek}</div>}
      <form
        class="bk-compose"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        {editing && (
          <div class="bk-editing">
            {t.editing}{' '}
            <button type="button" class="bk-link" onClick={() => (setEditing(null), setDraft(''))}>
              {t.cancel}
            </button>
          </div>
        )}
        {picking && files && <files.EmojiPicker onPick={pickEmoji} label={t.emoji} />}
        <button type="button" class="bk-clip" aria-label={t.emoji} title={t.emoji} aria-expanded={picking} onClick={() => (files ? setPicking(!picking) : void loadFiles().then(() => setPicking(true)))}>
          {SMILE}
        </button>
        {site.filesMb !== null && (
          <label class="bk-clip" title={t.attach} aria-label={t.attach}>
            {CLIP}
            <input type="file" accept="image/png,image/jpeg,image/gif,image/webp,.pdf,.txt,.csv,.docx,.xlsx,.odt,.ods" onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) attach(f);
            }} />
          </label>
        )}
        <textarea
          ref={input}
          class="bk-input"
          rows={1}
          onPaste={(e) => {
            const f = [...(e.clipboardData?.files ?? [])][0];
            if (f && site.filesMb !== null) {
              e.preventDefault();
              attach(f);
            }
          }}
          aria-label={t.placeholder}
          placeholder={t.placeholder}
          value={draft}
          maxLength={LIMITS_MESSAGE_LENGTH}
          onInput={(e) => {
            const el = e.currentTarget;
            onInput(el.value);
            el.style.height = 'auto';
            el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
          onBlur={() => actions.typing(false)}
        />
        <button type="submit" class="bk-send" style={{ background: a.color }} aria-label={t.send} disabled={!draft.trim()}>
          {SEND}
        </button>
      </form>
        </>
      )}
    </div>
  );
}
