/**
 * Client load, in a process of its own: `count` widgets on loopback, spread over many
 * 127.x.y.z addresses (as visitors come from many addresses), each reporting a page view
 * every ~5 s and dismissing some of the offers it is shown. Bounded in count and time; prints
 * one JSON line of results at the end.
 *
 *   tsx load/visitors.ts <url> <count> <seconds> <addressBlock>
 */
import { io, type Socket } from 'socket.io-client';

const [url = '', countArg = '100', secondsArg = '20', blockArg = '1'] = process.argv.slice(2);
const count = Math.min(Number(countArg), 20_000);
const seconds = Math.min(Number(secondsArg), 900);
const block = Number(blockArg);
const PAGES = ['/', '/coffee/ethiopia', '/sale', '/grinders.html', '/checkout', '/coffee/kenya'];
const lat: number[] = [];
let connected = 0;
let reconnects = 0;
let refused = 0;
const refusedBy: Record<string, number> = {};
let offers = 0;
let acked = 0;
let failed = 0;
const sockets: Socket[] = [];
const t0 = performance.now();
let allConnectedMs = 0;
let measuring = false;

function widget(i: number): Socket {
  const s = io(`${url}/visitor`, {
    transports: ['websocket'],
    auth: { siteKey: 'bench-site-key-0001', token: null, lang: 'en' },
    extraHeaders: { origin: 'http://shop.test' },
    localAddress: `127.${block}.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
    reconnectionDelayMax: 10_000,
    forceNew: true,
  } as Parameters<typeof io>[1]);
  let page = i % PAGES.length;
  let first = true;
  s.on('session:ready', (r: { token?: string }) => {
    if (r.token) (s.auth as { token: string | null }).token = r.token;
    if (first) {
      first = false;
      connected++;
      if (connected === count) allConnectedMs = performance.now() - t0;
    } else {
      reconnects++;
      if (reconnects % 1000 === 0 || reconnects === count) console.error(`reconnected ${reconnects} at ${((performance.now() - restartAt) / 1000).toFixed(1)} s after the restart began; refused so far ${JSON.stringify(refusedBy)}`);
      if (reconnects === count) console.log(JSON.stringify({ event: 'reconnected', ms: performance.now() - restartAt }));
    }
  });
  s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    refused++;
    const code = err.data?.code ?? err.message;
    refusedBy[code] = (refusedBy[code] ?? 0) + 1;
    // as the widget does: a refusal by the server's middleware (busy, rate limited) is not retried by Socket.IO itself
    if (!s.active) setTimeout(() => s.connect(), 1000 + Math.random() * 4000);
  });
  s.on('offer:show', (o: { id: string }) => {
    offers++;
    if (Math.random() < 0.3) setTimeout(() => s.emit('offer:dismiss', { offerId: o.id }, () => {}), 1000);
  });
  const tick = () => {
    if (!s.connected) return;
    page = (page + 1) % PAGES.length;
    const t = performance.now();
    s.timeout(10_000).emit('journey:batch', { events: [{ type: 'page', url: `http://shop.test${PAGES[page]}`, title: 'Shop', referrer: '', ago: 0 }] }, (err: Error | null) => {
      if (err) return void (measuring && failed++);
      acked++;
      if (measuring) lat.push(performance.now() - t);
    });
  };
  setTimeout(() => setInterval(tick, 5000), Math.random() * 5000);
  return s;
}

let restartAt = 0;
process.stdin.on('data', (d) => {
  const cmd = d.toString().trim();
  if (cmd === 'measure') measuring = true;
  if (cmd === 'restart') {
    measuring = false;
    restartAt = performance.now();
    reconnects = 0;
  }
  if (cmd === 'stop') finish();
});

function finish(): never {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : null);
  console.log(JSON.stringify({ event: 'done', connected, acked, failed, offers, samples: s.length, p50: q(0.5), p99: q(0.99) }));
  for (const x of sockets) x.disconnect();
  process.exit(0);
}

// open them 100 at a time, up to 2,000 a second per load process (10,000 at once in one instant is
// a retry storm for any server on 2 cores, bare Socket.IO included: timeouts, then retries on top)
for (let i = 0; i < count; i += 100) {
  for (let j = i; j < Math.min(count, i + 100); j++) sockets.push(widget(j));
  await new Promise((r) => setTimeout(r, 50));
}
const deadline = Date.now() + seconds * 1000;
while (connected < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
console.log(JSON.stringify({ event: 'connected', connected, ms: allConnectedMs || performance.now() - t0, refused, refusedBy }));
while (Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
finish();
