/** The guided setup's facts, and its test message: a real chat from a test visitor. */
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '@beckon/protocol';
import { SHOP, login, next, operator, startServer, visitorReady } from './harness';

describe('guided setup', () => {
  it('ticks off as the site is set up; the test message arrives in the console as a chat', async () => {
    const h = await startServer();
    const admin = await login(h, 'admin@shop.test');
    const get = async () => (await (await fetch(`${h.url}/api/sites/${h.site.id}/setup`, { headers: { cookie: admin } })).json()) as Record<string, unknown>;
    expect(await get()).toEqual({ origins: [SHOP], detected: [], refused: [], teammates: 1, rules: 0, rulesOn: 0, tested: false });

    // the widget seen on the allowed address, refused elsewhere
    await visitorReady(h);
    await visitorReady(h, { origin: 'http://elsewhere.test' }).catch(() => undefined);
    await expect.poll(get).toMatchObject({ detected: [SHOP], refused: ['http://elsewhere.test'] });

    const op = await operator(h);
    const arrived = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.visitorName === 'Test visitor');
    const res = await fetch(`${h.url}/api/sites/${h.site.id}/test-message`, { method: 'POST', headers: { cookie: admin, origin: h.url } });
    expect(res.status).toBe(201);
    const { conversationId } = (await res.json()) as { conversationId: string };
    const conv = await arrived;
    expect(conv.id).toBe(conversationId);
    expect(conv.lastMessagePreview).toContain('This is a test message from Beckon');
    expect(await get()).toMatchObject({ tested: true });

    // an operator may not send one; nobody sends a flood of them
    const opCookie = await login(h, 'op@shop.test');
    expect((await fetch(`${h.url}/api/sites/${h.site.id}/test-message`, { method: 'POST', headers: { cookie: opCookie, origin: h.url } })).status).toBe(403);
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await fetch(`${h.url}/api/sites/${h.site.id}/test-message`, { method: 'POST', headers: { cookie: admin, origin: h.url } })).status);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
  });
});
