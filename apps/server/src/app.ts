/**
 * buildApp(): Fastify + Socket.IO on one server, wired but not listening.
 *
 *   const { app } = await buildApp({ dbFile: 'data/beckon.db' });
 *   await app.listen({ port: 0 });
 */
import { background } from './lib/background';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { LIMITS } from '@beckon/protocol';
import { openPgStore, openSqliteStore, type Store } from '@beckon/db';
import { ChatService } from './chat/chat-service';
import { EngageService } from './engage/engage-service';
import { engageRoutes } from './http/engage-routes';
import { toolsRoutes } from './http/tools-routes';
import { Presence } from './chat/presence';
import { rooms, type OperatorNamespace, type VisitorNamespace } from './chat/types';
import { authRoutes, resolveAccounts } from './http/auth-routes';
import { registerErrorHandler } from './http/errors';
import { Sessions } from './http/sessions';
import { siteRoutes } from './http/site-routes';
import { staticRoutes } from './http/static-routes';
import { ensureSecret } from './bootstrap';
import { hardening } from './http/hardening';
import { setupOperatorNamespace } from './realtime/operator-namespace';
import { setupVisitorNamespace } from './realtime/visitor-namespace';
import { connectError } from './realtime/connect-error';
import { Abuse, ABUSE_LIMITS, type AbuseLimits } from './realtime/abuse';
import { clockFrom, isFakeClock, realClock, type Clock, type Timer } from './lib/clock';
import { Scheduler } from './lib/scheduler';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { apiV1 } from './http/api-v1';
import { integrationRoutes } from './http/integration-routes';
import { Webhooks, type WebhookOptions } from './integrations/webhooks';
import { Mailer, type MailOptions, type SmtpConfig } from './quality/mailer';
import { QualityService } from './quality/quality-service';
import { qualityRoutes } from './http/quality-routes';
import { DiskBlobs } from './files/blobs';
import { fileRoutes } from './files/file-routes';
import { PushService, type PushOptions } from './push/push-service';
import { pushRoutes } from './push/push-routes';
import { setupRoutes } from './http/setup-routes';
import { connectRedis, Link } from './cluster/link';
import { memoryLimiters, redisLimiters } from './lib/limits';
import { tuneHeap } from './process-env';

export interface BuildOptions {
  /** an open store; otherwise PostgreSQL at `databaseUrl`, or the SQLite `dbFile`, is opened (and closed with the app) */
  store?: Store;
  /** postgres://… (BECKON_DATABASE_URL): the cluster store instead of the embedded SQLite file */
  databaseUrl?: string;
  /** redis://… (BECKON_REDIS_URL): several nodes behind a balancer share sockets' rooms and live state through it */
  redisUrl?: string;
  /** this node's name among the others (BECKON_NODE_ID; default: random) */
  nodeId?: string;
  dbFile?: string;
  durability?: 'normal' | 'full';
  now?: () => number;
  /** time and timers (a fake clock in tests); otherwise the real one, or `now` with real timers */
  clock?: Clock;
  logger?: boolean | { level: string };
  /** where the console is served; its origin may open /operator */
  publicUrl?: string;
  secureCookies?: boolean;
  widgetDir?: string;
  consoleDir?: string;
  /** how often idle conversations are looked for; 0 turns the sweep off */
  idleSweepMs?: number;
  /** log every HTTP request (BECKON_LOG_REQUESTS=1) */
  logRequests?: boolean;
  /** behind a reverse proxy: take the client address from X-Forwarded-For (BECKON_TRUST_PROXY=1) */
  trustProxy?: boolean;
  /** per-socket event rate (default LIMITS: 10/s, bursts of 30) */
  eventRate?: { perSecond: number; burst: number };
  /** per operator socket (default 50/s, bursts of 200) */
  operatorEventRate?: { perSecond: number; burst: number };
  /** visitor handshakes per IP per minute */
  connectionsPerMinute?: number;
  /** per visitor and per address (realtime/abuse.ts) */
  abuseLimits?: Partial<AbuseLimits>;
  /** outgoing webhooks: private addresses allowed (BECKON_WEBHOOKS_ALLOW_PRIVATE=1), retry timing */
  webhooks?: WebhookOptions;
  /** where files sent in chats are kept (default: \`files\` beside the database file, or a temporary directory) */
  filesDir?: string;
  /** web push (BECKON_PUSH_SUBJECT) */
  push?: PushOptions;
  /** file uploads per uploader per ten minutes (default 30) */
  uploadsPerTenMinutes?: number;
  /** REST API calls per token per minute (default 600) */
  apiPerMinute?: number;
  /** outgoing email (BECKON_SMTP_*); none: nothing offers or promises email */
  smtp?: SmtpConfig | null;
  mail?: MailOptions;
}

export interface Beckon {
  app: FastifyInstance;
  io: Server;
  store: Store;
  chat: ChatService;
  engage: EngageService;
  scheduler: Scheduler;
  clock: Clock;
  presence: Presence;
  webhooks: Webhooks;
  mailer: Mailer;
  quality: QualityService;
  push: PushService;
  counters: { rejected: number; rateLimited: number };
  /** every HTTP route registered (the tenant test walks them all) */
  routes: { method: string; url: string }[];
  /** run the retention sweep now (it runs hourly by itself) */
  applyRetention(): Promise<void>;
}


const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export async function buildApp(opts: BuildOptions = {}): Promise<Beckon> {
  tuneHeap();
  const clock = opts.clock ?? (opts.now ? clockFrom(opts.now) : realClock);
  const now = clock.now;
  const ownStore = !opts.store;
  const store = opts.store ?? (opts.databaseUrl ? await openPgStore({ url: opts.databaseUrl }) : openSqliteStore({ file: opts.dbFile ?? ':memory:', durability: opts.durability ?? 'normal' }));
  const app = Fastify({ logger: opts.logger ?? false, logController: new LogController({ disableRequestLogging: !opts.logRequests }), bodyLimit: LIMITS.httpBodyBytes, trustProxy: opts.trustProxy ?? false, return503OnClosing: true });
  const counters = { rejected: 0, rateLimited: 0 };
  const routes: { method: string; url: string }[] = [];
  /** caches of site settings (the handshake's) are told when any site changes */
  const sitesChanged: (() => void)[] = [];
  const siteChanged = () => sitesChanged.forEach((fn) => fn());
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });

  // several nodes: room broadcasts and the nodes' own messages go through Redis (cluster/link.ts)
  const redis = opts.redisUrl ? await connectRedis(opts.redisUrl, app.log) : null;
  const io = new Server(app.server, {
    ...(redis ? { adapter: redis.adapter } : {}),
    maxHttpBufferSize: LIMITS.frameBytes,
    // The widget runs on other sites; /visitor checks each site's own origins in its middleware.
    cors: { origin: true, credentials: false },
    serveClient: false,
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });
  // only our two namespaces exist: the default one refuses everyone
  io.of('/').use((_socket, next) => next(connectError('NOT_FOUND', 'Connect to /visitor or /operator.')));
  const visitors = io.of('/visitor') as unknown as VisitorNamespace;
  const operators = io.of('/operator') as unknown as OperatorNamespace;
  const link = new Link(redis, opts.nodeId);
  link.attach(io);
  const presence = new Presence(link);
  const scheduler = new Scheduler(store.deadlines, clock, app.log);
  // rate limits count in Redis when nodes share it: one allowance whichever node a request reaches
  const limiters = redis ? redisLimiters(redis.client) : memoryLimiters;
  const abuse = new Abuse({ ...ABUSE_LIMITS, ...opts.abuseLimits }, limiters);
  const mailer = new Mailer(store.quality, clock, app.log, opts.smtp ?? null, opts.mail);
  const chat = new ChatService({ store, presence, visitors, operators, log: app.log, now, scheduler, abuse, emailEnabled: mailer.enabled, link });
  const engage = new EngageService({ store, chat, presence, visitors, operators, log: app.log, now, scheduler, clock, link });
  chat.hooks.conversation = (c) => engage.conversationChanged(c);
  chat.hooks.capacity = (siteId) => engage.capacityChanged(siteId);
  chat.hooks.priorityOf = (siteId, visitorId) => engage.priorityOf(siteId, visitorId);
  chat.hooks.visitorLeftAt = (visitorId) => engage.leftAt(visitorId);
  const webhooks = new Webhooks(store.integrations, clock, app.log, opts.webhooks);
  const quality = new QualityService({ store, chat, operators, mailer, now, log: app.log, publicUrl: (opts.publicUrl ?? '').replace(/\/+$/, ''), limiters });
  const push = new PushService({ store, now, log: app.log, scheduler, publicUrl: opts.publicUrl ?? '' }, opts.push);
  await push.start();
  // what push notifications and inbox alerts act on; other events go to webhooks only when an endpoint wants them
  const served = new Set<string>(['conversation.started', 'conversation.assigned', 'message.visitor', 'lead.created', 'callback.requested', 'offline_message.created']);
  chat.hooks.wants = (siteId, type) => served.has(type) || webhooks.listens(siteId, type);
  chat.hooks.event = (siteId, type, data, o) => {
    webhooks.emit(siteId, type, data, o);
    push.event(siteId, type, data);
    // new inbox items alert the site's notification addresses
    if (type === 'lead.created' || type === 'callback.requested' || type === 'offline_message.created') background(quality.inboxAlert({ ...(data.item as Parameters<QualityService['inboxAlert']>[0]), siteId }), app.log, 'inbox alert');
  };
  const sessions = new Sessions(store, now, opts.secureCookies ?? false);
  const secret = await ensureSecret(store);
  const filesDir = opts.filesDir ?? (opts.dbFile && opts.dbFile !== ':memory:' ? join(dirname(opts.dbFile), 'files') : mkdtempSync(join(tmpdir(), 'beckon-files-')));
  const ownFilesDir = !opts.filesDir && !(opts.dbFile && opts.dbFile !== ':memory:');
  const blobs = new DiskBlobs(filesDir);
  const guard = { log: app.log, now, counters, eventRate: opts.eventRate ?? { perSecond: LIMITS.socketEventsPerSecond, burst: LIMITS.socketEventBurst } };

  setupVisitorNamespace(visitors, { ...guard, store, chat, engage, quality, secret, connectionsPerMinute: opts.connectionsPerMinute ?? 600, abuse, trustProxy: opts.trustProxy ?? false, limiters, onSitesChanged: (fn) => sitesChanged.push(fn) });
  const consoleOrigins = opts.publicUrl ? [new URL(opts.publicUrl).origin] : [];
  // a console opens several chats at once, each with its history, notes, journey and routing: a signed-in
  // operator gets more room than the public endpoint (still bounded)
  setupOperatorNamespace(operators, { ...guard, eventRate: opts.operatorEventRate ?? { perSecond: 50, burst: 200 }, store, chat, engage, presence, sessions, consoleOrigins });

  registerErrorHandler(app, counters);
  await hardening(app, { consoleOrigins, https: (opts.publicUrl ?? '').startsWith('https:') || !!opts.secureCookies });
  await app.register(cookie);
  // the REST API's reference, generated from the zod schemas of its routes (only /api/v1 is tagged)
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Beckon REST API', version: '1.0.0', description: 'For integrations: authenticate with a site API token (Settings → Integrations) as `Authorization: Bearer bk_…`. Errors are `{ error: { code, message } }` with a stable code. Lists are newest first; pass `next` back as `cursor`.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A site API token, bk_…' } } },
    },
    hideUntagged: true,
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  await app.register(apiV1({ store, chat, engage, quality, now, perMinute: opts.apiPerMinute, limiters }));
  await app.register(qualityRoutes({ store, quality, mailer, now }));
  await app.register(integrationRoutes({ store, webhooks, now }));
  resolveAccounts(app, sessions);
  // a password change ends every session: open consoles reconnect, and only those with the new cookie get back in
  await app.register(authRoutes({ store, sessions, now, limiters, revoke: (id) => operators.in(rooms.account(id)).disconnectSockets(true) }));
  // a site changed on another node: its caches here are read again
  link.on('site', (_from, m) => {
    siteChanged();
    chat.siteChangedElsewhere(m.siteId);
    if (m.kind === 'deleted') engage.forgetSite(m.siteId);
  });
  await app.register(siteRoutes({ store, chat, presence, operators, now, onSiteChanged: (id) => {
        siteChanged();
        link.send('site', { siteId: id, kind: 'changed' });
        background(engage.reload(id), app.log, 'rules reload');
      },
      onSiteDeleted: (id) => {
        siteChanged();
        link.send('site', { siteId: id, kind: 'deleted' });
        engage.forgetSite(id);
      }, onVisitorErased: (id) => {
        engage.forgetVisitor(id);
        // the visitor's files go from the disk too
        background(sweepFiles(), app.log, 'file sweep');
      } }));
  await app.register(engageRoutes({ store, engage, quality, now }));
  await app.register(toolsRoutes({ store, now }));
  await app.register(pushRoutes({ store, push, now }));
  await app.register(setupRoutes({ store, chat, now, limiters }));
  await app.register(fileRoutes({ store, blobs, secret, now, uploadsPerTenMinutes: opts.uploadsPerTenMinutes, limiters }));
  // the public (a load balancer) learns whether to send traffic; counts are for signed-in staff only
  app.get('/health', async (req) => {
    const status = store.healthy() ? 'ok' : 'degraded';
    if (!req.account) return { status };
    return { status, uptime: Math.round(process.uptime()), visitors: visitors.sockets.size, operators: operators.sockets.size, rejected: counters.rejected, rateLimited: counters.rateLimited, ...(link.clustered ? { node: link.nodeId, peers: link.peerCount() } : {}) };
  });
  await app.register(
    staticRoutes({
      widgetDir: opts.widgetDir ?? here('../../../packages/widget/dist'),
      consoleDir: opts.consoleDir ?? here('../../console/dist'),
    }),
  );

  /** each site keeps each kind of data as long as its retention settings say (Settings → Privacy) */
  async function applyRetention(): Promise<void> {
    // delivery logs and sent emails 30 days, the token audit log 90 days
    await store.integrations.pruneIntegrations({ deliveries: now() - 30 * 86_400_000, audit: now() - 90 * 86_400_000 });
    await store.quality.pruneEmails(now() - 30 * 86_400_000);
    for (const site of await store.listSites()) {
      const gone = await store.applyRetention(site.id, site.retention, now());
      if (Object.values(gone).some((n) => n > 0)) app.log.info({ site: site.id, ...gone }, 'retention: old data deleted');
    }
    await sweepFiles();
  }
  /** uploads never sent are kept a day; files no message (or upload) refers to any more leave the disk */
  async function sweepFiles(): Promise<void> {
    await store.files.dropUnsent(now() - 86_400_000);
    const gone = await blobs.sweep(await store.files.blobsInUse());
    if (gone) app.log.info({ files: gone }, 'files: unreferenced files deleted');
  }
  const sweepEvery = opts.idleSweepMs ?? 60_000;
  // each site's retention (journey 180 days by default; conversations, visitors and inbox kept until the site says otherwise)
  let lastPrune = 0;
  // idle close: the due time is stored (a conversation's last message + the site's idle minutes),
  // so a sweep on the clock finds every one that fell due, also those of before a restart, and
  // closes each once (a conditional update)
  let sweeper: Timer | null = null;
  const sweep = () => {
    sweeper = clock.setTimer(() => {
      engage.sweep();
      if (now() - lastPrune > 3_600_000) {
        lastPrune = now();
        background(applyRetention(), app.log, 'retention sweep');
      }
      background(chat.sweepIdle(), app.log, 'idle sweep');
      sweep();
    }, sweepEvery);
  };
  if (sweepEvery > 0) sweep();

  // on several nodes: who is online elsewhere is heard first (deadlines check presence)
  link.start();
  await link.listened(1500);
  // deadlines that fell due while no process ran are acted on now; chats of operators who were
  // online before the restart get a grace period to come back
  await chat.router.recover();
  await engage.recover();
  await scheduler.start();
  // deliveries and emails queued before a restart go out now
  await webhooks.start();
  await mailer.start();

  app.addHook('preClose', async () => {
    sweeper?.cancel();
    sweeper = null;
    scheduler.stop();
    webhooks.stop();
    mailer.stop();
    engage.stop();
    // the other nodes forget this one's operators and visitors now rather than when its beats stop
    link.stop();
    // close the transports rather than send "disconnect": every widget and console then comes
    // back through Socket.IO's own reconnection (backoff with jitter), like after a network drop
    io.engine.close();
    // the HTTP server waits for every connection to end: idle keep-alive ones go now, and one a
    // client still holds two seconds from now (requests in flight have had their time) is cut
    app.server.closeIdleConnections();
    setTimeout(() => app.server.closeAllConnections(), 2000).unref();
  });
  // a fake clock (tests) lets the work a timer set off finish before time moves on
  const unsettle = isFakeClock(clock)
    ? clock.settleWith(async () => {
        await scheduler.idle();
        await chat.idle();
        await engage.quiet();
        await webhooks.idle();
        await mailer.idle();
      })
    : () => undefined;
  app.addHook('onClose', async () => {
    unsettle();
    await new Promise<void>((res) => io.close(() => res()));
    await redis?.close();
    await scheduler.idle();
    await chat.idle();
    await engage.quiet();
    await webhooks.idle();
    webhooks.close();
    await mailer.idle();
    mailer.close();
    if (ownStore) await store.close();
    if (ownFilesDir) rmSync(filesDir, { recursive: true, force: true });
  });

  return { app, io, store, chat, engage, scheduler, clock, presence, webhooks, mailer, quality, push, counters, routes, applyRetention };
}
