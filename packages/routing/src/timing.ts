/**
 * Time-driven routing, pure (the clock is passed in): unanswered conversations move on,
 * operators who dropped off keep their chats for a grace period, and honest expected waits.
 */

export interface NoAnswerSettings {
  /** an assigned conversation with no operator reply for this long moves on */
  timeoutMs: number;
  /** after this many moves it goes back to the head of the queue instead */
  maxMoves: number;
}
export const DEFAULT_NO_ANSWER: NoAnswerSettings = { timeoutMs: 30_000, maxMoves: 2 };

export interface Assigned {
  assignedAt: number;
  /** the first operator reply since the assignment, if any */
  repliedAt: number | null;
  /** moves so far */
  moves: number;
}

export type NoAnswerStep = { step: 'wait'; until: number } | { step: 'done' } | { step: 'move' } | { step: 'requeue' };

/** What to do with an assigned conversation at `now`. */
export function noAnswer(c: Assigned, now: number, s: NoAnswerSettings): NoAnswerStep {
  if (c.repliedAt !== null && c.repliedAt >= c.assignedAt) return { step: 'done' };
  const due = c.assignedAt + s.timeoutMs;
  if (now < due) return { step: 'wait', until: due };
  return c.moves < s.maxMoves ? { step: 'move' } : { step: 'requeue' };
}

export const DEFAULT_GRACE_MS = 60_000;

/** An operator's last console tab dropped at `droppedAt`: keep their chats until then, re-queue after. */
export function graceStep(droppedAt: number | null, now: number, graceMs: number = DEFAULT_GRACE_MS): { step: 'keep' } | { step: 'wait'; until: number } | { step: 'requeue' } {
  if (droppedAt === null) return { step: 'keep' };
  const until = droppedAt + graceMs;
  return now < until ? { step: 'wait', until } : { step: 'requeue' };
}

/** Below this many recent handled chats there is no honest estimate. */
export const MIN_SAMPLES = 5;
/** The estimate uses at most this many of the most recent handling times. */
export const MAX_SAMPLES = 50;

/**
 * Expected wait in ms for the conversation at `position` (1-based): slots free up on average
 * every (mean handling time / slots), so the n-th in line waits about n of those intervals.
 * `handlingMs` newest first. Null: "no estimate yet".
 */
export function expectedWait(position: number, handlingMs: readonly number[], slots: number): number | null {
  if (position < 1 || handlingMs.length < MIN_SAMPLES) return null;
  const recent = handlingMs.slice(0, MAX_SAMPLES);
  const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
  return Math.round((position * mean) / Math.max(1, slots));
}
