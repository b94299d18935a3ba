/**
 * Time, passed in (STYLE.md 22): the real clock in production, a fake one in tests, so waits
 * of 30 s or an hour take no real time.
 *
 *   const clock = fakeClock(0); clock.setTimer(fn, 30_000); await clock.advance(30_000); // fn ran
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** calls `fn` after `ms` (never keeps the process alive by itself) */
  setTimer(fn: () => void, ms: number): Timer;
}

/** timers beyond ~24.8 days overflow Node's setTimeout */
const MAX_DELAY = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_DELAY));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock from a `now` function with real timers (the BuildOptions.now of older tests). */
export function clockFrom(now: () => number): Clock {
  return { now, setTimer: realClock.setTimer };
}

export interface FakeClock extends Clock {
  /** moves time on, running every timer that falls due on the way (in due order) */
  advance(ms: number): Promise<void>;
  set(at: number): void;
  /**
   * What a timer sets off may wait on I/O (a PostgreSQL query, unlike SQLite, is not answered
   * within the same turn): `advance` waits for these after each timer, so time does not run on
   * under work still in flight. Returns how to stop waiting for it.
   */
  settleWith(fn: () => Promise<unknown>): () => void;
}

export const isFakeClock = (c: Clock): c is FakeClock => typeof (c as Partial<FakeClock>).settleWith === 'function';

export function fakeClock(start = Date.now()): FakeClock {
  let t = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const settlers = new Set<() => Promise<unknown>>();
  const flush = async () => {
    await new Promise<void>((r) => setImmediate(r));
    for (const s of settlers) await s();
  };
  return {
    settleWith(fn) {
      settlers.add(fn);
      return () => void settlers.delete(fn);
    },
    now: () => t,
    set: (at) => void (t = at),
    setTimer(fn, ms) {
      const id = seq++;
      timers.set(id, { at: t + Math.max(0, ms), fn });
      return { cancel: () => void timers.delete(id) };
    },
    async advance(ms) {
      const end = t + ms;
      // what is under way now may still set timers within this stretch
      await flush();
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | null = null;
        for (const e of timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
        if (!next) break;
        timers.delete(next[0]);
        t = Math.max(t, next[1].at);
        next[1].fn();
        await flush();
      }
      t = end;
      await flush();
    },
  };
}
