/** Site and widget settings (admins), and the snippet to install. */
import { InstallStatus, SiteAdmin } from './site-admin';
import { useEffect, useState } from 'preact/hooks';
import { SitePatch, type SiteView } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { STRINGS } from '../i18n';
import { ENGAGE } from '../i18n-engage';
import { TOOLS } from '../i18n-tools';
import { QUALITY } from '../i18n-quality';
import { EVERYDAY } from '../i18n-everyday';
import { CopyButton } from './copy-button';
import { useConsole } from '../store';
import { SaveRow, type Outcome } from './save-row';

function useSite(siteId: string | null): [SiteView | null, (s: SiteView) => void] {
  const [site, setSite] = useState<SiteView | null>(null);
  useEffect(() => {
    if (siteId) void api<SiteView>('GET', `/api/sites/${siteId}`).then(setSite);
  }, [siteId]);
  return [site, setSite];
}

export function SiteSettings() {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const e2 = ENGAGE[s.lang];
  const [site, setSite] = useSite(s.siteId);
  const [form, setForm] = useState<SiteView | null>(null);
  const [origins, setOrigins] = useState('');
  const [deps, setDeps] = useState('');
  const [notify, setNotify] = useState('');
  const [email, setEmail] = useState<{ enabled: boolean; recent: { to: string; status: string; error: string | null; subject: string }[] } | null>(null);
  const q = QUALITY[s.lang];
  const ev = EVERYDAY[s.lang];
  const x = TOOLS[s.lang];
  const [msg, setMsg] = useState<Outcome | null>(null);
  const admin = s.me!.memberships.find((m) => m.siteId === s.siteId)?.role === 'admin';
  useEffect(() => {
    if (site) {
      setForm(site);
      setOrigins(site.allowedOrigins.join('\n'));
      setDeps(site.routing.departments.map((d) => `${d.id} | ${d.name.en} | ${d.name.ru}`).join('\n'));
      setNotify(site.quality.notifyEmails.join('\n'));
    }
  }, [site]);
  useEffect(() => {
    if (admin) void api<NonNullable<typeof email>>('GET', `/api/sites/${s.siteId}/email`).then(setEmail, () => undefined);
  }, [s.siteId, admin]);
  if (!form) return <p class="empty">{t.loading}</p>;
  const ap = form.appearance;
  const setAp = (patch: Partial<SiteView['appearance']>) => setForm({ ...form, appearance: { ...ap, ...patch } });
  const setRouting = (patch: Partial<SiteView['routing']>) => setForm({ ...form, routing: { ...form.routing, ...patch } });

  const save = async (e: Event) => {
    e.preventDefault();
    const body = { name: form.name, allowedOrigins: origins.split(/\s+/).filter(Boolean), appearance: form.appearance, defaultLang: form.defaultLang, idleCloseMinutes: form.idleCloseMinutes, engagement: form.engagement, hours: form.hours, routing: { ...form.routing, departments: parseDeps(deps) }, quality: { ...form.quality, notifyEmails: notify.split(/[\s,;]+/).filter(Boolean) }, attachments: form.attachments };
    const checked = SitePatch.safeParse(body);
    if (!checked.success) {
      const i = checked.error.issues[0]!;
      return setMsg({ ok: false, text: `${i.path.join('.')}: ${i.message}` });
    }
    try {
      setSite(await api<SiteView>('PATCH', `/api/sites/${s.siteId}`, body));
      setMsg({ ok: true, text: t.saved });
    } catch (err) {
      setMsg({ ok: false, text: err instanceof ApiError ? err.message : String(err) });
    }
  };

  return (
    <div class="page">
    <form class="settings" onSubmit={save}>
      <h1>{t.siteSettings}</h1>
      {!admin && <p class="banner">{t.adminOnly}</p>}
      <fieldset disabled={!admin}>
        <div class="cols">
          <div>
            <label>
              {t.siteName}
              <input value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
            </label>
            <label>
              {t.allowedOrigins}
              <textarea name="origins" rows={4} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
              <small>{t.allowedOriginsHelp}</small>
            </label>
            <label>
              {t.idleClose}
              <input type="number" min={5} max={10080} value={form.idleCloseMinutes} onInput={(e) => setForm({ ...form, idleCloseMinutes: Number(e.currentTarget.value) })} />
            </label>
            <label>
              {t.defaultLang}
              <select value={form.defaultLang} onChange={(e) => setForm({ ...form, defaultLang: e.currentTarget.value as 'en' | 'ru' })}>
                <option value="en">English</option>
                <option value="ru">Русский</option>
              </select>
            </label>
          </div>
          <div>
            <div class="row2">
              <label>
                {t.color}
                <input name="color" type="color" value={ap.color} onInput={(e) => setAp({ color: e.currentTarget.value })} />
              </label>
              <label>
                {t.position}
                <select value={ap.position} onChange={(e) => setAp({ position: e.currentTarget.value as 'left' | 'right' })}>
                  <option value="right">{t.right}</option>
                  <option value="left">{t.left}</option>
                </select>
              </label>
            </div>
            <label>
              {t.teamName}
              <input name="teamName" value={ap.teamName} onInput={(e) => setAp({ teamName: e.currentTarget.value })} />
            </label>
            <label>
              {t.avatarUrl}
              <input type="url" value={ap.avatarUrl} placeholder="https://…" onInput={(e) => setAp({ avatarUrl: e.currentTarget.value })} />
            </label>
            <label>
              {t.greetingEn}
              <textarea rows={2} value={ap.greeting.en} onInput={(e) => setAp({ greeting: { ...ap.greeting, en: e.currentTarget.value } })} />
            </label>
            <label>
              {t.greetingRu}
              <textarea rows={2} value={ap.greeting.ru} onInput={(e) => setAp({ greeting: { ...ap.greeting, ru: e.currentTarget.value } })} />
            </label>
            <div class="wpreview" aria-hidden="true">
              <div class="wpreview-head" style={{ background: ap.color }}>
                {ap.teamName}
              </div>
              <div class="wpreview-body">{ap.greeting[s.lang] || ap.greeting.en}</div>
              <div class={`wpreview-bubble ${ap.position}`} style={{ background: ap.color }} />
            </div>
          </div>
        </div>
        <h2>{e2.engagement}</h2>
        <div class="row3">
          <label>
            {e2.perSession}
            <input name="perSession" type="number" min={0} max={20} value={form.engagement.perSession} onInput={(e) => setForm({ ...form, engagement: { ...form.engagement, perSession: Number(e.currentTarget.value) } })} />
          </label>
          <label>
            {e2.perDay}
            <input name="perDay" type="number" min={0} max={50} value={form.engagement.perDay} onInput={(e) => setForm({ ...form, engagement: { ...form.engagement, perDay: Number(e.currentTarget.value) } })} />
          </label>
          <label>
            {e2.globalCooldown}
            <input name="cooldown" type="number" min={0} max={1440} value={form.engagement.cooldownMinutes} onInput={(e) => setForm({ ...form, engagement: { ...form.engagement, cooldownMinutes: Number(e.currentTarget.value) } })} />
          </label>
        </div>
        <h2>{e2.hours}</h2>
        <div class="row3">
          <label>
            {e2.timeZone}
            <input name="timeZone" value={form.hours.timeZone} onInput={(e) => setForm({ ...form, hours: { ...form.hours, timeZone: e.currentTarget.value } })} />
          </label>
          <label>
            {e2.from}
            <input type="time" value={form.hours.from} onInput={(e) => setForm({ ...form, hours: { ...form.hours, from: e.currentTarget.value } })} />
          </label>
          <label>
            {e2.to}
            <input type="time" value={form.hours.to} onInput={(e) => setForm({ ...form, hours: { ...form.hours, to: e.currentTarget.value } })} />
          </label>
        </div>
        <p class="muted small">{e2.hoursHelp}</p>
        <div class="weekdays">
          {e2.weekdays.map((d, i) => (
            <label class="check">
              <input
                type="checkbox"
                checked={form.hours.days.includes(i + 1)}
                onChange={(e) => setForm({ ...form, hours: { ...form.hours, days: e.currentTarget.checked ? [...form.hours.days, i + 1].sort() : form.hours.days.filter((x) => x !== i + 1) } })}
              />{' '}
              {d}
            </label>
          ))}
        </div>
        <h2>{x.routing}</h2>
        <div class="row3">
          <label>
            {x.policy}
            <select value={form.routing.policy} onChange={(e) => setRouting({ policy: e.currentTarget.value as 'least_loaded' })}>
              {Object.entries(x.policies).map(([k, label]) => (
                <option value={k}>{label}</option>
              ))}
            </select>
          </label>
          {(['noAnswerSeconds', 'maxMoves', 'graceSeconds', 'waitLimitSeconds'] as const).map((k) => (
            <label>
              {x[k]}
              <input name={k} type="number" min={0} value={form.routing[k]} onInput={(e) => setRouting({ [k]: Number(e.currentTarget.value) })} />
            </label>
          ))}
          <label>
            {x.priorityCartValue}
            <input type="number" min={0} value={form.routing.priorityCartValue ?? ''} onInput={(e) => setRouting({ priorityCartValue: e.currentTarget.value === '' ? null : Number(e.currentTarget.value) })} />
          </label>
        </div>
        {(['priorityIdentified', 'prechat', 'sneakPeek'] as const).map((k) => (
          <label class="check">
            <input name={k} type="checkbox" checked={form.routing[k]} onChange={(e) => setRouting({ [k]: e.currentTarget.checked })} /> {x[k]}
          </label>
        ))}
        <label>
          {x.departments}
          <textarea name="departments" rows={3} value={deps} placeholder="billing | Billing | Оплата" onInput={(e) => setDeps(e.currentTarget.value)} />
        </label>
        <h2>{q.quality}</h2>
        <label class="check">
          <input name="nps" type="checkbox" checked={form.quality.nps} onChange={(e) => setForm({ ...form, quality: { ...form.quality, nps: e.currentTarget.checked } })} /> {q.npsSetting}
        </label>
        <label>
          {q.rateMinutes}
          <input name="rateMinutes" type="number" min={5} max={10080} value={form.quality.rateMinutes} onInput={(e) => setForm({ ...form, quality: { ...form.quality, rateMinutes: Number(e.currentTarget.value) } })} />
        </label>
        <label>
          {q.notifyEmails}
          <textarea name="notifyEmails" rows={2} value={notify} placeholder="owner@shop.example" onInput={(e) => setNotify(e.currentTarget.value)} />
        </label>
        {email && (
          <div class={email.enabled ? 'muted small' : 'banner warn'}>
            {email.enabled ? q.emailOn : q.emailOff}
            {email.recent
              .filter((x) => x.status === 'failed')
              .slice(0, 5)
              .map((x) => (
                <div class="error">{q.emailFailed(x.to, x.error ?? '')}</div>
              ))}
          </div>
        )}
        <h2>{ev.filesTitle}</h2>
        <label class="check">
          <input name="filesEnabled" type="checkbox" checked={form.attachments.enabled} onChange={(e) => setForm({ ...form, attachments: { ...form.attachments, enabled: e.currentTarget.checked } })} /> {ev.filesEnabled}
        </label>
        <label>
          {ev.filesMax}
          <input name="filesMaxMb" type="number" min={1} max={25} disabled={!form.attachments.enabled} value={form.attachments.maxMb} onInput={(e) => setForm({ ...form, attachments: { ...form.attachments, maxMb: Number(e.currentTarget.value) } })} />
          <small>{ev.filesHelp}</small>
        </label>
        <SaveRow label={t.save} outcome={msg} />
      </fieldset>
    </form>
    {admin && site && <SiteAdmin site={site} />}
    </div>
  );
}

/** "id | English | Russian" lines into departments. */
function parseDeps(text: string) {
  return text
    .split('\n')
    .map((l) => l.split('|').map((p) => p.trim()))
    .filter((p) => p[0])
    .map(([id, en, ru]) => ({ id: id!.toLowerCase(), name: { en: en || id!, ru: ru || en || id! } }));
}

export function Install() {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const [site] = useSite(s.siteId);
  if (!site) return <p class="empty">{t.loading}</p>;
  const code = `<script>window.Beckon=window.Beckon||function(){(Beckon.q=Beckon.q||[]).push(arguments)};</script>\n<script async src="${location.origin}/widget/beckon.js" data-site="${site.key}"></script>`;
  return (
    <div class="page">
      <h1>{t.installTitle}</h1>
      <p>{t.installHelp}</p>
      <pre class="code">{code}</pre>
      <CopyButton text={code} label={t.copy} done={t.copied} primary />
      <p>
        {t.siteKey}: <code>{site.key}</code>
      </p>
      <p>{t.langOverride}</p>
      <InstallStatus site={site} admin={s.me!.memberships.find((m) => m.siteId === s.siteId)?.role === 'admin'} />
      {site.identitySecret && (
        <>
          <h2>{ENGAGE[s.lang].identitySecret}</h2>
          <p>
            <code>{site.identitySecret}</code>
          </p>
          <p class="muted small">{ENGAGE[s.lang].identityHelp}</p>
        </>
      )}
    </div>
  );
}
