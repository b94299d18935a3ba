/**
 * Three nodes behind HAProxy on one PostgreSQL and one Redis behave as one Beckon: a chat between
 * nodes, routing with capacity across nodes, a node killed, Redis stopped, a rolling restart.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Socket } from 'socket.io-client';
import { RuleInput, type ConversationSummary, type FloorView, type Message, type VisitorConversation, type VisitorsPage } from '@beckon/protocol';
import { SHOP, call, closeSockets, login, newSite, next, nextMessage, nodeHealth, ok, operatorAt, Receiver, sendReliably, startWorld, until, visitorAt, type Visitor, type World } from './helpers';

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
    let seenSeq = 0;
    v.socket.on('conversation:update', (c: VisitorConversation) => (seenSeq = Math.max(seenSeq, c.seenSeq)));
    // the board on node 2 shows the visitor on node 1
    const seen = await next<VisitorsPage>(op, 'visitors:page', (p) => p.visitors.some((x) => x.visitorId === v.visitorId));
    expect(seen.visitors.find((x) => x.visitorId === v.visitorId)!.online).toBe(true);

    const upsert = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.visitorId === v.visitorId && c.assigneeId === ops[0]!.id);
    const arrives = nextMessage(op, (m) => m.body === 'Hello from node 1');
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
    // ("Seen" may already have come with the reply: the widget holds the latest it was told)
    op.emit('conversation:read', { conversationId: conv.id, seq: sent.message.seq });
    await until(() => seenSeq >= sent.message.seq, 10_000, 'the visitor told "Seen"');

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

const balancer = () => w.cluster.url;

describe('a node dies', () => {
  it('kill -9 mid-conversation: its visitors come back through the balancer to another node and go on; its deadlines are acted on elsewhere, once', async () => {
    const { site, ops } = await newSite(w.store, { noAnswerSeconds: 10, graceSeconds: 5, maxMoves: 2 }, [
      { name: 'Anna', capacity: 20 },
      { name: 'Boris', capacity: 20 },
    ]);
    const [anna, boris] = ops as [{ id: string; email: string }, { id: string; email: string }];
    const staff = await login(balancer(), anna.email);
    // twelve shoppers from twelve addresses: the balancer spreads them by address
    const visitors: Visitor[] = [];
    for (let i = 0; i < 12; i++) visitors.push(await visitorAt(balancer(), site, { localAddress: `127.0.3.${i + 1}` }));
    const held = await Promise.all(w.cluster.nodes.map((n) => nodeHealth(n.url, staff)));
    expect(held.reduce((a, h) => a + h.visitors, 0)).toBe(12);
    // the node to kill: of the two Anna is not on, the one holding more of them
    const k = held[1]!.visitors >= held[2]!.visitors ? 1 : 2;
    expect(held[k]!.visitors).toBeGreaterThan(0);

    const annaConsole = await operatorAt(node(0), await login(node(0), anna.email));
    await operatorAt(node(k), await login(node(k), boris.email));
    const annaGot = new Receiver(annaConsole, () => null);
    for (const s of [annaConsole]) await until(async () => (await ok(call<FloorView>(s, 'floor:get', { siteId: site.id }))).operators.every((o) => o.status === 'online'), 10_000, 'both online');

    for (const [i, v] of visitors.entries()) await sendReliably(v.socket, { clientId: `before-${i}`, body: `before ${i}` });
    const active = await until(async () => {
      const open = (await w.store.listConversations([site.id], 0)).filter((c) => c.status === 'active');
      return open.length === 12 ? open : null;
    }, 15_000, 'all twelve assigned');
    const borisChats = active.filter((c) => c.assigneeId === boris.id).map((c) => c.id);
    expect(borisChats.length).toBeGreaterThan(0);

    try {
    // the machine under node k dies: no goodbye, no disconnects, its claims and its connections gone
    const dropped = visitors.map(() => false);
    visitors.forEach((v, i) => v.socket.once('disconnect', () => (dropped[i] = true)));
    await w.cluster.killNode(k);
    await until(() => dropped.filter(Boolean).length === held[k]!.visitors, 10_000, "the dead node's widgets notice");
    // everyone is back (on a live node) and goes on writing
    await until(() => visitors.every((v) => v.socket.connected), 30_000, 'every widget reconnected').catch(async (e: Error) => {
      const lost = visitors.flatMap((v, i) => (v.socket.connected ? [] : [`visitor ${i}: ${v.lastError || 'no error yet'}`]));
      throw new Error(`${e.message}\n${lost.join('\n')}\nbalancer: ${JSON.stringify(await w.cluster.balancerView().catch(String))}`);
    });
    for (const [i, v] of visitors.entries()) await sendReliably(v.socket, { clientId: `after-${i}`, body: `after ${i}` });
    await until(() => visitors.every((_, i) => [...annaGot.got.values()].some((m) => m.body === `after ${i}`)), 15_000, 'Anna sees every message written after the kill');

    // Boris went with his node: his chats move to Anna once — by his no-answer deadline or his grace period, whichever fell due first
    await until(async () => {
      const counts = await w.store.activeCounts([anna.id, boris.id]);
      return counts.get(anna.id) === 12 && !counts.get(boris.id);
    }, 40_000, "Boris's chats with Anna").catch(async (e: Error) => {
      const events = await Promise.all(borisChats.map((id) => w.store.routingEventsOf(id, 50)));
      const convs = (await w.store.listConversations([site.id], 0)).map((c) => [c.id.slice(0, 6), c.visitorId.slice(0, 6), c.status, c.assigneeId === boris.id ? 'B' : c.assigneeId === anna.id ? 'A' : c.assigneeId, c.lastSeq]);
      throw new Error(`${e.message}\n${JSON.stringify(convs)}\n${JSON.stringify(events.map((x) => x.map((y) => [y.kind, y.operatorId === boris.id ? 'B' : 'A', y.reason])))}\n${w.cluster.nodes.map((n) => n.output().slice(-3000)).join('\n----\n')}`);
    });
    for (const id of borisChats) {
      const events = await w.store.routingEventsOf(id, 50);
      const away = events.filter((e) => e.operatorId === boris.id && (e.kind === 'moved' || e.kind === 'requeued'));
      expect(away, `conversation ${id}: ${JSON.stringify(events.map((e) => e.kind))}`).toHaveLength(1);
      expect((await w.store.getConversation(id))!.assigneeId).toBe(anna.id);
    }
    // no acknowledged message lost or stored twice
    for (const c of active) {
      const bodies = (await w.store.messagesAfter(c.id, 0, 100)).filter((m) => m.sender === 'visitor').map((m) => m.body);
      const i = visitors.findIndex((v) => v.visitorId === c.visitorId);
      expect(bodies).toEqual([`before ${i}`, `after ${i}`]);
    }
    } finally {
      // the next tests want all three nodes, whatever happened here
      if (!w.cluster.nodes[k]!.child) await w.cluster.startNode(k);
      await w.cluster.balancerSees(k, true);
    }
  }, 150_000);
});

describe('Redis stops for 30 s', () => {
  it('no node falls over, a chat on one node goes on, and across nodes what was missed arrives when Redis is back', async () => {
    const { site, ops } = await newSite(w.store, {}, [{ name: 'Anna', capacity: 5 }]);
    const cookie = await login(node(0), ops[0]!.email);
    const anna = await operatorAt(node(0), cookie);
    const got = new Receiver(anna, () => null);
    const near = await visitorAt(node(0), site, { localAddress: '127.0.4.1' });
    const far = await visitorAt(node(1), site, { localAddress: '127.0.4.2' });
    const farGot = new Receiver(far.socket, () => ({}));
    await sendReliably(near.socket, { clientId: 'n1', body: 'near: before' });
    await sendReliably(far.socket, { clientId: 'f1', body: 'far: before' });
    await until(() => [...got.got.values()].filter((m) => m.body.endsWith(': before')).length === 2, 10_000, 'both chats reach Anna');
    const farConv = (await w.store.latestConversationOf(far.visitorId))!;

    await w.redis.stop();
    const stoppedAt = Date.now();
    // on one node nothing needs Redis
    const nearDuring = nextMessage(anna, (m) => m.body === 'near: during');
    await sendReliably(near.socket, { clientId: 'n2', body: 'near: during' });
    await nearDuring;
    // across nodes: stored and acknowledged now, delivered when Redis is back
    await sendReliably(far.socket, { clientId: 'f2', body: 'far: during' });
    const annaReply = await sendReliably<{ message: Message }>(anna, { conversationId: farConv.id, clientId: 'a1', body: 'Anna: during' });
    // every node keeps answering for the whole 30 s
    while (Date.now() - stoppedAt < 30_000) {
      for (const n of w.cluster.nodes) expect((await fetch(`${n.url}/health`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2000));
    }
    await w.redis.start();

    await until(() => [...got.got.values()].some((m) => m.body === 'far: during'), 15_000, "the far visitor's message reaches Anna after Redis is back");
    await until(() => farGot.got.has(annaReply.message.id), 15_000, "Anna's reply reaches the far visitor");
    // and live again across nodes: messages both ways, the board
    const after = nextMessage(anna, (m) => m.body === 'far: after', 15_000);
    await sendReliably(far.socket, { clientId: 'f3', body: 'far: after' });
    await after;
    await ok(call(anna, 'visitors:watch', { siteId: site.id, filter: '', offset: 0 }));
    const newcomer = await visitorAt(node(2), site, { localAddress: '127.0.4.3' });
    await next<VisitorsPage>(anna, 'visitors:page', (p) => p.visitors.some((x) => x.visitorId === newcomer.visitorId), 15_000);
    // nothing acknowledged was lost or stored twice
    const bodies = (await w.store.messagesAfter(farConv.id, 0, 100)).map((m) => m.body);
    expect(bodies).toEqual(['far: before', 'far: during', 'Anna: during', 'far: after']);
    for (const n of w.cluster.nodes) expect(n.child, `${n.name} is running`).not.toBeNull();
  }, 120_000);
});

describe('a rolling restart', () => {
  it('every node restarted in turn under chat traffic: nothing lost, nothing twice, every widget back', async () => {
    const { site, ops } = await newSite(w.store, { noAnswerSeconds: 600, graceSeconds: 60 }, [
      { name: 'Anna', capacity: 20 },
      { name: 'Boris', capacity: 20 },
      { name: 'Vera', capacity: 20 },
    ]);
    const consoles = await Promise.all(ops.map(async (o) => operatorAt(balancer(), await login(balancer(), o.email))));
    const visitors = await Promise.all(Array.from({ length: 30 }, (_, i) => visitorAt(balancer(), site, { localAddress: `127.0.5.${i + 1}` })));
    const seenByVisitor = visitors.map((v) => new Receiver(v.socket, () => ({})));
    for (const [i, v] of visitors.entries()) await sendReliably(v.socket, { clientId: `v${i}-0`, body: `v${i}:0` });
    const convOf = new Map<string, string>();
    await until(async () => {
      const open = (await w.store.listConversations([site.id], 0)).filter((c) => c.status === 'active');
      for (const c of open) convOf.set(c.visitorId, c.id);
      return open.length === 30;
    }, 20_000, 'all thirty assigned');

    // traffic: each visitor writes every 2.5 s (a visitor may send 30 a minute, counted cluster-wide), each
    // chat is answered every second (each sent again until acknowledged)
    let running = true;
    const acked = { visitor: 0, operator: 0 };
    const trafficFrom = performance.now();
    const loops = [
      ...visitors.map(async (v, i) => {
        for (let n = 1; running && n < 200; n++) {
          await sendReliably(v.socket, { clientId: `v${i}-${n}`, body: `v${i}:${n}` });
          acked.visitor++;
          await new Promise((r) => setTimeout(r, 2500));
        }
      }),
      ...visitors.map(async (v, i) => {
        const s = consoles[i % 3]!;
        for (let n = 0; running && n < 200; n++) {
          await sendReliably(s, { conversationId: convOf.get(v.visitorId)!, clientId: `o${i}-${n}`, body: `o${i}:${n}` });
          acked.operator++;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }),
    ];
    await new Promise((r) => setTimeout(r, 3000));
    for (let k = 0; k < w.cluster.nodes.length; k++) {
      expect(await w.cluster.stopNode(k)).toBe(0);
      await w.cluster.startNode(k);
      await w.cluster.balancerSees(k, true);
    }
    await new Promise((r) => setTimeout(r, 3000));
    running = false;
    await Promise.all(loops);
    // traffic went on through the restarts: at least half of what 30 visitors writing every 2.5 s
    // send in the time it took (a fixed count failed when the restarts themselves got faster)
    const ideal = 30 * ((performance.now() - trafficFrom) / 2500);
    expect(acked.visitor).toBeGreaterThan(ideal / 2);

    await until(() => visitors.every((v) => v.socket.connected) && consoles.every((c) => c.connected), 20_000, 'every widget and console connected');
    for (const [i, v] of visitors.entries()) {
      const stored = await w.store.messagesAfter(convOf.get(v.visitorId)!, 0, 1000);
      const mine = stored.filter((m) => m.sender === 'visitor').map((m) => m.body);
      // every acknowledged message once, in the order written
      expect(mine).toEqual(Array.from({ length: mine.length }, (_, n) => `v${i}:${n}`));
      const answers = stored.filter((m) => m.sender === 'operator');
      expect(answers.map((m) => m.body)).toEqual(Array.from({ length: answers.length }, (_, n) => `o${i}:${n}`));
      // the widget holds every answer (live, or fetched after its reconnect), each once
      await until(() => answers.every((m) => seenByVisitor[i]!.got.has(m.id)), 10_000, `visitor ${i} has every answer`);
    }
  }, 240_000);
});

describe('live state that spans nodes', () => {
  it('a visitor with tabs on two nodes closes one: the chat stays (the deadline asks every node); erased, they leave every node and board', async () => {
    const { site, ops } = await newSite(w.store, { visitorGoneSeconds: 30 }, [{ name: 'Anna', role: 'admin' }]);
    const anna = await operatorAt(node(1), await login(node(1), ops[0]!.email));
    const here = await visitorAt(node(0), site, { localAddress: '127.0.6.1' });
    await sendReliably(here.socket, { clientId: 'h1', body: 'two tabs' });
    const conv = (await w.store.latestConversationOf(here.visitorId))!;
    // the same visitor's second tab, on another node (their token: the same visitor)
    const other = await visitorAt(node(2), site, { localAddress: '127.0.6.2', token: here.token });
    expect(other.visitorId).toBe(here.visitorId);
    here.socket.disconnect();
    // node 1 stores "the visitor left" for 30 s from now; it falls due and is acted on (the row goes)
    await until(() => w.store.deadlines.get('visitor_left', here.visitorId), 10_000, 'the visitor-left deadline stored');
    await until(async () => !(await w.store.deadlines.get('visitor_left', here.visitorId)), 45_000, 'the visitor-left deadline acted on');
    expect((await w.store.getConversation(conv.id))!.status).toBe('active');

    // the board on node 2 shows them (their tab on node 3); erased through node 1, nothing of them is left on any node
    await ok(call(anna, 'visitors:watch', { siteId: site.id, filter: '', offset: 0 }));
    await next<VisitorsPage>(anna, 'visitors:page', (p) => p.visitors.some((x) => x.visitorId === here.visitorId && x.online), 10_000);
    const cookie = await login(node(0), ops[0]!.email);
    const res = await fetch(`${node(0)}/api/sites/${site.id}/visitors/${here.visitorId}`, { method: 'DELETE', headers: { cookie, origin: w.cluster.url } });
    expect(res.status).toBe(200);
    await until(() => !other.socket.connected, 10_000, "the erased visitor's tab on node 3 closed");
    await next<VisitorsPage>(anna, 'visitors:page', (p) => !p.visitors.some((x) => x.visitorId === here.visitorId), 10_000);
    const details = await ok(call<{ visitor: unknown }>(anna, 'visitor:journey', { visitorId: here.visitorId })).catch((e: Error) => e.message);
    expect(details).toMatch(/NOT_FOUND/);
  }, 90_000);

  it("a visitor's tabs on two nodes share one journey: one offer at a time, and the cooldown after a dismissal, hold on both", async () => {
    const { site, ops } = await newSite(w.store, {}, [{ name: 'Anna', role: 'admin' }]);
    const now = Date.now();
    await w.store.createRule(site.id, RuleInput.parse({ name: 'Sale coupon', priority: 70, kind: 'coupon', when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/sale' }, { fact: 'page.seconds', op: 'gte', value: 1 }] }, variants: [{ key: 'A', weight: 1, content: { title: { en: '10% off', ru: '10%' }, text: { en: 'Today', ru: 'Сегодня' }, code: 'SALE10' } }], controls: { expiresSeconds: 60 } }), now);
    const anna = await operatorAt(node(1), await login(node(1), ops[0]!.email));
    const a = await visitorAt(node(0), site, { localAddress: '127.0.7.1' });
    const b = await visitorAt(node(1), site, { localAddress: '127.0.7.2', token: a.token });
    expect(b.visitorId).toBe(a.visitorId);
    const shownToB: unknown[] = [];
    b.socket.on('offer:show', (o) => shownToB.push(o));
    const page = { type: 'page', url: 'http://shop.test/sale/beans', title: 'Sale', referrer: '', ago: 0 };
    const offer = next<{ id: string }>(a.socket, 'offer:show');
    await ok(call(a.socket, 'journey:batch', { events: [page] }));
    const shown = await offer;
    // the other tab reads the same page on node 2: held, because its other tab shows an offer
    await ok(call(b.socket, 'journey:batch', { events: [page] }));
    const heldFor = async (reason: string) => {
      const d = await ok(call<{ visitor: { held: { reason: string }[] } | null }>(anna, 'visitor:journey', { visitorId: a.visitorId }));
      return d.visitor?.held.some((h) => h.reason === reason);
    };
    await until(() => heldFor('showing_other'), 10_000, 'the second tab held: an offer is on screen in the first');
    expect(shownToB).toHaveLength(0);
    // dismissed in the first tab: the cooldown holds in the second
    const hidden = next(b.socket, 'offer:hide');
    await ok(call(a.socket, 'offer:dismiss', { offerId: shown.id }));
    await hidden;
    await until(() => heldFor('cooldown'), 10_000, 'the second tab held by the cooldown after the dismissal');
    expect(shownToB).toHaveLength(0);
  }, 60_000);

  it('a file sent through one node is served by the others (the files directory is shared)', async () => {
    const { site, ops } = await newSite(w.store, {}, [{ name: 'Anna' }]);
    const anna = await operatorAt(node(1), await login(node(1), ops[0]!.email));
    const v = await visitorAt(node(0), site, { localAddress: '127.0.8.1' });
    await sendReliably(v.socket, { clientId: 'f0', body: 'a photo follows' });
    const image = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#1f6feb' } }).png().toBuffer();
    const up = await fetch(`${node(0)}/api/widget/attachments?key=${site.key}`, { method: 'POST', headers: { origin: SHOP, authorization: `Bearer ${v.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'photo.png' }, body: new Uint8Array(image) });
    expect(up.status).toBe(201);
    const { attachment } = (await up.json()) as { attachment: { id: string } };
    const arrives = nextMessage(anna, (m) => m.attachment?.id === attachment.id);
    await sendReliably(v.socket, { clientId: 'f1', body: 'here', attachmentId: attachment.id });
    await arrives;
    for (const i of [1, 2]) {
      const served = await fetch(`${node(i)}/files/${attachment.id}`);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    }
  }, 60_000);
});

