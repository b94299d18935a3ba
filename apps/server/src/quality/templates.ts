/**
 * The emails Beckon sends, in English and Russian, as plain text and HTML (everything from
 * visitors and operators escaped).
 */
import type { Lang, Message } from '@beckon/protocol';

export interface Composed {
  subject: string;
  text: string;
  html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const para = (s: string) => esc(s).replace(/\n/g, '<br>');
const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;color:#1d2330;background:#f4f5f7;margin:0;padding:24px"><div style="max-width:560px;margin:0 auto;background:#fff;border:1px solid #e4e7ec;border-radius:12px;padding:24px">${body}</div></body></html>`;
const when = (ms: number, lang: Lang, tz: string) => new Date(ms).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });

/** the language of a visitor (their browser's), else the site's */
export function langOf(visitorLang: string | null | undefined, siteLang: Lang): Lang {
  if (visitorLang && /^ru/i.test(visitorLang)) return 'ru';
  if (visitorLang && /^en/i.test(visitorLang)) return 'en';
  return siteLang;
}

export function answerEmail(lang: Lang, o: { site: string; name: string; question: string; answer: string; by: string }): Composed {
  const t =
    lang === 'ru'
      ? { subject: `${o.site}: ответ на ваше сообщение`, hi: `Здравствуйте, ${o.name}!`, lead: 'Вы писали нам:', reply: 'Наш ответ:', also: 'Ответ будет ждать вас и в чате на сайте.' }
      : { subject: `${o.site}: an answer to your message`, hi: `Hello ${o.name},`, lead: 'You wrote to us:', reply: 'Our answer:', also: 'The answer also waits for you in the chat on the site.' };
  const text = `${t.hi}\n\n${t.lead}\n> ${o.question.replace(/\n/g, '\n> ')}\n\n${t.reply}\n${o.answer}\n\n— ${o.by}, ${o.site}\n\n${t.also}\n`;
  const html = page(t.subject, `<p>${esc(t.hi)}</p><p style="color:#667085">${esc(t.lead)}</p><blockquote style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #e4e7ec;color:#475467">${para(o.question)}</blockquote><p style="color:#667085">${esc(t.reply)}</p><p>${para(o.answer)}</p><p>— ${esc(o.by)}, ${esc(o.site)}</p><p style="color:#667085;font-size:13px">${esc(t.also)}</p>`);
  return { subject: t.subject, text, html };
}

export function transcriptEmail(lang: Lang, o: { site: string; tz: string; messages: Message[]; startedAt: number }): Composed {
  const t = lang === 'ru' ? { subject: `${o.site}: переписка от ${when(o.startedAt, lang, o.tz)}`, you: 'Вы', intro: 'Переписка, которую вы просили прислать:', system: o.site } : { subject: `${o.site}: your chat of ${when(o.startedAt, lang, o.tz)}`, you: 'You', intro: 'The conversation you asked for:', system: o.site };
  const who = (m: Message) => (m.sender === 'visitor' ? t.you : m.authorName || t.system);
  const text = `${t.intro}\n\n${o.messages.map((m) => `[${when(m.createdAt, lang, o.tz)}] ${who(m)}: ${m.body}`).join('\n')}\n`;
  const rows = o.messages
    .map((m) => `<tr><td style="color:#667085;white-space:nowrap;vertical-align:top;padding:4px 8px 4px 0;font-size:13px">${esc(when(m.createdAt, lang, o.tz))}</td><td style="padding:4px 0"><b>${esc(who(m))}</b><br>${para(m.body)}</td></tr>`)
    .join('');
  return { subject: t.subject, text, html: page(t.subject, `<p>${esc(t.intro)}</p><table style="border-collapse:collapse;width:100%">${rows}</table>`) };
}

const KIND = {
  en: { message: 'New offline message', callback: 'New callback request', lead: 'New lead' },
  ru: { message: 'Новое сообщение без операторов', callback: 'Новая просьба перезвонить', lead: 'Новая заявка' },
};

export function inboxAlert(lang: Lang, o: { site: string; kind: 'message' | 'callback' | 'lead'; name: string; email: string; phone: string; time: string; body: string; page: string; link: string }): Composed {
  const k = KIND[lang][o.kind];
  const L = lang === 'ru' ? { name: 'Имя', email: 'Почта', phone: 'Телефон', time: 'Когда удобно', page: 'Страница', open: 'Открыть во входящих' } : { name: 'Name', email: 'Email', phone: 'Phone', time: 'Preferred time', page: 'Page', open: 'Open in the inbox' };
  const fields: [string, string][] = [
    [L.name, o.name],
    [L.email, o.email],
    [L.phone, o.phone],
    [L.time, o.time],
    [L.page, o.page],
  ].filter(([, v]) => v) as [string, string][];
  const subject = `${o.site}: ${k}${o.name ? ` — ${o.name}` : ''}`;
  const text = `${k}\n\n${fields.map(([a, b]) => `${a}: ${b}`).join('\n')}${o.body ? `\n\n${o.body}` : ''}\n\n${L.open}: ${o.link}\n`;
  const html = page(subject, `<h2 style="margin:0 0 12px;font-size:18px">${esc(k)}</h2><table>${fields.map(([a, b]) => `<tr><td style="color:#667085;padding:2px 12px 2px 0">${esc(a)}</td><td>${esc(b)}</td></tr>`).join('')}</table>${o.body ? `<p>${para(o.body)}</p>` : ''}<p><a href="${esc(o.link)}">${esc(L.open)}</a></p>`);
  return { subject, text, html };
}

export function followUpAlert(lang: Lang, o: { site: string; verdict: string; nps: number | null; comment: string; visitor: string; operator: string; link: string }): Composed {
  const L =
    lang === 'ru'
      ? { title: 'Плохой чат: нужен разбор', verdict: { worse: 'хуже, чем ожидали', as: 'как ожидали', better: 'лучше, чем ожидали' } as Record<string, string>, rated: 'Оценка', nps: 'Готовность рекомендовать', comment: 'Комментарий', visitor: 'Посетитель', operator: 'Оператор', open: 'Открыть разбор' }
      : { title: 'A bad chat needs a follow-up', verdict: { worse: 'worse than expected', as: 'as expected', better: 'better than expected' } as Record<string, string>, rated: 'Rating', nps: 'Likely to recommend', comment: 'Comment', visitor: 'Visitor', operator: 'Operator', open: 'Open the follow-up' };
  const fields: [string, string][] = [
    [L.rated, L.verdict[o.verdict] ?? o.verdict],
    [L.nps, o.nps === null ? '' : `${o.nps}/10`],
    [L.comment, o.comment],
    [L.visitor, o.visitor],
    [L.operator, o.operator],
  ].filter(([, v]) => v) as [string, string][];
  const subject = `${o.site}: ${L.title}`;
  const text = `${L.title}\n\n${fields.map(([a, b]) => `${a}: ${b}`).join('\n')}\n\n${L.open}: ${o.link}\n`;
  const html = page(subject, `<h2 style="margin:0 0 12px;font-size:18px">${esc(L.title)}</h2><table>${fields.map(([a, b]) => `<tr><td style="color:#667085;padding:2px 12px 2px 0">${esc(a)}</td><td>${para(b)}</td></tr>`).join('')}</table><p><a href="${esc(o.link)}">${esc(L.open)}</a></p>`);
  return { subject, text, html };
}
