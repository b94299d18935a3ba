import type { Lang } from '@beckon/protocol';
import { set, useConsole } from '../store';

export function LangSwitch() {
  const s = useConsole();
  const choose = (lang: Lang) => {
    try {
      localStorage.setItem('beckon:console:lang', lang);
    } catch {
      /* storage blocked */
    }
    set({ lang });
  };
  return (
    <div class="lang" role="group" aria-label="Language / Язык">
      {(['en', 'ru'] as const).map((l) => (
        <button type="button" class={s.lang === l ? 'on' : ''} aria-pressed={s.lang === l} onClick={() => choose(l)}>
          {l.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
