/**
 * Outgoing webhooks (DESIGN.md "Email, integrations"): each event a site's endpoints subscribe
 * to becomes a stored delivery (so one queued before a restart is sent after it), sent signed,
 * retried with exponential backoff and jitter for a day, in order per conversation (a stream is
 * endpoint + conversation, else endpoint + visitor: a delivery waits while an older one of its
 * stream is pending), and logged (status, time, attempts) for the console.
 *
 *   Beckon-Signature: t=1764633600,v1=<hex HMAC-SHA256(secret, `${t}.${body}`)>
 *
 * A delivery is sent at least once: receivers drop repeats by `Beckon-Delivery` (or the
 * event's `id`, which a redelivery keeps).
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { WebhookEvent, WebhookPayload } from '@beckon/protocol';
import { newId, type DeliveryRow, type IntegrationStore, type WebhookEndpointRow } from '@beckon/db';
import { background } from '../lib/background';
import type { Clock, Timer } from '../lib/clock';
import { Rounds } from '../lib/rounds';
import { checkWebhookUrl, guardedLookup, isPrivateAddress } from './addresses';

export interface WebhookOptions {
  /** deliveries may go to private and loopback addresses (BECKON_WEBHOOKS_ALLOW_PRIVATE=1) */
  allowPrivate?: boolean;
  /** per attempt */
  timeoutMs?: number;
  /** attempts in flight at once */
  concurrency?: number;
  /** the first retry comes after about this long; each next one after twice as long (at most an hour) */
  retryBaseMs?: number;
  /** a delivery still failing this long after its event is given up */
  giveUpAfterMs?: number;
  /** how often rows written by other processes are looked for */
  pollMs?: number;
}

export interface EmitOptions {
  /** deliveries with the same key reach an endpoint in the order of their events */
  orderKey: string;
  /** the visitor the event is about (erasing them erases their deliveries) */
  visitorId?: string | null;
}

const LEASE_MS = 60_000;
const MAX_RETRY_MS = 3_600_000;
const PER_ENDPOINT = 2;

export function sign(secret: string, body: string, t: number): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

export class Webhooks {
  private readonly bySite = new Map<string, WebhookEndpointRow[]>();
  private loadedAt = -Infinity;
  private stopped = true;
  private readonly rounds: Rounds;
  private timer: Timer | null = null;
  private wakeAt = Infinity;
  private readonly inFlight = new Set<Promise<void>>();
  /** attempts in flight per endpoint */
  private readonly perEndpoint = new Map<string, number>();
  private readonly o: Required<WebhookOptions>;
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly store: IntegrationStore,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    opts: WebhookOptions = {},
  ) {
    this.rounds = new Rounds(() => this.round(), log, 'webhook round', () => this.stopped);
    this.o = { allowPrivate: false, timeoutMs: 10_000, concurrency: 8, retryBaseMs: 10_000, giveUpAfterMs: 86_400_000, pollMs: 10_000, ...opts };
    const lookup = guardedLookup(this.o.allowPrivate);
    this.agents = { http: new http.Agent({ keepAlive: true, maxSockets: 4, lookup }), https: new https.Agent({ keepAlive: true, maxSockets: 4, lookup }) };
  }

  get allowPrivate(): boolean {
    return this.o.allowPrivate;
  }

  checkUrl(url: string): URL {
    return checkWebhookUrl(url, this.o.allowPrivate);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.reload();
    await this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.wakeAt = Infinity;
  }

  /** Resolves once nothing is being sent (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.rounds.busy || this.inFlight.size) {
      await this.rounds.idle();
      await Promise.all([...this.inFlight]);
    }
  }

  /** endpoints changed (the console, the API): read them again */
  async reload(): Promise<void> {
    const all = await this.store.listEndpoints();
    this.bySite.clear();
    for (const e of all) {
      let list = this.bySite.get(e.siteId);
      if (!list) this.bySite.set(e.siteId, (list = []));
      list.push(e);
    }
    this.loadedAt = this.clock.now();
  }

  /**
   * Something happened. Costs nothing when no endpoint of the site wants it; otherwise the
   * deliveries are stored before this resolves.
   */
  /** whether an enabled endpoint of the site subscribes to `type` (as last read: endpoints are read again every 30 s and on every change) */
  listens(siteId: string, type: WebhookEvent): boolean {
    this.fresh();
    const endpoints = this.bySite.get(siteId);
    return !!endpoints && endpoints.some((e) => e.enabled && e.events.includes(type));
  }

  /** endpoints read more than 30 s ago are read again (one read at a time) */
  private fresh(): void {
    if (this.reloading || this.clock.now() - this.loadedAt <= 30_000) return;
    this.reloading = true;
    background(
      this.reload().finally(() => {
        this.reloading = false;
      }),
      this.log,
      'webhook endpoints reload',
    );
  }
  private reloading = false;

  emit(siteId: string, type: WebhookEvent, data: Record<string, unknown>, o: EmitOptions): void {
    this.fresh();
    const targets = (this.bySite.get(siteId) ?? []).filter((e) => e.enabled && e.events.includes(type));
    if (!targets.length) return;
    const now = this.clock.now();
    const payload: WebhookPayload = { id: newId(), type, createdAt: now, siteId, data };
    background(this.enqueue(targets, payload, o), this.log, 'webhook enqueue');
  }

  /** a `ping` to one endpoint, to check it is wired right (the console's "Send test") */
  async ping(e: WebhookEndpointRow): Promise<string> {
    const payload: WebhookPayload = { id: newId(), type: 'ping', createdAt: this.clock.now(), siteId: e.siteId, data: { endpointId: e.id, message: 'A test delivery from Beckon.' } };
    return (await this.enqueue([e], payload, { orderKey: `ping:${payload.id}` }))[0]!;
  }

  /** the same event again (same event id, a new delivery), whatever became of the first */
  async redeliver(d: DeliveryRow): Promise<string> {
    const e = await this.store.getEndpoint(d.endpointId);
    if (!e) throw new Error('endpoint gone');
    const id = newId();
    const now = this.clock.now();
    await this.store.enqueue([{ id, endpointId: e.id, siteId: e.siteId, eventId: d.eventId, event: d.event, orderKey: `redeliver:${id}`, visitorId: d.visitorId, body: d.body, nextAt: now, createdAt: now }]);
    this.kick();
    return id;
  }

  private async enqueue(targets: WebhookEndpointRow[], payload: WebhookPayload, o: EmitOptions): Promise<string[]> {
    const body = JSON.stringify(payload);
    const rows = targets.map((e) => ({ id: newId(), endpointId: e.id, siteId: e.siteId, eventId: payload.id, event: payload.type, orderKey: o.orderKey, visitorId: o.visitorId ?? null, body, nextAt: payload.createdAt, createdAt: payload.createdAt }));
    await this.store.enqueue(rows);
    this.kick();
    return rows.map((r) => r.id);
  }

  private kick(): void {
    if (!this.stopped) background(this.tick(), this.log, 'webhook round');
  }

  /** Claims due deliveries and sends them, `concurrency` at a time; re-arms for the next. */
  tick(): Promise<void> {
    return this.rounds.run();
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    for (let n = 0; n < 100 && !this.stopped; n++) {
      const free = this.o.concurrency - this.inFlight.size;
      if (free <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      // one slow or dead receiver gets at most PER_ENDPOINT attempts at once: the others keep flowing
      const busy = [...this.perEndpoint].filter(([, n]) => n >= PER_ENDPOINT).map(([id]) => id);
      const due = await this.store.claimDeliveries(this.clock.now(), LEASE_MS, free, { busyEndpoints: busy, perEndpoint: PER_ENDPOINT });
      if (!due.length) break;
      for (const d of due) {
        this.perEndpoint.set(d.endpointId, (this.perEndpoint.get(d.endpointId) ?? 0) + 1);
        const p: Promise<void> = this.attempt(d)
          .catch((err) => this.log.error({ err, delivery: d.id }, 'webhook attempt failed'))
          .finally(() => {
            const left = (this.perEndpoint.get(d.endpointId) ?? 1) - 1;
            if (left > 0) this.perEndpoint.set(d.endpointId, left);
            else this.perEndpoint.delete(d.endpointId);
            this.inFlight.delete(p);
            // the next of its stream may be due now
            this.kick();
          });
        this.inFlight.add(p);
      }
    }
    if (this.stopped) return;
    const next = await this.store.nextDeliveryAt();
    this.arm(Math.min(next ?? Infinity, this.clock.now() + this.o.pollMs));
  }

  private arm(at: number): void {
    if (this.stopped) return;
    if (at >= this.wakeAt && this.timer) return;
    this.timer?.cancel();
    this.wakeAt = at;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.wakeAt = Infinity;
      this.kick();
    }, at - this.clock.now());
  }

  private async attempt(d: DeliveryRow): Promise<void> {
    const e = await this.store.getEndpoint(d.endpointId);
    if (!e) return;
    const started = Date.now();
    const r = e.enabled ? await this.post(e, d) : { status: null, error: 'endpoint disabled' };
    const ms = Date.now() - started;
    const now = this.clock.now();
    const attempts = d.attempts + 1;
    const ok = r.status !== null && r.status >= 200 && r.status < 300;
    if (ok) {
      await this.store.finishAttempt(d.id, { status: 'delivered', attempts, nextAt: d.nextAt, now, lastStatus: r.status, lastError: null, lastMs: ms });
      return;
    }
    // exponential, with jitter (half to all of the step) so retries of many deliveries spread out
    const step = Math.min(this.o.retryBaseMs * 2 ** (attempts - 1), MAX_RETRY_MS);
    const nextAt = now + Math.round(step * (0.5 + Math.random() / 2));
    const giveUp = !e.enabled || nextAt - d.createdAt > this.o.giveUpAfterMs;
    this.log.warn({ delivery: d.id, endpoint: e.id, status: r.status, error: r.error, attempts, giveUp }, 'webhook delivery failed');
    await this.store.finishAttempt(d.id, { status: giveUp ? 'failed' : 'pending', attempts, nextAt, now, lastStatus: r.status, lastError: r.error, lastMs: ms });
  }

  /** one POST; resolves with the status, or the reason there was none */
  private post(e: WebhookEndpointRow, d: DeliveryRow): Promise<{ status: number | null; error: string | null }> {
    let url: URL;
    try {
      url = this.checkUrl(e.url);
    } catch (err) {
      return Promise.resolve({ status: null, error: (err as Error).message });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // an address literal is connected to without a lookup: checked here
    if (!this.o.allowPrivate && isIP(host) && isPrivateAddress(host)) return Promise.resolve({ status: null, error: 'private address' });
    const t = Math.floor(this.clock.now() / 1000);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const req = lib.request(
        url,
        {
          method: 'POST',
          agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
          timeout: this.o.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(d.body),
            'user-agent': 'Beckon-Webhooks/1',
            'beckon-event': d.event,
            'beckon-event-id': d.eventId,
            'beckon-delivery': d.id,
            'beckon-signature': sign(e.secret, d.body, t),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            if (text.length < 300) text += c;
          });
          res.on('end', () => {
            const status = res.statusCode ?? null;
            const fine = status !== null && status >= 200 && status < 300;
            resolve({ status, error: fine ? null : `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}` });
          });
          res.on('error', (err) => resolve({ status: null, error: err.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.o.timeoutMs / 1000} s`)));
      req.on('error', (err: Error & { code?: string }) => resolve({ status: null, error: err.code === 'EPRIVATE' ? 'resolves to a private address' : err.message }));
      req.end(d.body);
    });
  }

  close(): void {
    this.stop();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
