/** ui.<hash>.js — the chat panel (an ES module). It registers itself with the loader, which hands over state and actions. */
import { render } from 'preact';
import { addStyles } from '../shared/styles';
import { createActions } from './actions';
import { Panel } from './panel';
import { register } from './register';
import { PANEL_CSS } from './styles';

register('panel', (ctx) => {
  addStyles(ctx.mount.getRootNode() as ShadowRoot, PANEL_CSS);
  render(<Panel ctx={ctx} actions={createActions(ctx)} />, ctx.mount);
});
