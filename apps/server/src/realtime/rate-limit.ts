/** A token bucket; time is passed in. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Fixed-window counter per key (logins per IP). Bounded: old windows are dropped. */
export class WindowCounter {
  private readonly hits = new Map<string, { start: number; n: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  hit(key: string, now: number): boolean {
    if (this.hits.size > 10_000) for (const [k, v] of this.hits) if (now - v.start >= this.windowMs) this.hits.delete(k);
    const h = this.hits.get(key);
    if (!h || now - h.start >= this.windowMs) {
      this.hits.set(key, { start: now, n: 1 });
      return true;
    }
    h.n += 1;
    return h.n <= this.limit;
  }
}

/**
 * Points per key in a window of `windowMs` that starts at the key's first take (as
 * rate-limiter-flexible's), without a timer or a promise per key: keys live in two maps, this
 * window's and the one before, and every `windowMs` the older map is dropped whole. For counts
 * taken on every event of every live visitor (a page view), where a general limiter's per-key
 * expiry timer was one more timer per visitor created every minute.
 */
export class WindowPoints {
  private turnedAt = -Infinity;
  private cur = new Map<string, { start: number; n: number }>();
  private prev = new Map<string, { start: number; n: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  /** takes `points` for `key`; null when allowed, else the ms until its window ends */
  take(key: string, points: number, now: number): number | null {
    if (now - this.turnedAt >= this.windowMs) {
      // an entry in `prev` started at least one window ago at most: older ones go with the map
      this.prev = now - this.turnedAt >= 2 * this.windowMs ? new Map() : this.cur;
      this.cur = new Map();
      this.turnedAt = now;
    }
    let e = this.cur.get(key);
    if (!e) {
      e = this.prev.get(key);
      if (e) this.prev.delete(key);
      if (!e || now - e.start >= this.windowMs) e = { start: now, n: 0 };
      this.cur.set(key, e);
    } else if (now - e.start >= this.windowMs) {
      e.start = now;
      e.n = 0;
    }
    if (e.n + points > this.limit) return e.start + this.windowMs - now;
    e.n += points;
    return null;
  }
}
