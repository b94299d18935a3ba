/**
 * The owner's dashboard (supervisors and admins): how fast visitors are answered, who gave up,
 * how chats were rated, what each proactive rule earns against its holdout, how operators do —
 * for a period, against the one before, with charts (uPlot) and every table as CSV.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberView, Metrics, SiteView } from '@beckon/protocol';
import { api, ApiError } from '../api';
import { QUALITY, type QualityTexts } from '../i18n-quality';
import { useConsole } from '../store';
import { Face } from './face';

const DAY = 86_400_000;
const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
const isoDay = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
let units = { s: 's', min: 'min', h: 'h' };
const secs = (ms: number | null) => (ms === null ? '—' : ms < 60_000 ? `${Math.round(ms / 1000)} ${units.s}` : ms < 3_600_000 ? `${Math.round(ms / 60_000)} ${units.min}` : `${(ms / 3_600_000).toFixed(1)} ${units.h}`);
const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);

/** a table as a CSV file, downloaded */
export function downloadCsv(name: string, rows: (string | number | null)[][]): void {
  const cell = (v: string | number | null) => {
    const t = v === null ? '' : String(v);
    return /[",\n;]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const blob = new Blob(['\ufeff' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function Delta({ now, before, better }: { now: number | null; before: number | null; better: 'up' | 'down' }) {
  if (now === null || before === null || before === 0) return null;
  const change = (now - before) / Math.abs(before);
  if (Math.abs(change) < 0.005) return <span class="delta">±0%</span>;
  const good = (change > 0) === (better === 'up');
  return <span class={`delta ${good ? 'good' : 'bad'}`}>{`${change > 0 ? '▲' : '▼'} ${Math.round(Math.abs(change) * 100)}%`}</span>;
}

function Tile({ label, value, now, before, better, q }: { label: string; value: string; now: number | null; before: number | null; better: 'up' | 'down'; q: QualityTexts }) {
  return (
    <div class="tile">
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
      <div class="tile-delta" title={q.vsPrevious}>
        <Delta now={now} before={before} better={better} />
      </div>
    </div>
  );
}

function VolumeChart({ m, q }: { m: Metrics; q: QualityTexts }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = el.current;
    if (!box) return;
    const xs = m.daily.map((d) => Date.parse(`${d.day}T12:00:00Z`) / 1000);
    const data: uPlot.AlignedData = [xs, m.daily.map((d) => d.conversations), m.daily.map((d) => (d.within20s === null ? null : Math.round(d.within20s * 1000) / 10)), m.daily.map((d) => d.worse)];
    const width = Math.max(280, box.clientWidth);
    const u = new uPlot(
      {
        width,
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, '%': { range: [0, 100] } },
        series: [
          {},
          { label: q.seriesConversations, stroke: '#1f6feb', fill: 'rgba(31,111,235,0.12)', width: 2, points: { show: xs.length < 45 } },
          { label: q.seriesWithin20, scale: '%', stroke: '#067647', width: 2, dash: [6, 4], spanGaps: true, points: { show: false } },
          { label: q.seriesWorse, stroke: '#c4320a', width: 1.5, points: { show: xs.length < 45 } },
        ],
        axes: [{ stroke: '#667085', grid: { stroke: '#f2f4f7' } }, { stroke: '#667085', grid: { stroke: '#f2f4f7' } }, { scale: '%', side: 1, stroke: '#067647', grid: { show: false }, values: (_u, v) => v.map((x) => `${x}%`) }],
      },
      data,
      box,
    );
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(280, box.clientWidth), height: 240 }));
    resize.observe(box);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [m, q]);
  return <div class="chart" ref={el} role="img" aria-label={q.chartVolume} />;
}

function Heat({ m, q }: { m: Metrics; q: QualityTexts }) {
  const top = Math.max(1, ...m.busiest.flat());
  return (
    <div class="table-wrap">
      <table class="heat" aria-label={q.busiest}>
        <thead>
          <tr>
            <th />
            {Array.from({ length: 24 }, (_, h) => (
              <th>{h % 3 === 0 ? h : ''}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.busiest.map((row, d) => (
            <tr>
              <th>{q.weekdays[d]}</th>
              {row.map((n, h) => (
                <td title={`${q.weekdays[d]} ${h}:00 — ${n}`} style={{ background: n ? `rgba(31,111,235,${0.12 + (0.88 * n) / top})` : undefined }}>
                  {n || ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Dashboard() {
  const s = useConsole();
  const q = QUALITY[s.lang];
  units = q.units;
  const today = midnight(new Date());
  const [range, setRange] = useState({ from: today - 29 * DAY, to: today + DAY });
  const [filter, setFilter] = useState({ operatorId: '', department: '', source: '' });
  const [data, setData] = useState<{ now: Metrics; before: Metrics } | null>(null);
  const [error, setError] = useState('');
  const [members, setMembers] = useState<MemberView[]>([]);
  const [site, setSite] = useState<SiteView | null>(null);
  useEffect(() => {
    void api<MemberView[]>('GET', `/api/sites/${s.siteId}/members`).then(setMembers, () => undefined);
    void api<SiteView>('GET', `/api/sites/${s.siteId}`).then(setSite, () => undefined);
  }, [s.siteId]);
  useEffect(() => {
    const qs = (from: number, to: number) => new URLSearchParams({ from: String(from), to: String(to), ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)), tz: Intl.DateTimeFormat().resolvedOptions().timeZone }).toString();
    const span = range.to - range.from;
    setError('');
    void Promise.all([api<Metrics>('GET', `/api/sites/${s.siteId}/metrics?${qs(range.from, range.to)}`), api<Metrics>('GET', `/api/sites/${s.siteId}/metrics?${qs(range.from - span, range.from)}`)]).then(
      ([now, before]) => setData({ now, before }),
      (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)),
    );
  }, [s.siteId, range, filter]);

  const preset = (days: number) => setRange({ from: today - (days - 1) * DAY, to: today + DAY });
  const m = data?.now;
  const b = data?.before;
  const file = (what: string) => `beckon-${what}-${isoDay(range.from)}-${isoDay(range.to - DAY)}.csv`;
  const worseShare = (x: Metrics) => (x.ratings.rated ? x.ratings.worse / x.ratings.rated : null);

  return (
    <div class="page wide dashboard">
      <div class="page-head">
        <h1>{q.dashboard}</h1>
        <div class="range">
          {[7, 30, 90].map((d) => (
            <button type="button" class={range.to === today + DAY && range.from === today - (d - 1) * DAY ? 'on' : ''} onClick={() => preset(d)}>
              {q.last(d)}
            </button>
          ))}
          <label>
            {q.from}{' '}
            <input type="date" name="from" value={isoDay(range.from)} max={isoDay(range.to - DAY)} onChange={(e) => e.currentTarget.value && setRange({ ...range, from: midnight(new Date(`${e.currentTarget.value}T00:00`)) })} />
          </label>
          <label>
            {q.to}{' '}
            <input type="date" name="to" value={isoDay(range.to - DAY)} min={isoDay(range.from)} onChange={(e) => e.currentTarget.value && setRange({ ...range, to: midnight(new Date(`${e.currentTarget.value}T00:00`)) + DAY })} />
          </label>
        </div>
      </div>
      <div class="dash-filters">
        <select aria-label={q.operators} value={filter.operatorId} onChange={(e) => setFilter({ ...filter, operatorId: e.currentTarget.value })}>
          <option value="">{q.allOperators}</option>
          {members.map((x) => (
            <option value={x.accountId}>{x.name}</option>
          ))}
        </select>
        {!!site?.routing.departments.length && (
          <select aria-label={q.allDepartments} value={filter.department} onChange={(e) => setFilter({ ...filter, department: e.currentTarget.value })}>
            <option value="">{q.allDepartments}</option>
            {site.routing.departments.map((d) => (
              <option value={d.id}>{d.name[s.lang] || d.name.en || d.id}</option>
            ))}
          </select>
        )}
        <select aria-label={q.allSources} value={filter.source} onChange={(e) => setFilter({ ...filter, source: e.currentTarget.value })}>
          <option value="">{q.allSources}</option>
          {Object.entries(q.sources).map(([k, v]) => (
            <option value={k}>{v}</option>
          ))}
        </select>
        <span class="muted small">{q.vsPrevious}: ▲▼</span>
      </div>
      {error && <p class="error">{error}</p>}
      {!m || !b ? (
        <p class="empty">{q.loading}</p>
      ) : (
        <>
          <div class="tiles">
            <Tile q={q} label={q.kpi.conversations} value={String(m.conversations)} now={m.conversations} before={b.conversations} better="up" />
            <Tile q={q} label={q.kpi.frt} value={secs(m.firstResponse.median)} now={m.firstResponse.median} before={b.firstResponse.median} better="down" />
            <Tile q={q} label={q.kpi.within20} value={pct(m.firstResponse.within20s)} now={m.firstResponse.within20s} before={b.firstResponse.within20s} better="up" />
            <Tile q={q} label={q.kpi.frt90} value={secs(m.firstResponse.p90)} now={m.firstResponse.p90} before={b.firstResponse.p90} better="down" />
            <Tile q={q} label={q.kpi.wait} value={secs(m.queueWait.median)} now={m.queueWait.median} before={b.queueWait.median} better="down" />
            <Tile q={q} label={q.kpi.abandoned} value={String(m.abandoned)} now={m.abandoned} before={b.abandoned} better="down" />
            <Tile q={q} label={q.kpi.missed} value={String(m.missed)} now={m.missed} before={b.missed} better="down" />
            <Tile q={q} label={q.kpi.duration} value={secs(m.duration.median)} now={m.duration.median} before={b.duration.median} better="down" />
            <Tile q={q} label={q.kpi.messages} value={m.messagesPerChat === null ? '—' : m.messagesPerChat.toFixed(1)} now={m.messagesPerChat} before={b.messagesPerChat} better="up" />
            <Tile q={q} label={q.kpi.worse} value={pct(worseShare(m))} now={worseShare(m)} before={worseShare(b)} better="down" />
            <Tile q={q} label={q.kpi.nps} value={m.nps.score === null ? '—' : String(m.nps.score)} now={m.nps.score} before={b.nps.score} better="up" />
            <Tile q={q} label={q.kpi.returns} value={pct(m.returns.afterWorse.rate)} now={m.returns.afterWorse.rate} before={b.returns.afterWorse.rate} better="up" />
          </div>
          <p class="muted small summary-line">
            {q.returnsOf(pct(m.returns.afterWorse.rate), pct(m.returns.everyone.rate))} · {q.afterRecovered(pct(m.returns.afterRecovered.rate))} · {q.followUpsLine(m.followUps.opened, m.followUps.recovered)}{' '}
            <button
              type="button"
              class="small"
              onClick={() =>
                downloadCsv(file('summary'), [
                  ['metric', 'this_period', 'previous_period'],
                  ['conversations', m.conversations, b.conversations],
                  ['answered', m.answered, b.answered],
                  ['first_response_median_s', m.firstResponse.median === null ? null : m.firstResponse.median / 1000, b.firstResponse.median === null ? null : b.firstResponse.median / 1000],
                  ['first_response_p90_s', m.firstResponse.p90 === null ? null : m.firstResponse.p90 / 1000, b.firstResponse.p90 === null ? null : b.firstResponse.p90 / 1000],
                  ['answered_within_20s_share', m.firstResponse.within20s, b.firstResponse.within20s],
                  ['queue_wait_median_s', m.queueWait.median === null ? null : m.queueWait.median / 1000, b.queueWait.median === null ? null : b.queueWait.median / 1000],
                  ['abandoned', m.abandoned, b.abandoned],
                  ['missed', m.missed, b.missed],
                  ['duration_median_s', m.duration.median === null ? null : m.duration.median / 1000, b.duration.median === null ? null : b.duration.median / 1000],
                  ['messages_per_chat', m.messagesPerChat, b.messagesPerChat],
                  ['rated_better', m.ratings.better, b.ratings.better],
                  ['rated_as', m.ratings.as, b.ratings.as],
                  ['rated_worse', m.ratings.worse, b.ratings.worse],
                  ['nps', m.nps.score, b.nps.score],
                  ['follow_ups_opened', m.followUps.opened, b.followUps.opened],
                  ['follow_ups_recovered', m.followUps.recovered, b.followUps.recovered],
                  ['returned_everyone', m.returns.everyone.rate, b.returns.everyone.rate],
                  ['returned_after_worse', m.returns.afterWorse.rate, b.returns.afterWorse.rate],
                  ['returned_after_recovered', m.returns.afterRecovered.rate, b.returns.afterRecovered.rate],
                ])
              }
            >
              {q.csv}
            </button>
          </p>
          {m.conversations === 0 && <p class="banner">{q.nothing}</p>}
          <section class="card">
            <div class="card-head">
              <h2>{q.chartVolume}</h2>
              <button type="button" class="small" onClick={() => downloadCsv(file('daily'), [['day', 'conversations', 'answered', 'answered_within_20s_share', 'rated_worse'], ...m.daily.map((d) => [d.day, d.conversations, d.answered, d.within20s, d.worse])])}>
                {q.csv}
              </button>
            </div>
            <VolumeChart m={m} q={q} />
          </section>
          <div class="cols2">
            <section class="card">
              <div class="card-head">
                <h2>{q.ratings}</h2>
                <span class="muted small">{q.rated(m.ratings.rated)}</span>
              </div>
              {(['better', 'as', 'worse'] as const).map((v) => (
                <div class="bar-row">
                  <span>
                    <Face v={v} /> {q.verdict[v]}
                  </span>
                  <span class={`bar ${v}`} style={{ width: `${m.ratings.rated ? (m.ratings[v] / m.ratings.rated) * 100 : 0}%` }} />
                  <b>{m.ratings[v]}</b>
                </div>
              ))}
              {m.nps.responses > 0 && (
                <p class="small muted">
                  NPS {m.nps.score} · 9–10: {m.nps.promoters} · 7–8: {m.nps.passives} · 0–6: {m.nps.detractors}
                </p>
              )}
            </section>
            <section class="card">
              <div class="card-head">
                <h2>{q.busiest}</h2>
                <button type="button" class="small" onClick={() => downloadCsv(file('hours'), [['weekday', ...Array.from({ length: 24 }, (_, h) => `${h}:00`)], ...m.busiest.map((r, d) => [q.weekdays[d]!, ...r])])}>
                  {q.csv}
                </button>
              </div>
              <Heat m={m} q={q} />
            </section>
          </div>
          <section class="card">
            <div class="card-head">
              <h2>{q.rules}</h2>
              <button
                type="button"
                class="small"
                onClick={() =>
                  downloadCsv(file('rules'), [
                    ['rule', 'variant', 'shown', 'accepted', 'conversations', 'goals', 'conversion', 'holdout', 'holdout_goals', 'holdout_conversion', 'lift', 'lift_low', 'lift_high', 'revenue', 'holdout_revenue'],
                    ...m.rules.map((r) => [r.ruleName, r.variant, r.shown, r.accepted, r.conversations, r.converted, r.conversion, r.holdout, r.holdoutConverted, r.holdoutConversion, r.lift?.diff ?? null, r.lift?.low ?? null, r.lift?.high ?? null, r.revenue, r.holdoutRevenue]),
                  ])
                }
              >
                {q.csv}
              </button>
            </div>
            <div class="table-wrap">
              <table class="grid-table rules-table">
                <thead>
                  <tr>
                    <th>{q.rule}</th>
                    <th>{q.variant}</th>
                    <th class="num">{q.shown}</th>
                    <th class="num">{q.accepted}</th>
                    <th class="num">{q.chats}</th>
                    <th class="num">{q.converted}</th>
                    <th class="num">{q.conversion}</th>
                    <th class="num">{q.holdout}</th>
                    <th>{q.lift}</th>
                    <th class="num">{q.revenue}</th>
                  </tr>
                </thead>
                <tbody>
                  {!m.rules.length && (
                    <tr class="rules-empty">
                      <td colSpan={10}>{q.noOffers}</td>
                    </tr>
                  )}
                  {m.rules.map((r) => (
                    <tr>
                      <td>{r.ruleName}</td>
                      <td>{r.variant}</td>
                      <td class="num">{r.shown}</td>
                      <td class="num">{r.accepted}</td>
                      <td class="num">{r.conversations}</td>
                      <td class="num">{r.converted}</td>
                      <td class="num">{pct(r.conversion)}</td>
                      <td class="num">{r.holdout ? `${pct(r.holdoutConversion)} (${r.holdout})` : '—'}</td>
                      <td class={r.lift ? (r.lift.low > 0 ? 'ok' : r.lift.high < 0 ? 'error' : '') : 'muted'}>
                        {r.lift ? `${r.lift.diff >= 0 ? '+' : ''}${pct(r.lift.diff)} [${pct(r.lift.low)}; ${pct(r.lift.high)}]` : q.noHoldout}
                      </td>
                      <td class="num" title={q.perShown}>
                        {r.revenue.toFixed(2)}
                        {r.holdout > 0 && (
                          <div class="muted small">
                            {q.perVisitor((r.shown ? r.revenue / r.shown : 0).toFixed(2), (r.holdoutRevenue / r.holdout).toFixed(2))}
                          </div>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section class="card">
            <div class="card-head">
              <h2>{q.operators}</h2>
              <button
                type="button"
                class="small"
                onClick={() =>
                  downloadCsv(file('operators'), [['operator', 'conversations', 'first_response_median_s', 'first_response_p90_s', 'duration_median_s', 'better', 'as', 'worse'], ...m.operators.map((o) => [o.name, o.conversations, o.firstResponse.median === null ? null : o.firstResponse.median / 1000, o.firstResponse.p90 === null ? null : o.firstResponse.p90 / 1000, o.durationMedian === null ? null : o.durationMedian / 1000, o.better, o.as, o.worse])])
                }
              >
                {q.csv}
              </button>
            </div>
            <div class="table-wrap">
              <table class="grid-table operators-table">
                <thead>
                  <tr>
                    <th>{q.operator}</th>
                    <th class="num">{q.kpi.conversations}</th>
                    <th class="num">{q.kpi.frt}</th>
                    <th class="num">{q.kpi.frt90}</th>
                    <th class="num">{q.kpi.duration}</th>
                    <th class="num" title={q.verdict.better}>
                      <Face v="better" />
                    </th>
                    <th class="num" title={q.verdict.as}>
                      <Face v="as" />
                    </th>
                    <th class="num" title={q.verdict.worse}>
                      <Face v="worse" />
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {m.operators.map((o) => (
                    <tr>
                      <td>{o.name}</td>
                      <td class="num">{o.conversations}</td>
                      <td class="num">{secs(o.firstResponse.median)}</td>
                      <td class="num">{secs(o.firstResponse.p90)}</td>
                      <td class="num">{secs(o.durationMedian)}</td>
                      <td class="num">{o.better}</td>
                      <td class="num">{o.as}</td>
                      <td class="num">{o.worse}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}
