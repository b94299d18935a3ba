/** The frame around every page: navigation, status, notices. */
import { api } from '../api';
import { STRINGS } from '../i18n';
import { disconnect, loadFollowUpCount, loadTools, set, setStatus, useConsole, type View } from '../store';
import { Chats } from './chats';
import { LangSwitch } from './lang-switch';
import { Logo } from './login';
import { Install, SiteSettings } from './settings';
import { Integrations } from './integrations';
import { Dashboard } from './dashboard';
import { FollowUps } from './followups';
import { QUALITY } from '../i18n-quality';
import { INTEGRATIONS } from '../i18n-integrations';
import { Team } from './team';
import { Account } from './account';
import { Inbox } from './inbox';
import { Rules } from './rules';
import { Visitors } from './visitors';
import { Floor } from './floor';
import { Replies } from './replies';
import { TOOLS } from '../i18n-tools';
import { useEffect, useState } from 'preact/hooks';
import { EVERYDAY } from '../i18n-everyday';
import { SETUP } from '../i18n-setup';
import { Setup, setupSteps, type SetupStatus } from './setup';
import { api as rest } from '../api';
import { ENGAGE } from '../i18n-engage';

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?';

export function Shell() {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const e = ENGAGE[s.lang];
  const x = TOOLS[s.lang];
  useEffect(() => {
    void loadTools();
    void loadFollowUpCount();
  }, [s.siteId]);
  const membership = s.me!.memberships.find((m) => m.siteId === s.siteId);
  // the guided setup, for admins, until every step is done (its page stays reachable from the menu)
  const [setup, setSetup] = useState<SetupStatus | null>(null);
  useEffect(() => {
    if (membership?.role !== 'admin' || !s.siteId) return setSetup(null);
    void rest<SetupStatus>('GET', `/api/sites/${s.siteId}/setup`).then(setSetup, () => setSetup(null));
  }, [s.siteId, s.view, membership?.role]);
  const [setupHidden, setSetupHidden] = useState(() => !!sessionStorage.getItem('beckon:setup-hidden'));
  const setupDone = setup ? Object.values(setupSteps(setup)).filter(Boolean).length : 5;
  // first sign-in of an admin whose site is not set up: the checklist comes first
  useEffect(() => {
    if (setup && setupDone < 2 && s.view === 'chats' && !s.focus && !sessionStorage.getItem('beckon:setup-seen')) {
      sessionStorage.setItem('beckon:setup-seen', '1');
      set({ view: 'setup' }, { replace: true });
    }
  }, [setup]);
  const q = QUALITY[s.lang];
  const lead = membership?.role === 'admin' || membership?.role === 'supervisor';
  const nav: [View, string][] = [
    ['chats', t.chats],
    ['visitors', e.visitors],
    ['inbox', s.inboxNew ? `${e.inbox} (${s.inboxNew})` : e.inbox],
    ['floor', x.floor],
    // the service loop is the supervisors' and admins' business
    ...(lead ? ([['followups', s.followUpsOpen ? `${q.followUps} (${s.followUpsOpen})` : q.followUps], ['dashboard', q.dashboard]] as [View, string][]) : []),
    ['rules', e.rules],
    ['replies', x.replies],
    ['settings', t.settings],
    ['team', t.team],
    // tokens and webhooks are the admins' business
    ...(membership?.role === 'admin' ? [['integrations', INTEGRATIONS[s.lang].title] as [View, string]] : []),
    ['install', t.install],
  ];
  const d = EVERYDAY[s.lang];
  // on a phone the navigation and the tools are a drawer behind the menu button
  const [menu, setMenu] = useState(false);
  const go = (view: View) => {
    setMenu(false);
    set({ view });
  };
  useEffect(() => {
    if (!menu) return;
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setMenu(false);
    addEventListener('keydown', esc);
    return () => removeEventListener('keydown', esc);
  }, [menu]);
  const unread = Object.values(s.convs).reduce((n, c) => n + (c.summary.siteId === s.siteId && c.summary.status !== 'closed' ? c.summary.unread : 0), 0);
  const signOut = async () => {
    await api('POST', '/api/auth/logout').catch(() => undefined);
    disconnect();
  };
  return (
    <div class={`shell${menu ? ' menu-open' : ''}${s.view === 'chats' && s.focus ? ' chat-focused' : ''}`}>
      <header class="top">
        <button type="button" class="ghost menu-btn" aria-expanded={menu} aria-controls="beckon-menu" aria-label={menu ? d.closeMenu : d.menu} onClick={() => setMenu(!menu)}>
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            {menu ? <path stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M6 6l12 12M18 6L6 18" /> : <path stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M4 7h16M4 12h16M4 17h16" />}
          </svg>
          {!menu && unread > 0 && <span class="menu-badge">{unread}</span>}
        </button>
        <div class="brand">
          <Logo /> <span class="brand-name">Beckon</span>
        </div>
        {s.me!.memberships.length > 1 ? (
          <select class="site-pick" aria-label="Site" value={s.siteId ?? ''} onChange={(e) => set({ siteId: e.currentTarget.value })}>
            {s.me!.memberships.map((m) => (
              <option value={m.siteId}>{m.siteName}</option>
            ))}
          </select>
        ) : (
          <span class="site-name">{membership?.siteName}</span>
        )}
        <div class="menu" id="beckon-menu">
          <nav>
            {nav.map(([v, label]) => (
              <button type="button" class={s.view === v ? 'on' : ''} aria-current={s.view === v ? 'page' : undefined} onClick={() => go(v)}>
                {label}
              </button>
            ))}
          </nav>
          <div class="spacer" />
          <div class="notify">
            <button type="button" aria-pressed={s.sound} title={t.sound} aria-label={t.sound} onClick={() => set({ sound: !s.sound })}>
              <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path fill="currentColor" d="M4 9v6h4l5 4V5L8 9H4z" />
                {s.sound ? <path fill="none" stroke="currentColor" stroke-width="2" d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" /> : <path stroke="currentColor" stroke-width="2" d="M16 9l5 6M21 9l-5 6" />}
              </svg>
            </button>
            {typeof Notification !== 'undefined' && Notification.permission === 'default' && (
              <button type="button" title={t.enableNotifications} aria-label={t.enableNotifications} onClick={() => void Notification.requestPermission().then(() => set({}))}>
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                  <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3a1.5 1.5 0 0 0-3 0v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" />
                </svg>
              </button>
            )}
          </div>
          <button type="button" class={`me ghost${s.view === 'account' ? ' on' : ''}`} title={`${s.me!.account.email} — ${t.account}`} onClick={() => go('account')}>
            <span class="me-full">{s.me!.account.name}</span>
            <span class="me-short" aria-hidden="true">
              {initials(s.me!.account.name)}
            </span>
          </button>
          <button type="button" class="ghost sign-out" title={t.signOut} aria-label={t.signOut} onClick={signOut}>
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
              <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="M14 4h4a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-4M9 8l-4 4 4 4M5 12h11" />
            </svg>
            <span>{t.signOut}</span>
          </button>
        </div>
        <LangSwitch />
        <label class="status-pick">
          <i class={`dot ${s.status}`} aria-hidden="true" />
          <select aria-label={t.status} value={s.status === 'offline' ? 'online' : s.status} onChange={(e) => void setStatus(e.currentTarget.value as 'online' | 'away')}>
            <option value="online">{t.online}</option>
            <option value="away">{t.away}</option>
          </select>
        </label>
      </header>
      {menu && <div class="scrim" aria-hidden="true" onClick={() => setMenu(false)} />}
      {setup && setupDone < 5 && s.view !== 'setup' && !setupHidden && (
        <div class="banner setup-banner" role="status">
          <button type="button" class="link" onClick={() => set({ view: 'setup' })}>
            {SETUP[s.lang].nav(setupDone, 5)} — {SETUP[s.lang].title}
          </button>{' '}
          <button type="button" class="link" aria-label={SETUP[s.lang].hide} title={SETUP[s.lang].hide} onClick={() => (sessionStorage.setItem('beckon:setup-hidden', '1'), setSetupHidden(true))}>
            ×
          </button>
        </div>
      )}
      {s.connection === 'reconnecting' && (
        <div class="banner warn" role="status">
          {t.connectionLost}
        </div>
      )}
      {s.autoAway && s.status === 'away' && (
        <div class="banner" role="status">
          {t.autoAway}{' '}
          <button type="button" class="link" onClick={() => void setStatus('online')}>
            {t.goOnline}
          </button>
        </div>
      )}
      {s.notice && (
        <div class="banner warn" role="alert">
          {s.notice === 'AT_CAPACITY' ? t.atCapacity : s.notice === 'NOT_FOUND' ? d.chatNotFound : s.notice}{' '}
          <button type="button" class="link" onClick={() => set({ notice: null })}>
            ×
          </button>
        </div>
      )}
      <div class="body">{s.view === 'chats' ? <Chats /> : s.view === 'visitors' ? <Visitors /> : s.view === 'inbox' ? <Inbox /> : s.view === 'rules' ? <Rules /> : s.view === 'floor' ? <Floor /> : s.view === 'replies' ? <Replies /> : s.view === 'settings' ? <SiteSettings /> : s.view === 'team' ? <Team /> : s.view === 'integrations' ? <Integrations /> : s.view === 'dashboard' ? <Dashboard /> : s.view === 'followups' ? <FollowUps /> : s.view === 'account' ? <Account /> : s.view === 'setup' ? <Setup /> : <Install />}</div>
    </div>
  );
}
