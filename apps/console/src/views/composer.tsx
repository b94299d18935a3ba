/**
 * The reply box: `/` inserts a saved reply (variables filled in), a note mode for the team
 * only, and the phrase guard that stops blame phrases before they reach a customer.
 */
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fillReply as fill, type PhraseHit } from '@beckon/protocol';
import { STRINGS } from '../i18n';
import { TOOLS } from '../i18n-tools';
import { EVERYDAY } from '../i18n-everyday';
import { addNote, changeMessage, checkPhrases, send, sendFile, setDraft, startEditing, typing, useConsole, type Canned } from '../store';
import { insertAt } from '@beckon/widget/emoji';
import type { EmojiPicker as Picker } from './emoji-picker';

/** a phone's width: shorter hints */
const narrow = () => typeof matchMedia === 'function' && matchMedia('(max-width: 700px)').matches;

export function Composer({ id, onSent }: { id: string; onSent: () => void }) {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const x = TOOLS[s.lang];
  const d = EVERYDAY[s.lang];
  const c = s.convs[id]!;
  const draft = s.drafts[id] ?? '';
  const input = useRef<HTMLTextAreaElement>(null);
  const [note, setNote] = useState(false);
  const [pick, setPick] = useState(0);
  const [warn, setWarn] = useState<PhraseHit[] | null>(null);
  const [fileError, setFileError] = useState('');
  const editing = s.editing[id] ?? null;
  // the emoji grid is its own chunk, fetched the first time it is opened
  const [picker, setPicker] = useState<typeof Picker | null>(null);
  const [picking, setPicking] = useState(false);
  const openPicker = () => {
    if (picker) return setPicking(!picking);
    void import('./emoji-picker').then((m) => (setPicker(() => m.EmojiPicker), setPicking(true)));
  };
  const pickEmoji = (e: string) => {
    const el = input.current;
    const next = insertAt(draft, el?.selectionStart ?? null, el?.selectionEnd ?? null, e);
    setDraft(id, next.value);
    setPicking(false);
    requestAnimationFrame(() => (el?.focus(), el?.setSelectionRange(next.cursor, next.cursor)));
  };
  const file = (f: File) => {
    setFileError('');
    onSent();
    void sendFile(id, f).then((err) => err && setFileError(err));
  };
  useEffect(() => {
    input.current?.focus();
  }, []);

  const query = !note && draft.startsWith('/') && !draft.includes('\n') ? draft.slice(1).toLowerCase() : null;
  const matches: Canned[] = query === null ? [] : s.canned.filter((r) => r.shortcut.toLowerCase().includes(query) || r.body.toLowerCase().includes(query)).slice(0, 8);
  const vars = {
    'visitor.name': /^(Visitor|Посетитель) /.test(c.summary.visitorName) ? '' : c.summary.visitorName,
    'operator.name': s.me!.account.name,
    'site.name': s.me!.memberships.find((m) => m.siteId === s.siteId)?.siteName ?? '',
  };
  const insert = (r: Canned) => {
    setDraft(id, fill(r.body, vars));
    setPick(0);
    input.current?.focus();
  };
  const submit = (force = false) => {
    const text = draft.trim();
    if (!text) return;
    if (note) {
      void addNote(id, text).then((err) => !err && setDraft(id, ''));
      return;
    }
    if (editing) {
      void changeMessage(id, editing, text).then((err) => (err ? setFileError(err) : startEditing(id, null)));
      return;
    }
    const hits = force ? [] : checkPhrases(text);
    if (hits.length) return setWarn(hits);
    setWarn(null);
    onSent();
    send(id, text);
  };

  return (
    <div class={`composer${note ? ' noting' : ''}`}>
      {matches.length > 0 && (
        <ul class="canned-pop" role="listbox" aria-label={x.cannedHint}>
          {matches.map((r, i) => (
            <li role="option" aria-selected={i === pick} class={i === pick ? 'on' : ''} onMouseDown={(e) => (e.preventDefault(), insert(r))}>
              <b>/{r.shortcut}</b> <span>{fill(r.body, vars)}</span>
            </li>
          ))}
        </ul>
      )}
      {query !== null && !matches.length && <div class="canned-pop empty-pop">{x.noCanned}</div>}
      {picking && picker && h(picker, { onPick: pickEmoji, label: d.emoji })}
      {editing && (
        <div class="editing-bar">
          {d.editingNow}{' '}
          <button type="button" class="link" onClick={() => startEditing(id, null)}>
            {d.cancel}
          </button>
        </div>
      )}
      {fileError && (
        <div class="guard" role="alert">
          {fileError}{' '}
          <button type="button" class="link" onClick={() => setFileError('')}>
            ×
          </button>
        </div>
      )}
      {warn && (
        <div class="guard" role="alert">
          <b>{x.guardTitle}</b> {warn.map((h) => `“${h.phrase}”`).join(', ')}
          {warn[0]!.suggestion && (
            <p>
              {x.guardTry} <i>{warn[0]!.suggestion}</i>
            </p>
          )}
          <p class="small">
            {x.apologies}{' '}
            {x.apology.map((a) => (
              <button type="button" class="link" onClick={() => (setDraft(id, a), setWarn(null), input.current?.focus())}>
                {a.slice(0, 48)}…
              </button>
            ))}
          </p>
          <div class="row-actions">
            <button type="button" class="primary" onClick={() => (setWarn(null), input.current?.focus())}>
              {x.edit}
            </button>
            <button type="button" class="ghost" onClick={() => submit(true)}>
              {x.sendAnyway}
            </button>
          </div>
        </div>
      )}
      <form
        class="compose"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label class="note-toggle" title={x.noteMode}>
          <input type="checkbox" checked={note} onChange={(e) => setNote(e.currentTarget.checked)} /> {x.note}
        </label>
        <label class={`tool attach${note ? ' off' : ''}`} title={d.attach} aria-label={d.attach}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M16.5 7.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l8-8a4 4 0 0 0-5.6-5.6l-8 8a6 6 0 0 0 8.5 8.5l6.6-6.6" />
          </svg>
          <input
            type="file"
            disabled={note}
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) file(f);
            }}
          />
        </label>
        <button type="button" class="ghost tool" title={d.emoji} aria-label={d.emoji} aria-expanded={picking} onClick={openPicker}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2" />
            <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M8 14.5a4.5 4.5 0 0 0 8 0M9 9.5h.01M15 9.5h.01" />
          </svg>
        </button>
        <button type="button" class="ghost tool" title={d.savedReplies} aria-label={d.savedReplies} disabled={note} onClick={() => (setDraft(id, query === null ? '/' : ''), input.current?.focus())}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M5 4h14v16l-7-4-7 4z" />
          </svg>
        </button>
        <textarea
          ref={input}
          rows={2}
          aria-label={note ? x.notePlaceholder : t.reply}
          placeholder={note ? x.notePlaceholder : narrow() ? d.replyPhone : x.replyShort}
          value={draft}
          maxLength={4000}
          onInput={(e) => {
            setDraft(id, e.currentTarget.value);
            setWarn(null);
            setPick(0);
            if (!note) typing(id, true);
          }}
          onBlur={() => typing(id, false)}
          onPaste={(e) => {
            const f = [...(e.clipboardData?.files ?? [])][0];
            if (f && !note) {
              e.preventDefault();
              file(f);
            }
          }}
          onKeyDown={(e) => {
            if (matches.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
              e.preventDefault();
              setPick((pick + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
            } else if (matches.length && (e.key === 'Enter' || e.key === 'Tab')) {
              e.preventDefault();
              insert(matches[pick]!);
            } else if (query !== null && e.key === 'Escape') {
              setDraft(id, '');
            } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="primary send" disabled={!draft.trim()} aria-label={note ? x.note : t.send}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path fill="currentColor" d="M3.4 20.4l17.5-7.5a1 1 0 0 0 0-1.8L3.4 3.6a1 1 0 0 0-1.4 1.1L4 11l9 1-9 1-2 6.3a1 1 0 0 0 1.4 1.1z" />
          </svg>
          <span>{note ? x.note : t.send}</span>
        </button>
      </form>
    </div>
  );
}
