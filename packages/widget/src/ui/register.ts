import { UI_REGISTER, type UiRegister, type WidgetContext } from '../shared/types';

export function register(part: 'panel' | 'offer', render: (ctx: WidgetContext) => void): void {
  const r = (window as unknown as Record<string, UiRegister | undefined>)[UI_REGISTER];
  if (r) r(part, render);
  else console.error('[Beckon] a widget part was loaded without beckon.js; paste the snippet instead.');
}
