/**
 * Where rate limits keep their counts. One node: in memory (rate-limiter-flexible's memory
 * store, and a fixed window on the server's clock for handshakes and sign-ins). Several nodes:
 * in Redis (rate-limiter-flexible's Redis store), so an allowance is one allowance whichever node
 * a request lands on; while Redis is away each node counts on its own (the insurance limiter)
 * rather than letting everything through or refusing everyone.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { WindowCounter } from '../realtime/rate-limit';

export interface LimitSpec {
  keyPrefix: string;
  points: number;
  /** seconds */
  duration: number;
}

/** a fixed window per key: true while the key is within its allowance */
export interface Counter {
  hit(key: string): Promise<boolean>;
}

export interface Limiters {
  limiter(o: LimitSpec): RateLimiterAbstract;
  counter(o: LimitSpec, now: () => number): Counter;
}

export const memoryLimiters: Limiters = {
  limiter: (o) => new RateLimiterMemory(o),
  counter(o, now) {
    const w = new WindowCounter(o.points, o.duration * 1000);
    return { hit: async (key) => w.hit(key, now()) };
  },
};

export function redisLimiters(client: Redis): Limiters {
  const limiter = (o: LimitSpec) =>
    new RateLimiterRedis({
      storeClient: client,
      points: o.points,
      duration: o.duration,
      keyPrefix: `beckon:rl:${o.keyPrefix}`,
      // a Redis out of reach answers at once from the node's own counts, instead of waiting
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(o),
    });
  return {
    limiter,
    counter(o) {
      const l = limiter(o);
      return {
        hit: (key) =>
          l.consume(key).then(
            () => true,
            (e: unknown) => {
              if (e instanceof RateLimiterRes) return false;
              throw e;
            },
          ),
      };
    },
  };
}
