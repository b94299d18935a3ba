/**
 * The reply box: `/` inserts a saved reply (variables filled in), a note mode for the team
 * only, and the phrase guard that stops blame phrases before they reach a customer.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PhraseHit } from '@beckon/protocol';
import { STRINGS } from '../i18n';
import { TOOLS } from '../i18n-tools';
import { addNote, checkPhrases, send, setDraft, typing, useConsole, type Canned } from '../store';

export function fill(body: string, vars: Record<string, string>): string {
  return body.replace(/\{(visitor\.name|operator\.name|site\.name)\}/g, (_, k: string) => vars[k] ?? '');
}

export function Composer({ id, onSent }: { id: string; onSent: () => void }) {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const x = TOOLS[s.lang];
  const c = s.convs[id]!;
  const draft = s.drafts[id] ?? '';
  const input = useRef<HTMLTextAreaElement>(null);
  const [note, setNote] = useState(false);
  const [pick, setPick] = useState(0);
  const [warn, setWarn] = useState<PhraseHit[] | null>(null);
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
    setDraft(id, fill(r.body, vars).replace(/ {2,}/g, ' ').replace(/ ([,!.?])/g, '$1'));
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
        <textarea
          ref={input}
          rows={2}
          aria-label={note ? x.notePlaceholder : t.reply}
          placeholder={note ? x.notePlaceholder : x.replyShort}
          value={draft}
          maxLength={4000}
          onInput={(e) => {
            setDraft(id, e.currentTarget.value);
            setWarn(null);
            setPick(0);
            if (!note) typing(id, true);
          }}
          onBlur={() => typing(id, false)}
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
        <button type="submit" class="primary" disabled={!draft.trim()}>
          {note ? x.note : t.send}
        </button>
      </form>
    </div>
  );
}
