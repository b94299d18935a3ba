/** Saved replies (shared per site and personal) and, for admins, the phrase guard's list. */
import { useState } from 'preact/hooks';
import type { PhraseRule } from '@beckon/protocol';
import { api } from '../api';
import { TOOLS } from '../i18n-tools';
import { loadTools, useConsole } from '../store';

export function Replies() {
  const s = useConsole();
  const x = TOOLS[s.lang];
  const role = s.me!.memberships.find((m) => m.siteId === s.siteId)?.role;
  const [shortcut, setShortcut] = useState('');
  const [body, setBody] = useState('');
  const [shared, setShared] = useState(false);
  const [error, setError] = useState('');
  const [phrases, setPhrases] = useState<PhraseRule[] | null>(null);
  const list = phrases ?? s.phrases;

  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', `/api/sites/${s.siteId}/canned`, { shortcut, body, shared });
      setShortcut('');
      setBody('');
      setError('');
      await loadTools();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const savePhrases = async (next: PhraseRule[]) => {
    try {
      await api('PUT', `/api/sites/${s.siteId}/phrases`, { phrases: next });
      setPhrases(null);
      await loadTools();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="page replies">
      <h2>{x.replies}</h2>
      <p class="muted">{x.cannedHint}.</p>
      <table class="grid-table">
        <tbody>
          {s.canned.map((c) => (
            <tr>
              <td>
                <b>/{c.shortcut}</b>
              </td>
              <td class="reply-body">{c.body}</td>
              <td class="muted small">{c.shared ? x.shared : x.mine}</td>
              <td>
                {(!c.shared || role !== 'operator') && (
                  <button type="button" class="ghost danger small" onClick={async () => (await api('DELETE', `/api/canned/${c.id}`), await loadTools())}>
                    ×
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="add-reply" onSubmit={add}>
        <label>
          {x.shortcut}
          <input name="shortcut" required maxLength={40} value={shortcut} onInput={(e) => setShortcut(e.currentTarget.value.replace(/\s+/g, '-'))} />
        </label>
        <label class="grow">
          {x.replyText}
          <textarea name="body" required rows={2} maxLength={4000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        {role !== 'operator' && (
          <label class="check">
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} /> {x.shared}
          </label>
        )}
        <button type="submit" class="primary">
          {x.addReply}
        </button>
      </form>
      {error && <p class="error">{error}</p>}

      <h2>{x.phraseGuard}</h2>
      <p class="muted">{x.phraseHelp}</p>
      <table class="grid-table phrases">
        <thead>
          <tr>
            <th>{x.phrase}</th>
            <th>{x.suggestion}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((p, i) => (
            <tr>
              <td>
                <input disabled={role !== 'admin'} value={p.phrase} onInput={(e) => setPhrases(list.map((q, j) => (j === i ? { ...q, phrase: e.currentTarget.value } : q)))} />
              </td>
              <td>
                <input disabled={role !== 'admin'} value={p.suggestion} onInput={(e) => setPhrases(list.map((q, j) => (j === i ? { ...q, suggestion: e.currentTarget.value } : q)))} />
              </td>
              <td>
                {role === 'admin' && (
                  <button type="button" class="ghost danger small" onClick={() => void savePhrases(list.filter((_, j) => j !== i))}>
                    ×
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {role === 'admin' && (
        <div class="row-actions">
          <button type="button" onClick={() => setPhrases([...list, { phrase: '', suggestion: '' }])}>
            {x.addPhrase}
          </button>
          {phrases && (
            <button type="button" class="primary" onClick={() => void savePhrases(list.filter((p) => p.phrase.trim().length >= 2))}>
              {STRINGS_SAVE[s.lang]}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

const STRINGS_SAVE = { en: 'Save phrases', ru: 'Сохранить фразы' };
