/** ui.<hash>.js — the lazy Preact UI. It registers itself with the loader, which hands over state and actions. */
import { render } from 'preact';
import { UI_REGISTER, type UiRegister, type WidgetContext } from '../shared/types';
import { addStyles } from '../shared/styles';
import { createActions } from './actions';
import { Panel } from './panel';
import { PANEL_CSS } from './styles';

const register = (window as unknown as Record<string, UiRegister | undefined>)[UI_REGISTER];
if (register) {
  register((ctx: WidgetContext) => {
    addStyles(ctx.mount.getRootNode() as ShadowRoot, PANEL_CSS);
    render(<Panel ctx={ctx} actions={createActions(ctx)} />, ctx.mount);
  });
} else {
  console.error('[Beckon] ui.js was loaded without beckon.js; paste the snippet instead.');
}
