/** Members of the site: who they are, their role and capacity; admins add and remove them. */
import { TOOLS } from '../i18n-tools';
import { useEffect, useState } from 'preact/hooks';
import type { MemberView, Role } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { STRINGS } from '../i18n';
import { useConsole } from '../store';
import type { Outcome } from './save-row';

export function Team() {
  const s = useConsole();
  const t = STRINGS[s.lang];
  const [members, setMembers] = useState<MemberView[]>([]);
  const [form, setForm] = useState({ email: '', name: '', role: 'operator' as Role });
  const [msg, setMsg] = useState<Outcome | null>(null);
  const admin = s.me!.memberships.find((m) => m.siteId === s.siteId)?.role === 'admin';
  const base = `/api/sites/${s.siteId}/members`;
  const reload = () => void api<MemberView[]>('GET', base).then(setMembers);
  useEffect(reload, [s.siteId]);

  const run = async (fn: () => Promise<unknown>, ok?: string) => {
    try {
      await fn();
      setMsg(ok ? { ok: true, text: ok } : null);
      reload();
    } catch (err) {
      setMsg({ ok: false, text: err instanceof ApiError ? err.message : String(err) });
    }
  };
  const add = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await api<{ password?: string }>('POST', base, form);
      setForm({ email: '', name: '', role: 'operator' });
      setMsg({ ok: true, text: r.password ? t.newPassword(form.email, r.password) : t.addedExisting });
    });
  };

  return (
    <div class="page">
      <h1>{t.members}</h1>
      <table class="table">
        <thead>
          <tr>
            <th>{t.name}</th>
            <th>{t.email}</th>
            <th>{t.status}</th>
            <th>{t.role}</th>
            <th>{t.capacity}</th>
            <th>{TOOLS[s.lang].skills}</th>
            {admin && <th />}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.accountId}>
              <td>
                {m.name}
                {m.disabled && <span class="muted"> · {t.disabledNote}</span>}
              </td>
              <td>{m.email}</td>
              <td>
                <i class={`dot ${m.status}`} aria-hidden="true" /> {t[m.status]}
              </td>
              <td>
                {admin ? (
                  <select value={m.role} aria-label={t.role} onChange={(e) => void run(() => api('PATCH', `${base}/${m.accountId}`, { role: e.currentTarget.value }))}>
                    {(['admin', 'supervisor', 'operator'] as const).map((r) => (
                      <option value={r}>{t.roles[r]}</option>
                    ))}
                  </select>
                ) : (
                  t.roles[m.role]
                )}
              </td>
              <td>
                {admin ? (
                  <input type="number" min={1} max={50} value={m.capacity} aria-label={t.capacity} class="narrow" onChange={(e) => void run(() => api('PATCH', `${base}/${m.accountId}`, { capacity: Number(e.currentTarget.value) }))} />
                ) : (
                  m.capacity
                )}
              </td>
              <td>
                {admin ? (
                  <input
                    class="skills"
                    aria-label={TOOLS[s.lang].skills}
                    placeholder={TOOLS[s.lang].allDepartments}
                    value={m.skills.join(', ')}
                    onChange={(e) => void run(() => api('PATCH', `${base}/${m.accountId}`, { skills: e.currentTarget.value.split(/[\s,]+/).filter(Boolean).map((x) => x.toLowerCase()) }))}
                  />
                ) : (
                  m.skills.join(', ') || TOOLS[s.lang].allDepartments
                )}
              </td>
              {admin && (
                <td>
                  {m.accountId !== s.me!.account.id && (
                    <>
                      {/* disabled: keeps their history, takes their chats back to the queue, no sign-in to this site */}
                      <button type="button" class="ghost small" onClick={() => void run(() => api('PATCH', `${base}/${m.accountId}`, { disabled: !m.disabled }))}>
                        {m.disabled ? t.enable : t.disable}
                      </button>{' '}
                      <button type="button" class="danger small" onClick={() => void run(() => api('DELETE', `${base}/${m.accountId}`))}>
                        {t.remove}
                      </button>
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {msg && (
        <p class={msg.ok ? 'ok' : 'error'} role="status">
          {msg.text}
        </p>
      )}
      {admin && (
        <form class="add-member" onSubmit={add}>
          <h2>{t.addMember}</h2>
          <input type="email" required placeholder={t.email} aria-label={t.email} value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
          <input required placeholder={t.name} aria-label={t.name} value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          <select aria-label={t.role} value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
            {(['operator', 'supervisor', 'admin'] as const).map((r) => (
              <option value={r}>{t.roles[r]}</option>
            ))}
          </select>
          <button class="primary" type="submit">
            {t.add}
          </button>
        </form>
      )}
    </div>
  );
}
