/** The supervisor's floor: every operator with status, load and chats; the queue with waits and why; reassign. */
import { Name } from './text';
import { useEffect, useState } from 'preact/hooks';
import type { FloorView } from '@beckon/protocol';
import { STRINGS } from '../i18n';
import { TOOLS } from '../i18n-tools';
import { floor, openPane, reassign, useConsole } from '../store';
import { duration, useTicker } from './visitors';

export function Floor() {
  const s = useConsole();
  const x = TOOLS[s.lang];
  const [view, setView] = useState<FloorView | null>(null);
  const [error, setError] = useState('');
  const now = useTicker(2000);
  const role = s.me!.memberships.find((m) => m.siteId === s.siteId)?.role;
  useEffect(() => {
    void floor().then(setView);
  }, [now, s.siteId]);
  if (!view) return <p class="empty">…</p>;
  const move = async (conversationId: string, operatorId: string) => {
    const err = await reassign(conversationId, operatorId);
    setError(err ?? '');
    setView(await floor());
  };
  const others = (except: string | null) => view.operators.filter((o) => o.accountId !== except && o.status !== 'offline');
  return (
    <section class="page wide floor">
      <div class="page-head">
        <h2>{x.floor}</h2>
        {view.handlingMs !== null && <span class="muted">{x.handling(duration(view.handlingMs, s.lang))}</span>}
      </div>
      {error && <p class="error">{error}</p>}
      <div class="floor-grid">
        <div>
          <h3>{x.operators}</h3>
          <ul class="op-list">
            {view.operators.map((o) => (
              <li class="op-card">
                <div class="op-head">
                  <i class={`dot ${o.status}`} /> <b>{o.name}</b>
                  <span class="muted small">{o.skills.length ? o.skills.join(', ') : x.allDepartments}</span>
                  <div class="spacer" />
                  <span class={`load${o.active >= o.capacity ? ' full' : ''}`}>
                    {o.active}/{o.capacity}
                  </span>
                </div>
                <div class="meter">
                  <span style={{ width: `${Math.min(100, (o.active / Math.max(1, o.capacity)) * 100)}%` }} />
                </div>
                <ul class="op-chats">
                  {o.chats.map((c) => (
                    <li>
                      <button type="button" class="link" onClick={() => openPane(c.id)}>
                        <Name text={c.visitorName} />
                      </button>{' '}
                      <span class="muted small">{duration(Date.now() - c.since, s.lang)}</span>
                      {role !== 'operator' && (
                        <select aria-label={x.reassign} value="" onChange={(e) => e.currentTarget.value && void move(c.id, e.currentTarget.value)}>
                          <option value="">{x.reassign}</option>
                          {others(o.accountId).map((t) => (
                            <option value={t.accountId}>
                              {t.name} ({t.active}/{t.capacity})
                            </option>
                          ))}
                        </select>
                      )}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>{x.queue}</h3>
          {!view.queue.length ? (
            <p class="empty">{x.emptyQueue}</p>
          ) : (
            <table class="grid-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>{STRINGS[s.lang].visitor}</th>
                  <th class="num">{x.waitingFor}</th>
                  <th class="num">{x.expected}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {view.queue.map((q) => (
                  <tr>
                    <td class="num">{q.position}</td>
                    <td>
                      <button type="button" class="link" onClick={() => openPane(q.id)}>
                        <Name text={q.visitorName} />
                      </button>
                      {q.priority > 0 && <span class="chip prio">{x.priority}</span>} {q.department && <span class="chip">{q.department}</span>}
                      {q.why && <div class="muted small">{x.whyCodes[String(q.why.code)] ?? String(q.why.code)}</div>}
                    </td>
                    <td class="num">{duration(q.waitingMs, s.lang)}</td>
                    <td class="num">{q.expectedMs === null ? x.noEstimate : duration(q.expectedMs, s.lang)}</td>
                    <td>
                      {role !== 'operator' && (
                        <select aria-label={x.reassign} value="" onChange={(e) => e.currentTarget.value && void move(q.id, e.currentTarget.value)}>
                          <option value="">{x.reassign}</option>
                          {others(null).map((t) => (
                            <option value={t.accountId}>
                              {t.name} ({t.active}/{t.capacity})
                            </option>
                          ))}
                        </select>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
