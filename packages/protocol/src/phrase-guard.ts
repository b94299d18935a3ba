/**
 * The phrase guard: an admin-edited list of phrases that make a customer feel blamed, each
 * with a better wording, checked in the console before a reply is sent. Matching ignores
 * letter case, ё/е, extra spaces and punctuation, and only matches whole words: "you should
 * have" does not fire inside "you shouldn't" or "youth should have".
 */
import { z } from 'zod';

export const PhraseRule = z.object({
  phrase: z.string().trim().min(2).max(200),
  /** what to say instead */
  suggestion: z.string().trim().max(500).default(''),
});
export type PhraseRule = z.infer<typeof PhraseRule>;
export const PhraseList = z.object({ phrases: z.array(PhraseRule).max(200) });

/** Lower case, ё → е, every run of non-letters/digits → one space, trimmed. */
export function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export interface PhraseHit {
  phrase: string;
  suggestion: string;
}

/** Compiles the list once; the returned check runs on every send. */
export function phraseGuard(rules: readonly PhraseRule[]): (text: string) => PhraseHit[] {
  const compiled = rules.map((r) => ({ ...r, norm: ` ${normalizePhrase(r.phrase)} ` })).filter((r) => r.norm.trim());
  return (text) => {
    const t = ` ${normalizePhrase(text)} `;
    return compiled.filter((r) => t.includes(r.norm)).map(({ phrase, suggestion }) => ({ phrase, suggestion }));
  };
}

/** The seeded list: blame phrases from service practice, with sincere alternatives. */
export const DEFAULT_PHRASES: PhraseRule[] = [
  { phrase: 'you should have', suggestion: 'Let’s sort this out together — here is what we can do now: …' },
  { phrase: 'you yourself', suggestion: 'I understand how this happened. Here is how I can help: …' },
  { phrase: 'if you keep this tone I will end the chat', suggestion: 'I can see this is frustrating, and I want to help. Could you tell me what matters most to you right now?' },
  { phrase: 'calm down', suggestion: 'I understand this is upsetting. I am here to help.' },
  { phrase: 'that is not my problem', suggestion: 'Let me find the right person to help you with this.' },
  { phrase: 'as I already said', suggestion: 'To make sure we are on the same page: …' },
  { phrase: 'вы должны были', suggestion: 'Давайте вместе решим это — вот что можно сделать сейчас: …' },
  { phrase: 'вы же сами', suggestion: 'Понимаю, как так вышло. Вот чем я могу помочь: …' },
  { phrase: 'если вы будете продолжать в таком тоне', suggestion: 'Вижу, что ситуация неприятная, и хочу помочь. Подскажите, что для вас сейчас важнее всего?' },
  { phrase: 'успокойтесь', suggestion: 'Понимаю, что это неприятно. Я здесь, чтобы помочь.' },
  { phrase: 'это не моя проблема', suggestion: 'Сейчас найду, кто сможет помочь вам с этим.' },
  { phrase: 'как я уже говорил', suggestion: 'Чтобы мы точно поняли друг друга: …' },
];

/** Sincere apology templates the console offers alongside a warning. */
export const APOLOGY_TEMPLATES = {
  en: ['I’m sorry this happened — that’s not the experience we want for you. Here’s what I’ll do now: …', 'Thank you for your patience, and I apologise for the trouble. Let me fix this for you.'],
  ru: ['Простите, что так вышло, — это не то, чего мы для вас хотим. Вот что я сделаю прямо сейчас: …', 'Спасибо за терпение и извините за неудобства. Давайте я это исправлю.'],
};

/** The variables a saved reply may use. */
export const REPLY_VARIABLES = ['visitor.name', 'operator.name', 'site.name'] as const;

/**
 * Fills a saved reply's variables: `{visitor.name}`, or with a fallback for an anonymous visitor
 * `{visitor.name|there}`. A variable left empty takes its comma and space with it
 * ("Thanks for waiting, {visitor.name}!" → "Thanks for waiting!", never "Thanks for waiting,!").
 */
export function fillReply(body: string, vars: Partial<Record<(typeof REPLY_VARIABLES)[number], string>>): string {
  return body
    .replace(/(,[ \t]*)?\{(visitor\.name|operator\.name|site\.name)(?:\|([^{}\n]*))?\}/g, (_, comma: string | undefined, k: (typeof REPLY_VARIABLES)[number], fallback: string | undefined) => {
      const v = vars[k]?.trim() || fallback?.trim() || '';
      return v ? `${comma ?? ''}${v}` : '';
    })
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/[ \t]+([,!.?;:])/g, '$1')
    .trim();
}
