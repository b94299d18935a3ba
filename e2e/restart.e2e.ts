/**
 * A deploy is a graceful stop (SIGTERM) and a new process: every open widget and console comes
 * back by itself and the chat goes on (issue 8, "Deploys and restarts lose nobody").
 */
import { describe, expect, it } from 'vitest';
import { consoleLogin, chatWorld, visitorPage, visitorSays, type World } from './harness';

let w: World;
chatWorld((world) => (w = world));

const widget = (sel: string) => `[data-beckon] >> ${sel}`;

describe('a restart of the server', () => {
  it('the open widget and the console reconnect by themselves and the chat goes on', async () => {
    const page = await visitorPage(w, '/');
    await visitorSays(page, 'before the deploy');
    const console = await consoleLogin(w);
    await console.waitForSelector('text=before the deploy');

    await w.restart();
    // the widget says it lost the connection, then comes back without a reload
    await page.waitForSelector(widget('.bk-banner'), { timeout: 5000 });
    await page.waitForSelector(widget('.bk-banner'), { state: 'detached', timeout: 20_000 });
    await visitorSays(page, 'after the deploy');
    await console.waitForSelector('text=after the deploy', { timeout: 20_000 });
    const stored = await w.beckon.store.latestConversationOf((await w.beckon.store.listConversations([w.siteId], 10))[0]!.visitorId);
    expect((await w.beckon.store.messagesAfter(stored!.id, 0, 10)).map((m) => m.body)).toEqual(['before the deploy', 'after the deploy']);
    await page.context().close();
    await console.context().close();
  });
});
