/** Hand a conversation to another operator or a department, with a note for them. */
import { useEffect, useState } from 'preact/hooks';
import type { MemberView, SiteView } from '@beckon/protocol';
import { api } from '../api';
import { TOOLS } from '../i18n-tools';
import { transfer, useConsole } from '../store';

export function Transfer({ id, onDone }: { id: string; onDone: () => void }) {
  const s = useConsole();
  const x = TOOLS[s.lang];
  const [members, setMembers] = useState<MemberView[]>([]);
  const [site, setSite] = useState<SiteView | null>(null);
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    void api<MemberView[]>('GET', `/api/sites/${s.siteId}/members`).then(setMembers);
    void api<SiteView>('GET', `/api/sites/${s.siteId}`).then(setSite);
  }, [s.siteId]);
  const me = s.me!.account.id;
  const floorLoads = s.convs;
  const active = (accountId: string) => Object.values(floorLoads).filter((c) => c.summary.assigneeId === accountId && c.summary.status === 'active').length;
  return (
    <form
      class="transfer"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!to) return;
        const [kind, value] = to.split(':') as ['op' | 'dep', string];
        const err = await transfer(id, kind === 'op' ? { operatorId: value } : { department: value }, note);
        if (err) setError(err);
        else onDone();
      }}
    >
      <select aria-label={x.transferTo} value={to} onChange={(e) => setTo(e.currentTarget.value)}>
        <option value="">{x.transferTo}…</option>
        {members
          .filter((m) => m.accountId !== me && m.status !== 'offline')
          .map((m) => (
            <option value={`op:${m.accountId}`}>{x.toOperator(m.name, active(m.accountId), m.capacity)}</option>
          ))}
        {(site?.routing.departments ?? []).map((d) => (
          <option value={`dep:${d.id}`}>{x.toDepartment(d.name[s.lang] || d.name.en || d.id)}</option>
        ))}
      </select>
      <input aria-label={x.transferNote} placeholder={x.transferNote} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <button type="submit" class="primary" disabled={!to}>
        {x.doTransfer}
      </button>
      {error && <span class="error">{error}</span>}
    </form>
  );
}
