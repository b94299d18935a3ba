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
}

export function fakeClock(start = Date.now()): FakeClock {
  let t = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => t,
    set: (at) => void (t = at),
    setTimer(fn, ms) {
      const id = seq++;
      timers.set(id, { at: t + Math.max(0, ms), fn });
      return { cancel: () => void timers.delete(id) };
    },
    async advance(ms) {
      const end = t + ms;
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
