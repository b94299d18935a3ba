/**
 * The chat baseline: a bare Socket.IO relay with the same options. A visitor's message is
 * acknowledged and forwarded to every operator socket; an operator's to its visitor and every
 * operator socket, as Beckon forwards both; nothing is validated or stored.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 64 * 1024, cors: { origin: true }, serveClient: false, pingInterval: 20_000, pingTimeout: 20_000 });
let seq = 0;
io.of('/relay-operator').on('connection', (s) => {
  void s.join('operators');
  s.on('message:send', (p: { conversationId: string; clientId: string; body: string }, ack?: (r: unknown) => void) => {
    const m = { id: `m${seq}`, conversationId: p.conversationId, seq: ++seq, clientId: p.clientId, sender: 'operator', authorName: 'Op', body: p.body, createdAt: Date.now() };
    // a visitor socket's id is a room of its own: the conversation id here
    io.of('/relay-visitor').to(p.conversationId).emit('message:new', m);
    io.of('/relay-operator').to('operators').emit('message:new', m);
    ack?.({ ok: true, data: { message: m } });
  });
});
io.of('/relay-visitor').on('connection', (s) => {
  s.on('message:send', (p: { clientId: string; body: string }, ack?: (r: unknown) => void) => {
    const m = { id: `m${seq}`, conversationId: s.id, seq: ++seq, clientId: p.clientId, sender: 'visitor', authorName: null, body: p.body, createdAt: Date.now() };
    io.of('/relay-operator').to('operators').emit('message:new', m);
    ack?.({ ok: true, data: { message: m } });
  });
});
http.listen(0, '127.0.0.1', () => console.log(`READY ${(http.address() as { port: number }).port}`));
process.on('SIGTERM', () => io.close(() => process.exit(0)));
