/**
 * The guided first setup: a checklist that ticks itself off (addresses allowed → snippet pasted
 * → widget seen → a teammate → a rule on), the snippet for each kind of site, and a test message
 * that arrives in Chats like a visitor's.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SetupStatus, SiteView } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { SETUP } from '../i18n-setup';
import { openPane, set, useConsole } from '../store';
import { snippetFor } from './snippet';
import { CopyButton } from './copy-button';

export type { SetupStatus };

export const setupSteps = (st: SetupStatus) => ({
  origins: st.origins.length > 0,
  snippet: st.detected.length > 0 || st.refused.length > 0,
  detected: st.detected.length > 0,
  teammate: st.teammates > 0,
  rule: st.rulesOn > 0,
});

const PLATFORMS = ['html', 'wordpress', 'shopify', 'tilda', 'spa'] as const;

export function Setup() {
  const s = useConsole();
  const t = SETUP[s.lang];
  const [st, setSt] = useState<SetupStatus | null>(null);
  const [site, setSite] = useState<SiteView | null>(null);
  const [origin, setOrigin] = useState('');
  const [error, setError] = useState('');
  const [platform, setPlatform] = useState<(typeof PLATFORMS)[number]>('html');
  const [test, setTest] = useState<{ id?: string; error?: string } | null>(null);
  const load = () => {
    if (!s.siteId) return;
    void api<SetupStatus>('GET', `/api/sites/${s.siteId}/setup`).then(setSt, () => undefined);
    void api<SiteView>('GET', `/api/sites/${s.siteId}`).then(setSite, () => undefined);
  };
  useEffect(() => {
    load();
    // "see it detected": the page checks by itself while it is open
    const every = setInterval(() => void api<SetupStatus>('GET', `/api/sites/${s.siteId}/setup`).then(setSt, () => undefined), 5000);
    return () => clearInterval(every);
  }, [s.siteId]);
  if (!st || !site) return <p class="empty">…</p>;
  const steps = setupSteps(st);
  const done = Object.values(steps).filter(Boolean).length;
  const code = snippetFor(site.key, platform, s.lang);

  const allow = async (e: Event) => {
    e.preventDefault();
    setError('');
    let o: string;
    try {
      const u = new URL(origin.trim());
      if (!/^https?:$/.test(u.protocol) || (u.pathname !== '/' && u.pathname !== '') || u.search) throw new Error();
      o = u.origin;
    } catch {
      return setError(t.badOrigin);
    }
    try {
      await api('PATCH', `/api/sites/${site.id}`, { allowedOrigins: [...new Set([...site.allowedOrigins, o])] });
      setOrigin('');
      load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const step = (key: keyof typeof steps, n: number, body: preact.ComponentChildren) => (
    <li class={`setup-step${steps[key] ? ' done' : ''}`} data-step={key}>
      <span class="setup-mark" aria-hidden="true">
        {steps[key] ? '✓' : n}
      </span>
      <div class="setup-body">
        <h2>
          {t.steps[key]} {steps[key] && <span class="chip active">{t.done}</span>}
        </h2>
        {body}
      </div>
    </li>
  );
  return (
    <div class="page setup">
      <h1>{t.title}</h1>
      <p class="muted">{t.intro}</p>
      <div class="setup-progress" role="progressbar" aria-valuemin={0} aria-valuemax={5} aria-valuenow={done}>
        <span style={{ width: `${(done / 5) * 100}%` }} />
      </div>
      {done === 5 && <p class="banner ok-banner">{t.allDone}</p>}
      <ol class="setup-steps">
        {step(
          'origins',
          1,
          <>
            <p class="muted small">{t.originsHelp}</p>
            {st.origins.length > 0 && <p class="small">{t.allowed(st.origins.join(', '))}</p>}
            <form class="inline-form" onSubmit={allow}>
              <input name="origin" aria-label={t.originPlaceholder} placeholder={t.originPlaceholder} value={origin} onInput={(e) => setOrigin(e.currentTarget.value)} />
              <button type="submit" class="primary">
                {t.allow}
              </button>
            </form>
            {error && <p class="error small">{error}</p>}
          </>,
        )}
        {step(
          'snippet',
          2,
          <>
            <div class="tabs platform-tabs" role="tablist" aria-label={t.platform}>
              {PLATFORMS.map((p) => (
                <button type="button" role="tab" aria-selected={platform === p} class={platform === p ? 'on' : ''} onClick={() => setPlatform(p)}>
                  {t.platforms[p]}
                </button>
              ))}
            </div>
            <p class="small">{t.how[platform]}</p>
            <pre class="code">{code}</pre>
            <CopyButton text={code} label={t.copy} done={t.copied} />
          </>,
        )}
        {step(
          'detected',
          3,
          <>
            <p class="small">{st.detected.length ? t.detectedOn(st.detected.join(', ')) : t.notDetected}</p>
            {st.refused.map((o) => (
              <p class="small error">{t.refused(o)}</p>
            ))}
          </>,
        )}
        {step(
          'teammate',
          4,
          <>
            <p class="muted small">{t.teammateHelp}</p>
            <button type="button" onClick={() => set({ view: 'team' })}>
              {t.toTeam}
            </button>
          </>,
        )}
        {step(
          'rule',
          5,
          <>
            <p class="muted small">{t.ruleHelp}</p>
            <button type="button" onClick={() => set({ view: 'rules' })}>
              {t.toRules}
            </button>
          </>,
        )}
      </ol>
      <section class="setup-test">
        <h2>{t.testTitle}</h2>
        <p class="muted small">{t.testHelp}</p>
        <button
          type="button"
          class="primary"
          onClick={async () => {
            try {
              const r = await api<{ conversationId: string }>('POST', `/api/sites/${site.id}/test-message`);
              setTest({ id: r.conversationId });
            } catch (err) {
              setTest({ error: err instanceof ApiError ? err.message : String(err) });
            }
          }}
        >
          {t.testSend}
        </button>
        {test?.id && (
          <p class="ok">
            {t.testSent}{' '}
            <button type="button" class="link" onClick={() => openPane(test.id!)}>
              {t.openIt}
            </button>
          </p>
        )}
        {test?.error && <p class="error">{test.error}</p>}
      </section>
    </div>
  );
}
