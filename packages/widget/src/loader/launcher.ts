/** The chat bubble: plain DOM in the widget's shadow root, no framework. */
import type { WidgetState } from '../shared/types';

export const LAUNCHER_CSS = `
:host{all:initial}
.bk-launcher{position:fixed;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;border:0;padding:0;cursor:pointer;color:#fff;box-shadow:0 6px 20px rgba(0,0,0,.22);display:flex;align-items:center;justify-content:center;transition:transform .15s}
@media (prefers-reduced-motion:no-preference){.bk-launcher:hover{transform:scale(1.06)}}
.bk-launcher:focus-visible{outline:3px solid #fff;box-shadow:0 0 0 6px rgba(0,0,0,.45)}
.bk-launcher svg{width:28px;height:28px;fill:currentColor}
.bk-badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;box-sizing:border-box;border-radius:11px;background:#d93025;font:700 12px/18px system-ui,sans-serif;border:2px solid #fff}
.bk-right{right:20px}.bk-left{left:20px}
@media (max-width:480px){.bk-open .bk-launcher{display:none}}
`;

const CHAT_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.5 3.4 6L4.6 21l4.3-2.3c1 .2 2 .3 3.1.3 5.5 0 10-3.6 10-8s-4.5-8-10-8z"/></svg>';
const CLOSE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z"/></svg>';

const LABELS = {
  en: { open: 'Open chat', close: 'Close chat', unread: (n: number) => `${n} unread` },
  ru: { open: 'Открыть чат', close: 'Закрыть чат', unread: (n: number) => `непрочитанных: ${n}` },
};

export function createLauncher(root: HTMLElement, onClick: () => void): { el: HTMLButtonElement; render: (s: WidgetState) => void } {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = 'bk-launcher';
  el.hidden = true;
  el.addEventListener('click', onClick);
  root.appendChild(el);
  let last = '';
  return {
    el,
    render(s) {
      const a = s.site?.appearance;
      const visible = !!a && s.connection !== 'failed';
      const unread = s.unread + s.answersUnread;
      const key = [visible, a?.color, a?.position, s.open, unread, s.lang].join('|');
      if (key === last) return;
      last = key;
      el.hidden = !visible;
      if (!a) return;
      const t = LABELS[s.lang];
      el.style.background = a.color;
      el.className = `bk-launcher bk-${a.position}`;
      root.classList.toggle('bk-open', s.open);
      el.setAttribute('aria-expanded', String(s.open));
      el.setAttribute('aria-label', s.open ? t.close : unread ? `${t.open}, ${t.unread(unread)}` : t.open);
      el.innerHTML = (s.open ? CLOSE_ICON : CHAT_ICON) + (unread && !s.open ? `<span class="bk-badge" aria-hidden="true">${unread > 99 ? '99+' : unread}</span>` : '');
    },
  };
}
