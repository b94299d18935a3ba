/**
 * Limits per visitor and per address, whatever the number of sockets (issue 8 §6): five tabs
 * or five scripted sockets share one allowance. rate-limiter-flexible's memory store on one node;
 * on several (../lib/limits.ts) its Redis store, except for journey events, counted per node.
 *
 * | what | limit | why |
 * | new conversations per address | 20 an hour | Chatwoot allows 6 per 12 h per IP (Rack::Attack); an office or a phone network behind one address needs more, a script gets 20, not 600 a minute |
 * | new conversations per visitor | 6 an hour | a person starts one, maybe two |
 * | messages per visitor | 30 a minute (all tabs) | fast typing is ~1 message in 3 s |
 * | journey events per visitor | 600 a minute | a busy single-page app sends a few a second |
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryLimiters, type Limiters } from '../lib/limits';
import type { Socket } from 'socket.io';
import { BeckonError } from '@beckon/protocol';
import { WindowPoints } from './rate-limit';

export const ABUSE_LIMITS = {
  conversationsPerAddressPerHour: 20,
  conversationsPerVisitorPerHour: 6,
  messagesPerVisitorPerMinute: 30,
  journeyEventsPerVisitorPerMinute: 600,
};

export type AbuseLimits = typeof ABUSE_LIMITS;

export class Abuse {
  private readonly convPerAddress: RateLimiterAbstract;
  private readonly convPerVisitor: RateLimiterAbstract;
  private readonly messages: RateLimiterAbstract;
  private readonly journey: WindowPoints;

  constructor(l: AbuseLimits = ABUSE_LIMITS, limiters: Limiters = memoryLimiters) {
    this.convPerAddress = limiters.limiter({ keyPrefix: 'conv-ip', points: l.conversationsPerAddressPerHour, duration: 3600 });
    this.convPerVisitor = limiters.limiter({ keyPrefix: 'conv-v', points: l.conversationsPerVisitorPerHour, duration: 3600 });
    this.messages = limiters.limiter({ keyPrefix: 'msg-v', points: l.messagesPerVisitorPerMinute, duration: 60 });
    // counted on the node: the balancer keeps a visitor's tabs on one node, and a page view must not
    // cost a round trip to Redis (it was 4 commands per event in the cluster benchmark), nor a
    // timer per visitor (./rate-limit.ts WindowPoints)
    this.journey = new WindowPoints(l.journeyEventsPerVisitorPerMinute, 60_000);
  }

  private static async take(limiter: RateLimiterAbstract, key: string, points = 1): Promise<void> {
    try {
      await limiter.consume(key, points);
    } catch (e) {
      if (e instanceof Error) throw e;
      throw new BeckonError('RATE_LIMITED', `Too many; try again in ${Math.ceil(((e as { msBeforeNext?: number }).msBeforeNext ?? 1000) / 1000)} s.`);
    }
  }

  /** a visitor starts a conversation (checked before it is created) */
  async newConversation(visitorId: string, address: string | null): Promise<void> {
    await Abuse.take(this.convPerVisitor, visitorId);
    if (address) await Abuse.take(this.convPerAddress, address);
  }
  message(visitorId: string): Promise<void> {
    return Abuse.take(this.messages, visitorId);
  }
  journeyEvents(visitorId: string, n: number, now = Date.now()): void {
    const wait = this.journey.take(visitorId, n, now);
    if (wait !== null) throw new BeckonError('RATE_LIMITED', `Too many; try again in ${Math.ceil(wait / 1000)} s.`);
  }
}

/**
 * The browser's address: the socket's peer, or behind a reverse proxy (BECKON_TRUST_PROXY=1)
 * the client X-Forwarded-For names, as Fastify's trustProxy does for HTTP.
 */
export function clientAddress(socket: Pick<Socket, 'handshake'>, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = socket.handshake.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return socket.handshake.address;
}
