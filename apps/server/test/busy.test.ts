/**
 * An external lock on the SQLite file (a backup tool, `sqlite3` in a shell) does not freeze the
 * server (issue 8 §2): writes answer the retryable BUSY at once, /health says degraded, reads
 * and other sockets go on, and the same message id sent again after the lock is stored once.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Message, SyncResult, VisitorConversation } from '@beckon/protocol';
import { call, expectOk, operator, startServer, visitorReady } from './harness';

describe('a database locked by another process', () => {
  it('answers BUSY without stalling the event loop, reports degraded, and loses nothing acknowledged', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v, session } = await visitorReady(h);
    await expectOk(call(v, 'message:send', { clientId: 'before', body: 'before the lock' }));
    await h.beckon.chat.idle();

    const other = new Database(h.dbFile);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    try {
      // ten writes while the lock is held: each answered at once with a code the client retries
      const acks = await Promise.all(Array.from({ length: 10 }, (_, i) => call(v, 'message:send', { clientId: `locked-${i}`, body: `during the lock ${i}` })));
      expect(acks.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(Array(10).fill('BUSY'));
      const health = await (await fetch(`${h.url}/health`)).json();
      expect(health.status).toBe('degraded');
      // reads go on: the operator's console still loads the conversation
      const list = await expectOk(call(op, 'conversation:list', {}));
      expect(list.conversations).toHaveLength(1);
      loop.disable();
      // today's code waited 5 s per write with the loop frozen; a wait of at most ~200 ms once, then none
      expect(loop.max / 1e6).toBeLessThan(1000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      loop.disable();
    }

    await expect.poll(async () => (await (await fetch(`${h.url}/health`)).json()).status, { timeout: 5000 }).toBe('ok');
    // the widget sends the same ids again: each stored once, in order
    for (let i = 0; i < 10; i++) await expectOk(call(v, 'message:send', { clientId: `locked-${i}`, body: `during the lock ${i}` }));
    await expectOk(call(v, 'message:send', { clientId: 'locked-3', body: 'during the lock 3' }));
    const sync = await expectOk(call(v, 'conversation:sync', { lastSeq: 0 }));
    expect(sync.messages.map((m) => m.body)).toEqual(['before the lock', ...Array.from({ length: 10 }, (_, i) => `during the lock ${i}`)]);
    expect(session.visitorId).toBeTruthy();
  });
});
