/**
 * Three nodes behind HAProxy on one PostgreSQL and one Redis behave as one Beckon: a chat between
 * nodes, routing with capacity across nodes, a node killed, Redis stopped, a rolling restart.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { ConversationSummary, FloorView, Message, VisitorConversation, VisitorsPage } from '@beckon/protocol';
import { call, closeSockets, login, newSite, next, ok, operatorAt, startWorld, until, visitorAt, type World } from './helpers';

let w: World;
beforeAll(async () => {
  w = await startWorld(3);
}, 90_000);
afterAll(async () => {
  closeSockets();
  await w?.close();
}, 60_000);
afterEach(() => closeSockets());

const node = (i: number) => w.cluster.nodes[i]!.url;

describe('a visitor on one node and an operator on another', () => {
  it('chat both ways, typing, read marks and the live board', async () => {
    const { site, ops } = await newSite(w.store, {}, [{ name: 'Olga' }]);
    const op = await operatorAt(node(1), await login(node(1), ops[0]!.email));
    const board = await ok(call<VisitorsPage>(op, 'visitors:watch', { siteId: site.id, filter: '', offset: 0 }));
    expect(board.total).toBe(0);

    const v = await visitorAt(node(0), site);
    // the board on node 2 shows the visitor on node 1
    const seen = await next<VisitorsPage>(op, 'visitors:page', (p) => p.visitors.some((x) => x.visitorId === v.visitorId));
    expect(seen.visitors.find((x) => x.visitorId === v.visitorId)!.online).toBe(true);

    const upsert = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.visitorId === v.visitorId && c.assigneeId === ops[0]!.id);
    const arrives = next<Message>(op, 'message:new', (m) => m.body === 'Hello from node 1');
    const sent = await ok(call<{ message: Message }>(v.socket, 'message:send', { clientId: 'c1', body: 'Hello from node 1' }));
    // routed on node 1 to an operator whose only tab is on node 2: node 1 knows she is online
    const conv = await upsert;
    expect((await arrives).conversationId).toBe(sent.message.conversationId);

    const typingToVisitor = next<{ typing: boolean; name: string | null }>(v.socket, 'typing:update', (t) => t.typing);
    op.emit('typing:set', { conversationId: conv.id, typing: true });
    expect((await typingToVisitor).name).toBe('Olga');
    const typingToOperator = next<{ conversationId: string; typing: boolean }>(op, 'typing:update', (t) => t.typing);
    v.socket.emit('typing:set', { typing: true });
    expect((await typingToOperator).conversationId).toBe(conv.id);

    const reply = next<Message>(v.socket, 'message:new', (m) => m.body === 'Hi from node 2');
    const answered = await ok(call<{ message: Message }>(op, 'message:send', { conversationId: conv.id, clientId: 'o1', body: 'Hi from node 2' }));
    expect((await reply).seq).toBe(answered.message.seq);

    // read marks: the visitor read the reply (the console sees it), the operator read the visitor's message ("Seen")
    const visitorRead = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.id === conv.id && c.visitorReadSeq === answered.message.seq);
    v.socket.emit('conversation:read', { seq: answered.message.seq });
    await visitorRead;
    const seenByOperator = next<VisitorConversation>(v.socket, 'conversation:update', (c) => c.id === conv.id && c.seenSeq >= sent.message.seq);
    op.emit('conversation:read', { conversationId: conv.id, seq: sent.message.seq });
    await seenByOperator;

    // the visitor leaves: the board on node 2 says so
    v.socket.disconnect();
    await next<VisitorsPage>(op, 'visitors:page', (p) => p.visitors.some((x) => x.visitorId === v.visitorId && !x.online));
  }, 60_000);
});

describe('routing across nodes', () => {
  it('30 conversations at once, 3 operators of capacity 5 on three nodes: nobody over capacity, 15 queued in their places', async () => {
    const { site, ops } = await newSite(w.store, { noAnswerSeconds: 600, maxMoves: 0 }, [
      { name: 'Anna', capacity: 5 },
      { name: 'Boris', capacity: 5 },
      { name: 'Vera', capacity: 5 },
    ]);
    const consoles: Socket[] = [];
    // most at once any operator held, as every console saw it
    const held = new Map<string, Map<string, string | null>>();
    let over = 0;
    for (let i = 0; i < 3; i++) {
      const s = await operatorAt(node(i), await login(node(i), ops[i]!.email));
      s.on('conversation:upsert', (c: ConversationSummary) => {
        if (c.siteId !== site.id) return;
        const view = held.get(String(i)) ?? new Map<string, string | null>();
        held.set(String(i), view);
        view.set(c.id, c.status === 'active' ? c.assigneeId : null);
        for (const op of ops) if ([...view.values()].filter((a) => a === op.id).length > 5) over++;
      });
      consoles.push(s);
    }
    // every node sees all three online (the floor each console is shown is worked out on its own node)
    for (const s of consoles) await until(async () => (await ok(call<FloorView>(s, 'floor:get', { siteId: site.id }))).operators.every((o) => o.status === 'online'), 10_000, 'all three online on every node');

    // from many addresses, as many shoppers are (new conversations are limited per address, cluster-wide)
    const visitors = await Promise.all(Array.from({ length: 30 }, (_, i) => visitorAt(node(i % 3), site, { localAddress: `127.0.2.${i + 1}` })));
    const lastQueue = new Map<string, number | null>();
    for (const v of visitors) v.socket.on('conversation:update', (c: VisitorConversation) => lastQueue.set(v.visitorId, c.status === 'queued' ? (c.queue?.position ?? null) : 0));
    const acks = await Promise.all(visitors.map((v, i) => ok(call<{ message: Message; conversation: VisitorConversation }>(v.socket, 'message:send', { clientId: `m${i}`, body: `question ${i}` }))));
    expect(acks).toHaveLength(30);

    // settled: 15 active (5 each), 15 queued
    const settled = await until(
      async () => {
        const open = (await w.store.listConversations([site.id], 0)).filter((c) => c.status !== 'closed');
        const active = open.filter((c) => c.status === 'active');
        return open.length === 30 && active.length === 15 ? open : null;
      },
      20_000,
      '15 active and 15 queued',
    );
    const counts = await w.store.activeCounts(ops.map((o) => o.id));
    expect(ops.map((o) => counts.get(o.id) ?? 0)).toEqual([5, 5, 5]);
    expect(settled.filter((c) => c.status === 'queued')).toHaveLength(15);
    expect(over).toBe(0);

    // each waiting visitor was told its place: 1…15 in the order the queue serves them
    const queued = await w.store.listQueued(site.id);
    expect(queued).toHaveLength(15);
    const byConv = new Map(visitors.map((v) => [v.visitorId, v]));
    await until(() => queued.every((c, i) => lastQueue.get(c.visitorId) === i + 1), 10_000, 'places in line told');
    expect(queued.map((c) => lastQueue.get(byConv.get(c.visitorId)!.visitorId))).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // stored decisions: 15 assignments, none twice
    const assigned = (await Promise.all(settled.map((c) => w.store.routingEventsOf(c.id, 50)))).map((e) => e.filter((x) => x.kind === 'assigned').length);
    expect(assigned.reduce((a, b) => a + b, 0)).toBe(15);
    expect(Math.max(...assigned)).toBe(1);
  }, 90_000);
});
