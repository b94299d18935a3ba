/**
 * Chat load, in a process of its own: `count` visitors each in a conversation, sending one
 * message a second; one operator console receives every visitor message; the operators answer
 * each conversation once a second, the conversations' answers spread over the second as the
 * visitors' messages are. Latency is visitor→operator, send to arrival, on one clock (both
 * ends are in this process). Counts lost, duplicated and out-of-order messages. Bounded in
 * count and time; prints one JSON line.
 *
 *   tsx load/chats.ts <url> <count> <seconds> <mode: beckon|bare> [cookie]
 */
import { io, type Socket } from 'socket.io-client';

const [url = '', countArg = '50', secondsArg = '20', mode = 'beckon', cookie = ''] = process.argv.slice(2);
const count = Math.min(Number(countArg), 2000);
const seconds = Math.min(Number(secondsArg), 600);
const WARM_MS = 5000;
const t0 = performance.now();
const lat: number[] = [];
const sent = new Map<string, number>();
const lastSeen = new Map<string, number>();
let received = 0;
let duplicated = 0;
let reordered = 0;
let failed = 0;

// operators: the first counts what arrives (every operator of the site sees every message); each answers the chats it has.
// The relay holds as many operator consoles as Beckon (8): each gets every message, as each Beckon console does
const OPERATORS = 8;
const cookies = cookie ? cookie.split('|') : Array.from({ length: OPERATORS }, () => '');
const ops: Socket[] = cookies.map((c) => io(`${url}/${mode === 'bare' ? 'relay-operator' : 'operator'}`, { transports: ['websocket'], extraHeaders: c ? { cookie: c } : {}, forceNew: true }));
const op = ops[0]!;
const mine = new Map<Socket, Set<string>>(ops.map((o) => [o, new Set<string>()]));
const myId = new Map<Socket, string>();
for (const o of ops) o.on('conversation:upsert', (c: { id: string; assigneeId: string | null; status: string }) => (c.status === 'active' && c.assigneeId && c.assigneeId === myId.get(o) ? mine.get(o)!.add(c.id) : mine.get(o)!.delete(c.id)));
const seen = new Set<string>();
type Arrived = { body: string; conversationId?: string; sender?: string };
// the relay forwards each message in a frame of its own; Beckon's consoles get a turn's messages in one
op.on('message:new', (m: Arrived) => arrived(m));
op.on('messages:new', (ms: Arrived[]) => ms.forEach(arrived));
function arrived(m: Arrived) {
  if (m.sender && m.sender !== 'visitor') return;
  const [v, n] = m.body.split(':');
  if (!v || n === undefined) return;
  const key = m.body;
  if (seen.has(key)) return void duplicated++;
  seen.add(key);
  const i = Number(n);
  if ((lastSeen.get(v) ?? -1) > i) reordered++;
  lastSeen.set(v, i);
  received++;
  const at = sent.get(key);
  if (at !== undefined && performance.now() - t0 > WARM_MS) lat.push(performance.now() - at);
}
await Promise.all(
  ops.map(
    (o) =>
      new Promise<void>((res, rej) => {
        o.once('connect', () => res());
        o.once('connect_error', rej);
      }),
  ),
);
// who each operator is (the ack of a status change carries nothing of it; the first list does)
if (mode !== 'bare')
  await Promise.all(
    ops.map(async (o, i) => {
      const me = (await fetch(`${url}/api/auth/me`, { headers: { cookie: cookies[i]! } }).then((r) => r.json())) as { account: { id: string } };
      myId.set(o, me.account.id);
    }),
  );

const visitors: { s: Socket; id: string; n: number; conversationId: string | null }[] = [];
for (let i = 0; i < count; i++) {
  const s = io(`${url}/${mode === 'bare' ? 'relay-visitor' : 'visitor'}`, { transports: ['websocket'], auth: { siteKey: 'bench-site-key-0001' }, extraHeaders: { origin: 'http://shop.test' }, localAddress: `127.9.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`, forceNew: true } as Parameters<typeof io>[1]);
  visitors.push({ s, id: `v${i}`, n: 0, conversationId: null });
}
await Promise.all(visitors.map((v) => new Promise<void>((res) => (mode === 'bare' ? v.s.once('connect', () => res()) : v.s.once('session:ready', () => res())))));
const deadline = Date.now() + seconds * 1000;
const send = (v: (typeof visitors)[number]) => {
  const body = `${v.id}:${v.n++}`;
  sent.set(body, performance.now());
  v.s.timeout(10_000).emit('message:send', { clientId: body, body }, (err: Error | null, r?: { ok: boolean; data?: { message?: { conversationId: string } } }) => {
    if (err || !r?.ok) return void failed++;
    v.conversationId ??= r.data?.message?.conversationId ?? null;
  });
};
// each visitor once a second, spread over the second
const timers = visitors.map((v, i) =>
  setTimeout(() => {
    const t = setInterval(() => (Date.now() < deadline ? send(v) : clearInterval(t)), 1000);
    send(v);
  }, (i * 1000) / count),
);
// the answers too are spread over the second: each conversation has its own slot of SLOTS
const SLOTS = 20;
const slotOf = new Map<string, number>();
const slot = (id: string) => {
  let n = slotOf.get(id);
  if (n === undefined) slotOf.set(id, (n = slotOf.size % SLOTS));
  return n;
};
let answers = 0;
let tick = 0;
const answer = setInterval(() => {
  if (Date.now() >= deadline) return;
  const now = tick++ % SLOTS;
  if (mode === 'bare') {
    // each conversation has one of the operators, as Beckon's routing gives each operator its share
    visitors.forEach((v, i) => {
      if (v.conversationId && slot(v.conversationId) === now) ops[i % ops.length]!.emit('message:send', { conversationId: v.conversationId, clientId: `a${answers++}`, body: `answer ${answers}` }, () => {});
    });
  } else for (const o of ops) for (const id of mine.get(o)!) if (slot(id) === now) o.emit('message:send', { conversationId: id, clientId: `a${answers++}`, body: `answer ${answers}` }, () => {});
}, 1000 / SLOTS);
while (Date.now() < deadline + 3000) await new Promise((r) => setTimeout(r, 200));
clearInterval(answer);
timers.forEach(clearTimeout);
const s = [...lat].sort((a, b) => a - b);
const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : null);
const total = [...sent.keys()].length;
console.log(JSON.stringify({ event: 'done', sent: total, received, lost: total - received - failed, failed, duplicated, reordered, answers, p50: q(0.5), p99: q(0.99) }));
for (const v of visitors) v.s.disconnect();
for (const o of ops) o.disconnect();
process.exit(0);
