import { describe, expect, it } from 'vitest';
import { DEFAULT_PHRASES, fillReply, normalizePhrase, phraseGuard } from '../src/phrase-guard';

const check = phraseGuard(DEFAULT_PHRASES);
const hit = (text: string) => check(text).map((h) => h.phrase);

describe('phrase guard', () => {
  // each seeded phrase, mangled: odd case, ё/е swapped in, doubled spaces, punctuation inside and around
  const mangled: [string, string][] = [
    ['you should have', 'Well, YOU   Should...have checked the size!'],
    ['you yourself', 'But you, yourself, chose express delivery'],
    ['if you keep this tone I will end the chat', 'If you KEEP this tone — I will end the chat.'],
    ['calm down', 'Please CALM  down!!'],
    ['that is not my problem', 'Sorry, that is not my problem.'],
    ['as I already said', 'As I   already said, no.'],
    ['вы должны были', 'Ну, ВЫ   должны были проверить размер!'],
    ['вы же сами', 'Вы, же, сами выбрали доставку'],
    ['если вы будете продолжать в таком тоне', 'Если вы будете продолжать в таком тоне, я завершу чат'],
    ['успокойтесь', 'УСПОКОЙТЕСЬ, пожалуйста'],
    ['это не моя проблема', 'Это — не моя проблема.'],
    ['как я уже говорил', 'Как я уже говорил: нет.'],
  ];
  it('covers every seeded phrase', () => {
    expect(new Set(mangled.map((m) => m[0]))).toEqual(new Set(DEFAULT_PHRASES.map((p) => p.phrase)));
  });
  it.each(mangled)('catches “%s” in “%s”', (phrase, text) => {
    expect(hit(text)).toContain(phrase);
  });
  it('treats ё and е alike, both ways', () => {
    const g = phraseGuard([{ phrase: 'ещё раз повторяю', suggestion: '' }]);
    expect(g('Еще раз повторяю').length).toBe(1);
    expect(g('ЕЩЁ   раз, повторяю!').length).toBe(1);
    expect(normalizePhrase('Ёлка  —  ЁЖ!')).toBe('елка еж');
  });
  it('never fires inside another word', () => {
    expect(hit('Youth should have fun')).toEqual([]);
    expect(hit('you shouldn’t have to wait')).toEqual([]);
    expect(hit('If you keep this tone-deaf ad, I will end the chatter')).toEqual([]);
    expect(hit('Вы должны быстро получить ответ')).toEqual([]);
    expect(hit('вы же самим себе')).toEqual([]);
    expect(hit('неуспокойтесь')).toEqual([]);
    expect(hit('Thank you for your patience, we will fix this now.')).toEqual([]);
  });
  it('returns the better wording with the warning', () => {
    expect(check('You should have ordered earlier')[0]!.suggestion).toMatch(/together/);
  });
});

describe('saved reply variables', () => {
  it('fills known values and leaves no gap for an anonymous visitor', () => {
    expect(fillReply('Thanks for waiting, {visitor.name}!', { 'visitor.name': 'Anna' })).toBe('Thanks for waiting, Anna!');
    expect(fillReply('Thanks for waiting, {visitor.name}!', { 'visitor.name': '' })).toBe('Thanks for waiting!');
    expect(fillReply('Hi {visitor.name}, I am {operator.name} from {site.name}.', { 'operator.name': 'Olga', 'site.name': 'Demo' })).toBe('Hi, I am Olga from Demo.');
  });
  it('uses the fallback only when the value is unknown', () => {
    expect(fillReply('Hello, {visitor.name|there}!', {})).toBe('Hello, there!');
    expect(fillReply('Hello, {visitor.name|there}!', { 'visitor.name': 'Ivan' })).toBe('Hello, Ivan!');
    expect(fillReply('Спасибо, {visitor.name|друг}!', { 'visitor.name': ' ' })).toBe('Спасибо, друг!');
  });
  it('leaves unknown braces alone', () => {
    expect(fillReply('Use code {SAVE10} today', {})).toBe('Use code {SAVE10} today');
  });
});
