/** The chat people expect, in Chromium: emoji both ways, "Seen", edit and delete of one's own last message. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SHOTS, chatWorld, consoleLogin, shot, visitorPage, visitorSays, type World } from './harness';

let w: World;
chatWorld((x) => (w = x));

it('emoji, "Seen", edit and delete — on both sides', async () => {
  const visitor = await visitorPage(w, '/coffee.html');
  await visitorSays(visitor, 'Hello, is the Kenya roast fresh?');
  const op = await consoleLogin(w);
  await op.click('.row >> text=Kenya roast');
  const pane = op.locator('.pane');
  await pane.locator('.bubble >> text=Kenya roast').waitFor();
  // the operator read it: the visitor sees "Seen"
  await visitor.waitForSelector('.bk-seen >> text=Seen');

  // the operator answers with an emoji from the picker
  await pane.locator('textarea').fill('Roasted on Monday ');
  await pane.locator('button[aria-label=Emoji]').click();
  await pane.locator('.emoji-pop button[aria-label="☕"]').click();
  expect(await pane.locator('textarea').inputValue()).toBe('Roasted on Monday ☕');
  await pane.locator('textarea').press('Enter');
  await visitor.waitForSelector('.bk-them >> text=Roasted on Monday ☕');
  // the visitor's tab is on screen: it has read it, and the console says so
  await pane.locator('.msg.us .seen >> text=Seen').waitFor();

  // the visitor: an emoji from the widget's picker, then a change of mind
  await visitor.fill('.bk-input', 'Great ');
  await visitor.click('.bk-compose button[aria-label=Emoji]');
  await visitor.click('.bk-emoji button[aria-label="👍"]');
  expect(await visitor.inputValue('.bk-input')).toBe('Great 👍');
  await visitor.press('.bk-input', 'Enter');
  await visitor.waitForSelector('.bk-me:not(.bk-pending) >> text=Great 👍');
  await pane.locator('.bubble >> text=Great 👍').waitFor();
  await visitor.click('.bk-mine >> text=Edit');
  expect(await visitor.inputValue('.bk-input')).toBe('Great 👍');
  await visitor.waitForSelector('.bk-editing >> text=Editing your message.');
  await visitor.fill('.bk-input', 'Great, I will take two 👍');
  await visitor.press('.bk-input', 'Enter');
  await visitor.waitForSelector('.bk-me >> text=Great, I will take two 👍');
  await pane.locator('.bubble >> text=Great, I will take two 👍').waitFor();
  await pane.locator('.msg.them .meta >> text=edited').waitFor();
  expect(await pane.locator('.bubble >> text="Great 👍"').count()).toBe(0);

  // the operator sends a line too many and takes it back
  await pane.locator('textarea').fill('Sorry, wrong chat');
  await pane.locator('textarea').press('Enter');
  await visitor.waitForSelector('.bk-them >> text=Sorry, wrong chat');
  await pane.locator('.msg.us').last().hover();
  await pane.locator('.mine-actions >> text=Delete').click();
  await visitor.waitForSelector('.bk-them .bk-gone >> text=Message deleted');
  expect(await visitor.locator('text=Sorry, wrong chat').count()).toBe(0);
  await pane.locator('.msg.us .gone >> text=Message deleted').waitFor();

  await shot(visitor, 'widget-emoji-seen-edited');
  await op.screenshot({ path: join(SHOTS, 'console-emoji-seen-edited.png') });
  await op.context().close();
  await visitor.context().close();
});
