/** Texts of the everyday console: navigation on any screen, chat niceties, push, the first setup. */
import type { Lang } from '@beckon/protocol';

const en = {
  menu: 'Menu',
  closeMenu: 'Close menu',
  manage: 'Manage',
  work: 'Work',
  back: 'Chats',
  backLabel: 'Back to the chat list',
  chatNotFound: 'That chat does not exist or is not yours to see.',
  withYou: 'With you',
  endConfirm: 'End this chat? The visitor sees that it ended.',
  endYes: 'End chat',
  endNo: 'Keep it open',
  undo: 'Undo',
  endingIn: (s: number) => `Ending the chat in ${s} s…`,
  details: 'Visitor',
  savedReplies: 'Saved replies (or type / in the reply)',
  replyPhone: 'Reply…',
};

export type EverydayStrings = typeof en;

const ru: EverydayStrings = {
  menu: 'Меню',
  closeMenu: 'Закрыть меню',
  manage: 'Управление',
  work: 'Работа',
  back: 'Чаты',
  backLabel: 'Назад к списку чатов',
  chatNotFound: 'Такого чата нет, или он вам недоступен.',
  withYou: 'У вас',
  endConfirm: 'Завершить чат? Посетитель увидит, что он завершён.',
  endYes: 'Завершить',
  endNo: 'Оставить открытым',
  undo: 'Отменить',
  endingIn: (s) => `Чат завершится через ${s} с…`,
  details: 'Посетитель',
  savedReplies: 'Шаблоны ответов (или наберите / в ответе)',
  replyPhone: 'Ответ…',
};

export const EVERYDAY: Record<Lang, EverydayStrings> = { en, ru };
