import type { Lang } from '@beckon/protocol';

const en = {
  panel: (team: string) => `Chat with ${team}`,
  online: 'We are online',
  offline: 'We will reply as soon as we can',
  answering: (name: string) => `${name} is answering`,
  waiting: 'An operator will join shortly',
  typing: (name: string) => `${name} is typing…`,
  placeholder: 'Write a message…',
  send: 'Send',
  close: 'Close chat',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  sending: 'Sending…',
  failed: 'Not sent.',
  retry: 'Retry',
  discard: 'Delete',
  earlier: 'Show earlier messages',
  loading: 'Loading…',
  ended: 'This chat has ended. Write again to start a new one.',
  endedDivider: 'Chat ended',
  you: 'You',
  charsLeft: (n: number) => `${n} characters left`,
  newMessage: (who: string, text: string) => `${who}: ${text}`,
};

const ru: typeof en = {
  panel: (team) => `Чат: ${team}`,
  online: 'Мы на связи',
  offline: 'Ответим, как только сможем',
  answering: (name) => `Отвечает ${name}`,
  waiting: 'Оператор скоро подключится',
  typing: (name) => `${name} печатает…`,
  placeholder: 'Напишите сообщение…',
  send: 'Отправить',
  close: 'Закрыть чат',
  connecting: 'Подключаемся…',
  reconnecting: 'Связь потеряна. Переподключаемся…',
  sending: 'Отправляется…',
  failed: 'Не отправлено.',
  retry: 'Повторить',
  discard: 'Удалить',
  earlier: 'Показать предыдущие сообщения',
  loading: 'Загрузка…',
  ended: 'Чат завершён. Напишите снова, чтобы начать новый.',
  endedDivider: 'Чат завершён',
  you: 'Вы',
  charsLeft: (n) => `Осталось символов: ${n}`,
  newMessage: (who, text) => `${who}: ${text}`,
};

export const STRINGS: Record<Lang, typeof en> = { en, ru };
export type Strings = typeof en;
