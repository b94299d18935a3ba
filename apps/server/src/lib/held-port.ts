/**
 * Listening before loading. A deploy stops the old process and starts a new one on the same
 * port; Beckon takes one to three seconds to load its modules, open the store and build its
 * routes. Every widget of the site reconnects in that time, and a connection refused is retried
 * only after Socket.IO's back-off (1 s, then 2, 4, 8 s with ±50 %): a few seconds of refusals
 * left the last widgets out for ten more seconds (bench/run.ts, "all back after a restart").
 *
 * So the entry point takes the port first, with nothing but `node:net` loaded, and holds the
 * connections that come while the rest loads: accepted, not read (`pauseOnConnect`). When the
 * app is ready it takes over the same listening socket (no moment without a listener) and the
 * held connections are handed to it as if they had just arrived. A widget sees a slow connect,
 * not a refusal, and is served as soon as the server can.
 *
 * Only this file and node's own modules are loaded before `holdPort` listens.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';

/** what takes the port over: a Fastify instance (its `listen` passes options on to node's) */
export interface Listener {
  listen(opts: { host: string; port: number; backlog?: number }): Promise<string>;
  server: HttpServer;
}

export interface HeldPort {
  readonly host: string;
  readonly port: number;
  /** connections accepted and waiting for the app */
  readonly waiting: number;
  /** the app listens on the held socket; the waiting connections are handed to it */
  adopt(app: Listener): Promise<void>;
  /** start-up failed: the port and the waiting connections are let go */
  release(): void;
}

/** the kernel's queue for connections not yet accepted (capped by net.core.somaxconn) */
const BACKLOG = 4096;

/**
 * Listens on host:port now. At most `max` connections are held; more are closed at once (their
 * clients retry as they would after a refusal).
 */
export async function holdPort(host: string, port: number, max = 20_000): Promise<HeldPort> {
  const server: Server = createServer({ pauseOnConnect: true });
  const waiting = new Set<Socket>();
  // a socket that errors while held (reset by its client) is forgotten; it was not read, so nothing is lost
  const failed = function (this: Socket) {
    waiting.delete(this);
    this.destroy();
  };
  const hold = (s: Socket) => {
    if (waiting.size >= max) return void s.destroy();
    waiting.add(s);
    s.once('error', failed);
  };
  server.on('connection', hold);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as { port: number }).port;
  return {
    host,
    port: bound,
    get waiting() {
      return waiting.size;
    },
    async adopt(app) {
      // node's listen(handle): the app's server takes the listening socket as it is (node/net.js
      // `options._handle`); the port is never closed in between, so nothing is refused
      const handle = (server as unknown as { _handle: unknown })._handle;
      if (!handle) throw new Error('the held port was already let go');
      server.off('connection', hold);
      await app.listen({ host, port: bound, backlog: BACKLOG, _handle: handle } as { host: string; port: number; backlog: number });
      // the held server no longer owns it: closing it must not close the app's port
      (server as unknown as { _handle: unknown })._handle = null;
      for (const s of waiting) {
        s.off('error', failed);
        app.server.emit('connection', s);
        s.resume();
      }
      waiting.clear();
    },
    release() {
      server.off('connection', hold);
      if ((server as unknown as { _handle: unknown })._handle) server.close();
      for (const s of waiting) s.destroy();
      waiting.clear();
    },
  };
}
