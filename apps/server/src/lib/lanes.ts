/**
 * One task at a time per key, in the order they were asked for, at no cost when the key is free.
 * A task on a free lane runs at once and its result comes back as it is: a plain value when the
 * task finished without waiting. Only a task that waits (returns a promise) holds its lane, and
 * the tasks asked for meanwhile run after it, each in turn.
 *
 * The engage path runs one evaluation per journey event (thousands a second); nearly all finish
 * without touching I/O. A promise chain per call (`prev.then(fn)`, its cleanup, the key's string)
 * was most of what such an evaluation allocated.
 *
 *   const lanes = new Lanes<string>();
 *   lanes.run(visitorId, () => decide(l)); // runs now when nothing of this visitor's is under way
 *   lanes.run(visitorId, async () => { await store.write(); }); // later ones wait for this one
 */
const settle = (): void => undefined;

export class Lanes<K> {
  /** per busy key, the end of its last task (settles, never rejects) */
  private readonly tails = new Map<K, Promise<void>>();

  /** keys with a task under way or waiting */
  get busy(): number {
    return this.tails.size;
  }

  run<T>(key: K, task: () => Promise<T>): Promise<T>;
  run<T>(key: K, task: () => T | Promise<T>): T | Promise<T>;
  run<T>(key: K, task: () => T | Promise<T>): T | Promise<T> {
    const tail = this.tails.get(key);
    if (tail === undefined) {
      const out = task();
      if (out instanceof Promise) this.hold(key, out);
      return out;
    }
    const out = tail.then(task);
    this.hold(key, out);
    return out;
  }

  /** Resolves once no lane has a task under way (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }

  private hold(key: K, p: Promise<unknown>): void {
    const end = p.then(settle, settle);
    this.tails.set(key, end);
    end.then(() => {
      if (this.tails.get(key) === end) this.tails.delete(key);
    }, settle);
  }
}
