/**
 * rating.<hash>.js — how the ended chat went, in one tap (better than / as / worse than
 * expected), with an optional comment and, when the site asks, the NPS question; the visitor
 * may change it for a while, or skip it. Also the transcript by email, where the server has
 * email. Loaded only once a chat has ended, so it weighs nothing before.
 */
import { useState } from 'preact/hooks';
import type { Lang, RatingBrief, Verdict, VisitorConversation } from '@beckon/protocol';
import type { WidgetContext } from '../shared/types';

const T = {
  en: {
    ask: 'How did the chat go?',
    v: { better: 'Better than expected', as: 'As expected', worse: 'Worse than expected' } as Record<Verdict, string>,
    nps: 'How likely are you to recommend us to a friend?',
    low: 'Not likely',
    high: 'Very likely',
    comment: 'Anything to add? (optional)',
    send: 'Send',
    skip: 'Skip',
    thanks: 'Thank you for your feedback!',
    sorry: 'We are sorry. Someone from the team will look into it.',
    change: 'Change',
    failed: 'Not sent. Try again.',
    mail: 'Email me this conversation',
    mailTo: 'Your email',
    mailed: (a: string) => `On its way to ${a}.`,
  },
  ru: {
    ask: 'Как прошёл чат?',
    v: { better: 'Лучше ожиданий', as: 'Как и ожидалось', worse: 'Хуже ожиданий' } as Record<Verdict, string>,
    nps: 'Насколько вероятно, что вы порекомендуете нас друзьям?',
    low: 'Маловероятно',
    high: 'Очень вероятно',
    comment: 'Хотите что-то добавить? (необязательно)',
    send: 'Отправить',
    skip: 'Пропустить',
    thanks: 'Спасибо за отзыв!',
    sorry: 'Нам очень жаль. Мы разберёмся.',
    change: 'Изменить',
    failed: 'Не отправилось. Попробуйте ещё раз.',
    mail: 'Прислать переписку на почту',
    mailTo: 'Ваша эл. почта',
    mailed: (a: string) => `Отправляем на ${a}.`,
  },
};
const MOUTH: Record<Verdict, string> = { better: 'M7.5 14.2q4.5 4 9 0', as: 'M8 15.5h8', worse: 'M7.5 17.2q4.5-4 9 0' };
/** drawn, not an emoji: not every machine has an emoji font */
const Face = ({ v }: { v: Verdict }) => (
  <svg class={`bk-f bk-f-${v}`} viewBox="0 0 24 24" aria-hidden="true">
    <circle cx="12" cy="12" r="10" />
    <circle cx="8.5" cy="10" r="1.3" class="bk-eye" />
    <circle cx="15.5" cy="10" r="1.3" class="bk-eye" />
    <path d={MOUTH[v]} />
  </svg>
);

const RATING_CSS = `
.bk-rate{align-self:stretch;margin:6px 0;padding:12px;border:1px solid #eaecf0;border-radius:12px;background:#fff;display:flex;flex-direction:column;gap:8px;font-size:13px}
.bk-rate b{font-size:14px}
.bk-faces{display:flex;gap:6px}
.bk-face{flex:1;display:flex;flex-direction:column;align-items:center;gap:2px;padding:8px 4px;border:1px solid #d0d5dd;border-radius:10px;background:#fff;cursor:pointer;font:inherit;font-size:12px;color:#1d2330;line-height:1.2;text-align:center}
.bk-f{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:1.8;stroke-linecap:round;flex:none}
.bk-f .bk-eye{fill:currentColor;stroke:none}
.bk-f-better{color:#079455}.bk-f-as{color:#667085}.bk-f-worse{color:#d92d20}
.bk-row .bk-f{width:18px;height:18px;vertical-align:-4px}
.bk-rate b{font-weight:700}
.bk-face[aria-pressed=true]{border-color:var(--bk-color);box-shadow:0 0 0 2px var(--bk-color)}
.bk-nps{display:grid;grid-template-columns:repeat(11,1fr);gap:3px}
.bk-nps button{padding:6px 0;border:1px solid #d0d5dd;border-radius:6px;background:#fff;cursor:pointer;font:inherit;font-size:12px;color:#1d2330}
.bk-nps button[aria-pressed=true]{background:var(--bk-color);border-color:var(--bk-color);color:#fff}
.bk-ends{display:flex;justify-content:space-between;font-size:11px;color:#667085}
.bk-rate textarea,.bk-rate input{border:1px solid #d0d5dd;border-radius:8px;padding:7px 9px;font:inherit;resize:vertical}
.bk-rate .bk-row{display:flex;gap:12px;align-items:center}
.bk-face:focus-visible,.bk-nps button:focus-visible{outline:2px solid #1d2330;outline-offset:2px}
`;

/** skipped in this page (a reload asks again while the rating is open) */
const skipped = new Set<string>();

export function Rating({ ctx, conv, lang, color }: { ctx: WidgetContext; conv: VisitorConversation; lang: Lang; color: string }) {
  const t = T[lang];
  const site = ctx.getState().site!;
  const [editing, setEditing] = useState(!conv.rating);
  const [verdict, setVerdict] = useState<Verdict | null>(conv.rating?.verdict ?? null);
  const [nps, setNps] = useState<number | null>(conv.rating?.nps ?? null);
  const [comment, setComment] = useState(conv.rating?.comment ?? '');
  const [error, setError] = useState('');
  const [gone, setGone] = useState(skipped.has(conv.id));
  const [mail, setMail] = useState<'closed' | 'open' | string>('closed');
  const [address, setAddress] = useState('');
  if (gone) return null;
  const emit = ctx.socket.timeout(10_000);

  const send = (e: Event) => {
    e.preventDefault();
    if (!verdict) return;
    setError('');
    emit.emitWithAck('conversation:rate', { conversationId: conv.id, verdict, comment: comment.trim(), nps: site.nps ? nps : null }).then(
      (res) => (res.ok ? (ctx.adopt({ ...conv, rating: res.data.rating as RatingBrief, rateUntil: res.data.rateUntil }), setEditing(false)) : setError(res.error.message)),
      () => setError(t.failed),
    );
  };
  const transcript = (e: Event) => {
    e.preventDefault();
    emit.emitWithAck('conversation:transcript', { conversationId: conv.id, email: address.trim() }).then(
      (res) => (res.ok ? setMail(address.trim()) : setError(res.error.message)),
      () => setError(t.failed),
    );
  };

  return (
    <div class="bk-rate" role="group" aria-label={t.ask} style={{ '--bk-color': color }}>
      {/* its own styles, inside the widget's shadow root */}
      <style>{RATING_CSS}</style>
      {editing ? (
        <form onSubmit={send} style={{ display: 'contents' }}>
          <b>{t.ask}</b>
          <div class="bk-faces">
            {(['better', 'as', 'worse'] as const).map((v) => (
              <button type="button" class="bk-face" aria-pressed={verdict === v} onClick={() => setVerdict(v)}>
                <Face v={v} />
                {t.v[v]}
              </button>
            ))}
          </div>
          {site.nps && (
            <>
              <div>{t.nps}</div>
              <div class="bk-nps" role="group" aria-label={t.nps}>
                {Array.from({ length: 11 }, (_, n) => (
                  <button type="button" aria-pressed={nps === n} onClick={() => setNps(n)}>
                    {n}
                  </button>
                ))}
              </div>
              <div class="bk-ends">
                <span>{t.low}</span>
                <span>{t.high}</span>
              </div>
            </>
          )}
          {verdict && <textarea rows={2} maxLength={1000} aria-label={t.comment} placeholder={t.comment} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />}
          <div class="bk-row">
            <button type="submit" class="bk-btn" style={{ background: color }} disabled={!verdict}>
              {t.send}
            </button>
            {!conv.rating && (
              <button
                type="button"
                class="bk-link"
                onClick={() => {
                  skipped.add(conv.id);
                  setGone(true);
                }}
              >
                {t.skip}
              </button>
            )}
          </div>
        </form>
      ) : (
        <div class="bk-row" role="status">
          <span>
            <Face v={conv.rating!.verdict} /> {conv.rating!.verdict === 'worse' ? t.sorry : t.thanks}
          </span>
          <button type="button" class="bk-link" onClick={() => setEditing(true)}>
            {t.change}
          </button>
        </div>
      )}
      {error && (
        <div class="bk-failed" role="alert">
          {error}
        </div>
      )}
      {site.email &&
        (mail === 'closed' ? (
          <button type="button" class="bk-link" style={{ alignSelf: 'flex-start', fontWeight: 400 }} onClick={() => setMail('open')}>
            {t.mail}
          </button>
        ) : mail === 'open' ? (
          <form class="bk-row" onSubmit={transcript}>
            <input type="email" required maxLength={200} aria-label={t.mailTo} placeholder={t.mailTo} autoComplete="email" value={address} onInput={(e) => setAddress(e.currentTarget.value)} style={{ flex: 1 }} />
            <button type="submit" class="bk-btn" style={{ background: color }}>
              {t.send}
            </button>
          </form>
        ) : (
          <div role="status">{t.mailed(mail)}</div>
        ))}
    </div>
  );
}
