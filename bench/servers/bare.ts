/**
 * The baseline: a bare Socket.IO server holding the same sockets with the same options, that
 * joins each to two rooms and acknowledges what the widget sends. Prints `READY <port>`.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { answerHeapAfterGc } from '../lib/proc';

const [, portArg = '0'] = process.argv.slice(2);
const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 64 * 1024, cors: { origin: true }, serveClient: false, pingInterval: 20_000, pingTimeout: 20_000 });
let n = 0;
io.of('/visitor').on('connection', (s) => {
  const id = `v${n++}`;
  void s.join([`visitor:${id}`, 'site:bench']);
  s.emit('session:ready', { visitorId: id });
  s.on('journey:batch', (p: { events?: unknown[] }, ack?: (r: unknown) => void) => ack?.({ ok: true, data: { received: p?.events?.length ?? 0 } }));
  s.on('offer:dismiss', (_p: unknown, ack?: (r: unknown) => void) => ack?.({ ok: true, data: {} }));
});
http.listen(Number(portArg), '127.0.0.1', () => console.log(`READY ${(http.address() as { port: number }).port}`));
answerHeapAfterGc();
process.on('SIGTERM', () => io.close(() => process.exit(0)));
