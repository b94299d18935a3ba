/**
 * Many wake-up times behind one timer: a binary heap of (time, item) with the clock's single
 * timer set for the earliest. 10,000 live visitors each re-arming a wake-up on every page view
 * were 10,000 Node timers created and cancelled every few seconds (a sixth of what the server
 * allocated under load, all of it promoted and collected by full GCs); now a page view is a heap
 * push, and the timer moves only when the earliest time does. Times are exact (no rounding).
 *
 *   const wakes = new Wakes<Live>(clock, (l) => decideAgain(l));
 *   wakes.set(l, now + 2_000); wakes.cancel(l);
 */
import type { Clock, Timer } from './clock';

interface Entry<T> {
  at: number;
  item: T;
  /** the entry of the item's current wake-up (older ones are skipped when they surface) */
  live: boolean;
}

export class Wakes<T> {
  private heap: Entry<T>[] = [];
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
    const had = this.current.get(item);
    if (had && had.at === at) return;
    if (had) had.live = false;
    if (at === Infinity) {
      this.current.delete(item);
      return;
    }
    const e: Entry<T> = { at, item, live: true };
    this.current.set(item, e);
    this.push(e);
    // stale entries are dropped as they surface; a heap mostly of them is rebuilt
    if (this.heap.length > 2 * this.current.size + 1024) this.compact();
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
    this.heap = [];
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
      const e = this.pop()!;
      if (!e.live) continue;
      this.current.delete(e.item);
      due.push(e.item);
    }
    while (this.heap.length && !this.heap[0]!.live) this.pop();
    if (this.heap.length) this.arm(this.heap[0]!.at);
    for (const item of due) this.fire(item);
  }

  private compact(): void {
    this.heap = [];
    for (const e of this.current.values()) this.push(e);
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): Entry<T> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (!h.length || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
