/**
 * Offer cards: invitation, coupon, lead form, callback, article, image/video. Presentational:
 * the widget passes its socket actions, the console's rule editor passes no-ops for its preview,
 * so what the owner previews is what visitors get.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Lang, OfferView } from '@beckon/protocol';
import { OFFER_STRINGS } from './offer-i18n';

export interface LeadForm {
  name: string;
  email: string;
  phone: string;
  consent: boolean;
}
export interface CallbackForm {
  phone: string;
  time: string;
  name: string;
}

export interface OfferProps {
  offer: OfferView;
  lang: Lang;
  color: string;
  position: 'left' | 'right';
  teamName: string;
  onDismiss(): void;
  onAccept(how: 'click' | 'copy' | 'chat'): void;
  /** resolves with an error to show, or null when sent */
  onLead(f: LeadForm): Promise<string | null>;
  onCallback(f: CallbackForm): Promise<string | null>;
  /** the console's preview sits in its page instead of the screen corner */
  inline?: boolean;
  /** the thanks after a sent form */
  done?: string;
}

const X = <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L12 13.4l-6.3 6.3-1.4-1.4L10.6 12 4.3 5.7l1.4-1.4L12 10.6l6.3-6.3z" /></svg>;
const PHONE = /^[+\d][\d\s()\-.]{4,31}$/;

export function OfferCard(p: OfferProps) {
  const { offer: o, color } = p;
  const t = OFFER_STRINGS[p.lang];
  const card = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const done = p.done;

  useEffect(() => {
    if (p.inline) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') p.onDismiss();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [p.onDismiss, p.inline]);

  const go = () => {
    p.onAccept('click');
    if (o.url) window.open(o.url, '_blank', 'noopener,noreferrer');
  };
  const copy = () => {
    const ok = () => {
      setCopied(true);
      p.onAccept('copy');
    };
    if (navigator.clipboard) navigator.clipboard.writeText(o.code).then(ok, () => fallbackCopy(card.current, ok));
    else fallbackCopy(card.current, ok);
  };
  const submit = async (e: Event, run: () => Promise<string | null> | string | null) => {
    e.preventDefault();
    if (busy) return;
    setError('');
    setBusy(true);
    const err = await run();
    setBusy(false);
    if (err) setError(err);
  };
  const field = (name: string) => ((card.current?.querySelector(`[name=${name}]`) as HTMLInputElement | null)?.value ?? '').trim();
  const title = o.title || (o.kind === 'callback' ? t.callbackTitle : '');
  const text = o.text || (o.kind === 'callback' ? t.callbackText : '');
  const btn = { style: { background: color } };
  const who = o.operator?.name || p.teamName;

  return (
    <div ref={card} class={`bk-offer bk-${p.position}${p.inline ? ' bk-inline' : ''}`} role="dialog" aria-label={title || text.slice(0, 80)} style={{ '--bk-color': color }}>
      <button type="button" class="bk-ox" aria-label={t.dismiss} title={t.dismiss} onClick={p.onDismiss}>
        {X}
      </button>
      {done ? (
        <p class="bk-otext bk-done" role="status">
          {done}
        </p>
      ) : (
        <>
          {o.kind === 'invite' && (
            <div class="bk-ohead">
              <span class="bk-oav" style={{ background: color }}>
                {o.operator?.avatarUrl ? <img src={o.operator.avatarUrl} alt="" /> : who.slice(0, 1).toUpperCase()}
              </span>
              <b>{who}</b>
            </div>
          )}
          {o.kind === 'media' && o.videoUrl ? <video class="bk-omedia" src={o.videoUrl} controls muted playsInline preload="metadata" /> : o.imageUrl && (o.kind === 'media' || o.kind === 'article') ? <img class="bk-omedia" src={o.imageUrl} alt="" /> : null}
          {title && <b class="bk-otitle">{title}</b>}
          {text && <p class={o.kind === 'invite' ? 'bk-otext bk-obubble' : 'bk-otext'}>{text}</p>}
          {o.kind === 'coupon' && o.code && (
            <div class="bk-ocode">
              <span>
                <small>{t.code}</small>
                <code>{o.code}</code>
              </span>
              <button type="button" class="bk-obtn bk-osecond" onClick={copy} aria-live="polite">
                {copied ? t.copied : t.copy}
              </button>
            </div>
          )}
          {o.kind === 'lead_form' && (
            <form
              class="bk-oform"
              noValidate
              onSubmit={(e) =>
                submit(
                  e,
                  () => {
                    const f = { name: field('name'), email: field('email'), phone: field('phone'), consent: !!(card.current?.querySelector('[name=consent]') as HTMLInputElement | null)?.checked };
                    if (!f.name) return t.needName;
                    if (!f.email && !f.phone) return t.needContact;
                    if (f.phone && !PHONE.test(f.phone)) return t.needPhone;
                    if (!f.consent) return t.needConsent;
                    return p.onLead(f);
                  },
                )
              }
            >
              <input name="name" autoComplete="name" placeholder={t.name} aria-label={t.name} maxLength={100} />
              <input name="email" type="email" autoComplete="email" placeholder={t.email} aria-label={t.email} maxLength={200} />
              <input name="phone" type="tel" autoComplete="tel" placeholder={t.phone} aria-label={t.phone} maxLength={32} />
              <label class="bk-ocheck">
                <input name="consent" type="checkbox" /> <span>{o.consent || t.consent}</span>
              </label>
              <button class="bk-obtn" {...btn} disabled={busy}>
                {o.button || t.send}
              </button>
            </form>
          )}
          {o.kind === 'callback' && (
            <form
              class="bk-oform"
              noValidate
              onSubmit={(e) =>
                submit(
                  e,
                  () => {
                    const f = { phone: field('phone'), time: field('time'), name: '' };
                    return PHONE.test(f.phone) ? p.onCallback(f) : t.needPhone;
                  },
                )
              }
            >
              <input name="phone" type="tel" autoComplete="tel" placeholder={t.phone} aria-label={t.phone} maxLength={32} />
              <input name="time" placeholder={t.when} aria-label={t.when} maxLength={100} />
              <button class="bk-obtn" {...btn} disabled={busy}>
                {o.button || t.callMe}
              </button>
            </form>
          )}
          {error && (
            <p class="bk-oerr" role="alert">
              {error}
            </p>
          )}
          <div class="bk-oacts">
            {o.kind === 'invite' && (
              <button type="button" class="bk-obtn" {...btn} onClick={() => p.onAccept('chat')}>
                {o.button || t.reply}
              </button>
            )}
            {o.url && o.kind !== 'invite' && o.kind !== 'lead_form' && o.kind !== 'callback' && (
              <button type="button" class="bk-obtn" {...btn} onClick={go}>
                {o.button || t.open}
              </button>
            )}
            {(o.kind === 'invite' || o.kind === 'lead_form' || o.kind === 'callback') && (
              <button type="button" class="bk-olink" onClick={p.onDismiss}>
                {t.notNow}
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}

function fallbackCopy(root: HTMLElement | null, ok: () => void) {
  const code = root?.querySelector('code');
  if (!code) return;
  const r = document.createRange();
  r.selectNodeContents(code);
  const sel = (root!.getRootNode() as Document | ShadowRoot & { getSelection?: () => Selection }).getSelection?.() ?? getSelection();
  sel?.removeAllRanges();
  sel?.addRange(r);
  if (document.execCommand('copy')) ok();
}

export const OFFER_CSS = `
.bk-offer{position:fixed;bottom:92px;z-index:2147483001;width:340px;white-space:normal;word-spacing:normal;max-width:calc(100vw - 24px);box-sizing:border-box;background:#fff;color:#1d2330;border-radius:16px;box-shadow:0 12px 40px rgba(16,24,40,.24);padding:16px 16px 14px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;text-align:left;display:flex;flex-direction:column;gap:10px}
.bk-offer *{box-sizing:border-box;font:inherit;letter-spacing:normal;text-transform:none}
.bk-offer.bk-right{right:20px}.bk-offer.bk-left{left:20px}
.bk-offer.bk-inline{position:relative;bottom:auto;right:auto;left:auto;z-index:auto}
.bk-ox{position:absolute;top:8px;right:8px;z-index:1;width:30px;height:30px;border:0;border-radius:8px;background:rgba(255,255,255,.85);color:#667085;cursor:pointer;display:flex;align-items:center;justify-content:center;padding:0}
.bk-ox:hover{background:#f2f4f7}.bk-ox svg{width:18px;height:18px;fill:currentColor}
.bk-ohead{display:flex;align-items:center;gap:10px;padding-right:28px}
.bk-oav{width:36px;height:36px;border-radius:50%;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700;overflow:hidden;flex:none}
.bk-oav img{width:100%;height:100%;object-fit:cover}
.bk-otitle{display:block;font-weight:650;font-size:16px;line-height:1.3;padding-right:28px}
.bk-otext{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.bk-obubble{background:#f2f4f7;border-radius:14px;border-top-left-radius:4px;padding:9px 12px}
.bk-done{padding:6px 28px 2px 0;font-weight:600}
.bk-omedia{display:block;width:calc(100% + 32px);margin:-16px -16px 0;max-height:190px;object-fit:cover;border-radius:16px 16px 0 0;background:#f2f4f7}
.bk-ocode{display:flex;align-items:center;justify-content:space-between;gap:10px;border:1.5px dashed #d0d5dd;border-radius:12px;padding:8px 8px 8px 12px}
.bk-ocode small{display:block;font-size:11px;color:#667085}
.bk-ocode code{font:700 18px/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.06em}
.bk-oform{display:flex;flex-direction:column;gap:8px}
.bk-oform input:not([type=checkbox]){width:100%;border:1px solid #d0d5dd;border-radius:10px;padding:9px 11px;outline:none;color:#1d2330;background:#fff}
.bk-oform input:focus{border-color:var(--bk-color);box-shadow:0 0 0 3px color-mix(in srgb,var(--bk-color) 20%,transparent)}
.bk-ocheck{display:flex;gap:8px;align-items:flex-start;font-size:12.5px;color:#475467}
.bk-ocheck input{margin:3px 0 0;flex:none}
.bk-oacts{display:flex;align-items:center;gap:14px}
.bk-oacts:empty{display:none}
.bk-obtn{border:0;border-radius:10px;padding:9px 16px;color:#fff;font-weight:600;cursor:pointer}
.bk-obtn:disabled{opacity:.6;cursor:default}
.bk-osecond{background:#f2f4f7;color:#1d2330;flex:none}
.bk-olink{background:none;border:0;padding:0;color:#475467;cursor:pointer;text-decoration:underline}
.bk-obtn:focus-visible,.bk-olink:focus-visible,.bk-ox:focus-visible{outline:2px solid #1d2330;outline-offset:2px}
.bk-oerr{margin:0;color:#b42318;font-size:12.5px}
@media (max-width:480px){.bk-offer:not(.bk-inline),.bk-offer.bk-right:not(.bk-inline),.bk-offer.bk-left:not(.bk-inline){left:8px;right:8px;bottom:88px;width:auto;max-width:none;padding:12px 12px 10px;gap:8px}.bk-offer:not(.bk-inline) .bk-omedia{max-height:120px;width:calc(100% + 24px);margin:-12px -12px 0}}
@media (prefers-reduced-motion:no-preference){.bk-offer:not(.bk-inline){animation:bk-in .2s ease-out}@keyframes bk-in{from{opacity:0;transform:translateY(12px)}}}
`;
