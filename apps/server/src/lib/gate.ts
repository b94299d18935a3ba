/**
 * At most `limit` tasks at once, the rest waiting in order (at most `queue` of them: past that a
 * caller is told no at once). A restart brings thousands of handshakes in one second: through a
 * gate they reach the database a few dozen at a time instead of all timing out in its pool
 * together, and messages of open chats are not stuck behind them.
 */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly queue: number,
    /** a permit not given back by then is taken back (a task that never finished) */
    private readonly leaseMs = 10_000,
  ) {}

  /** a permit (call the release it gives, once), or null when the queue is full */
  async enter(): Promise<(() => void) | null> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queue) return null;
      await new Promise<void>((res) => this.waiting.push(res));
    } else this.running++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(lease);
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
    const lease = setTimeout(release, this.leaseMs);
    lease.unref();
    return release;
  }
}
