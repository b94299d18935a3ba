/**
 * A deploy is a graceful stop (SIGTERM) and a new process: every open widget and console comes
 * back by itself and the chat goes on (issue 8, "Deploys and restarts lose nobody").
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { consoleLogin, chatWorld, operatorOnline, visitorPage, visitorSays, type World } from './harness';

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

  it('a message sent while another process locks the database is retried by the widget with the same id and arrives once', async () => {
    // (the restart above ended the helper's operator connection)
    const offline = await operatorOnline(w);
    const page = await visitorPage(w, '/');
    await visitorSays(page, 'first, all well');
    const other = new Database(w.dbFile);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      if (!(await page.$('.bk-panel'))) await page.click('.bk-launcher');
      await page.fill('[data-beckon] >> .bk-input', 'sent during the lock');
      await page.press('[data-beckon] >> .bk-input', 'Enter');
      await page.waitForSelector('[data-beckon] >> .bk-pending >> text=sent during the lock');
      await page.waitForTimeout(1500);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await page.waitForSelector('[data-beckon] >> .bk-me:not(.bk-pending) >> text=sent during the lock', { timeout: 20_000 });
    const conv = (await w.beckon.store.listConversations([w.siteId], 50)).find((c) => c.lastMessagePreview === 'sent during the lock')!;
    const bodies = (await w.beckon.store.messagesAfter(conv.id, 0, 50)).map((m) => m.body);
    expect(bodies.filter((b) => b === 'sent during the lock')).toHaveLength(1);
    offline();
    await page.context().close();
  });
});
