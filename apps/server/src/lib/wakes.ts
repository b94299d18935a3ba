/**
 * Many wake-up times behind one timer: a binary heap of (time, item) with the clock's single
 * timer set for the earliest. 10,000 live visitors each re-arming a wake-up on every page view
 * were 10,000 Node timers created and cancelled every few seconds (a sixth of what the server
 * allocated under load, all of it promoted and collected by full GCs); now a page view moves the
 * visitor's one entry within the heap (each entry knows its place: nothing is allocated for a new
 * time, nothing stale is left to skip later), and the timer moves only when the earliest time does.
 * Times are exact (no rounding).
 *
 *   const wakes = new Wakes<Live>(clock, (l) => decideAgain(l));
 *   wakes.set(l, now + 2_000); wakes.cancel(l);
 */
import type { Clock, Timer } from './clock';

interface Entry<T> {
  at: number;
  item: T;
  /** where the entry is in the heap */
  i: number;
}

export class Wakes<T> {
  private readonly heap: Entry<T>[] = [];
  private readonly current = new Map<T, Entry<T>>();
  private timer: Timer | null = null;
  private armedAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly fire: (item: T) => void,
  ) {}

  get size(): number {
    return this.current.size;
  }

  /** wake `item` at `at` (replacing its earlier wake-up); Infinity: never */
  set(item: T, at: number): void {
    const e = this.current.get(item);
    if (at === Infinity) {
      if (e) this.remove(e);
      return;
    }
    if (!e) {
      const fresh: Entry<T> = { at, item, i: this.heap.length };
      this.current.set(item, fresh);
      this.heap.push(fresh);
      this.up(fresh);
    } else if (at !== e.at) {
      const earlier = at < e.at;
      e.at = at;
      if (earlier) this.up(e);
      else this.down(e);
    }
    if (at < this.armedAt) this.arm(at);
  }

  cancel(item: T): void {
    this.set(item, Infinity);
  }

  /** when `item` wakes next (Infinity: not at all) */
  at(item: T): number {
    return this.current.get(item)?.at ?? Infinity;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.armedAt = Infinity;
    this.heap.length = 0;
    this.current.clear();
  }

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedAt = at;
    this.timer = this.clock.setTimer(() => this.run(), Math.max(0, at - this.clock.now()));
  }

  private run(): void {
    this.timer = null;
    this.armedAt = Infinity;
    const now = this.clock.now();
    const due: T[] = [];
    while (this.heap.length && this.heap[0]!.at <= now) {
      const e = this.heap[0]!;
      this.remove(e);
      due.push(e.item);
    }
    if (this.heap.length) this.arm(this.heap[0]!.at);
    for (const item of due) this.fire(item);
  }

  private remove(e: Entry<T>): void {
    this.current.delete(e.item);
    const h = this.heap;
    const last = h.pop()!;
    if (last === e) return;
    // the last entry takes the removed one's place, then finds its own
    h[e.i] = last;
    last.i = e.i;
    if (last.at < e.at) this.up(last);
    else this.down(last);
  }

  private up(e: Entry<T>): void {
    const h = this.heap;
    let i = e.i;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.at <= e.at) break;
      h[i] = parent;
      parent.i = i;
      i = p;
    }
    h[i] = e;
    e.i = i;
  }

  private down(e: Entry<T>): void {
    const h = this.heap;
    const n = h.length;
    let i = e.i;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.at < h[l]!.at ? r : l;
      const child = h[c]!;
      if (child.at >= e.at) break;
      h[i] = child;
      child.i = i;
      i = c;
    }
    h[i] = e;
    e.i = i;
  }
}
