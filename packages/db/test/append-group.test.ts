/**
 * The SQLite store commits the appends asked for in one turn of the event loop together
 * (an operator answering many chats at once), each in a savepoint of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { openSqliteStore, type NewMessage, type Store } from '../src/index';
import { walCommits } from './wal';

describe('SQLite appends in one turn', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let convs: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'beckon-append-'));
    file = join(dir, 'beckon.db');
    store = openSqliteStore({ file });
    const site = await store.createSite({ name: 'Shop', allowedOrigins: ['https://shop.example'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, 1);
    convs = [];
    for (let i = 0; i < 3; i++) {
      const visitorId = `visitor-${String(i).padStart(14, '0')}`;
      await store.touchVisitor({ id: visitorId, siteId: site.id, lang: 'en', userAgent: null }, 1);
      convs.push((await store.createConversation({ siteId: site.id, visitorId, previousId: null }, 1)).id);
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const msg = (conversationId: string, clientId: string, body: string): NewMessage => ({ conversationId, clientId, sender: 'operator', senderId: 'op-1', authorName: 'Ann', body, now: 10 });

  it('share one commit, numbered in the order they were asked for', async () => {
    const before = walCommits(file);
    const asked = Array.from({ length: 60 }, (_, i) => store.appendMessage(msg(convs[i % 3]!, `c${i}`, `answer ${i}`)));
    const results = await Promise.all(asked);
    expect(results.map((r) => r.kind)).toEqual(Array(60).fill('created'));
    // one commit for the sixty (one each would be sixty)
    expect(walCommits(file) - before).toBe(1);
    for (const [k, id] of convs.entries()) {
      const bodies = (await store.messagesAfter(id, 0, 100)).map((m) => `${m.seq}:${m.body}`);
      expect(bodies).toEqual(Array.from({ length: 20 }, (_, j) => `${j + 1}:answer ${j * 3 + k}`));
    }
  });

  it('lets one that fails fail alone: the others are stored, a repeat is the same message', async () => {
    await store.closeConversation(convs[1]!, 'operator', 5);
    const [a, closed, broken, again, b] = await Promise.allSettled([
      store.appendMessage(msg(convs[0]!, 'x1', 'first')),
      store.appendMessage(msg(convs[1]!, 'x2', 'to a closed chat')),
      // a NOT NULL body: SQLite refuses the row (a savepoint rolled back, not the group)
      store.appendMessage({ ...msg(convs[2]!, 'x3', ''), body: null as unknown as string }),
      store.appendMessage(msg(convs[0]!, 'x1', 'first')),
      store.appendMessage(msg(convs[2]!, 'x4', 'second')),
    ]);
    expect(a.status === 'fulfilled' && a.value.kind).toBe('created');
    expect(closed.status === 'fulfilled' && closed.value.kind).toBe('closed');
    expect(broken.status).toBe('rejected');
    expect(again.status === 'fulfilled' && again.value.kind).toBe('duplicate');
    expect(b.status === 'fulfilled' && b.value.kind === 'created' && b.value.message.seq).toBe(1);
    expect((await store.messagesAfter(convs[0]!, 0, 10)).map((m) => m.body)).toEqual(['first']);
    expect((await store.messagesAfter(convs[2]!, 0, 10)).map((m) => m.body)).toEqual(['second']);
  });

  it('stores what was asked for before the store closed', async () => {
    const late = store.appendMessage(msg(convs[0]!, 'bye', 'last words'));
    await store.close();
    expect((await late).kind).toBe('created');
    store = openSqliteStore({ file });
    expect((await store.messagesAfter(convs[0]!, 0, 10)).map((m) => m.body)).toEqual(['last words']);
  });
});
