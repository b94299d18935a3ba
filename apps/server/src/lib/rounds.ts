/**
 * One round of work at a time (the scheduler's deadlines, webhook deliveries, emails): asking
 * for a round while one runs asks for one more after it, never a second at once.
 *
 *   const rounds = new Rounds(() => this.round(), log, 'webhook round', () => this.stopped);
 *   rounds.run();        // starts one, or marks that another is wanted
 *   await rounds.idle(); // the round under way (if any) is over
 */
import type { ErrorLog } from './background';

export class Rounds {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly log: ErrorLog,
    private readonly what: string,
    private readonly stopped: () => boolean,
  ) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.round();
      } while (this.again && !this.stopped());
    })()
      .catch((err: unknown) => this.log.error({ err }, `${this.what} failed`))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  get busy(): boolean {
    return this.running !== null;
  }
}
