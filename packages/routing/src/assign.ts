/**
 * Pure assignment: who takes which waiting conversation. No I/O, no clock of its own.
 *
 *   const { assignments, waiting } = assign(queue, operators, Date.now());
 *
 * Policy (DESIGN.md "Routing"): the online operator with a free slot and the fewest active
 * chats; ties go to the one who has waited longest since an assignment, then by id so the
 * choice is deterministic. The queue is served in priority order, then oldest first.
 * Capacity is never exceeded: every assignment counts against the operator immediately.
 */
import type { OperatorStatus } from '@beckon/protocol';

export interface OperatorLoad {
  id: string;
  status: OperatorStatus;
  /** maximum concurrent chats */
  capacity: number;
  /** chats assigned now */
  active: number;
  /** ms epoch of the last assignment; 0 when never */
  lastAssignedAt: number;
}

export interface WaitingConversation {
  id: string;
  /** ms epoch when it started waiting */
  since: number;
  /** higher first; default 0 */
  priority?: number;
}

export interface Assignment {
  conversationId: string;
  operatorId: string;
}

export interface AssignOutcome {
  assignments: Assignment[];
  /** still waiting, in queue order */
  waiting: WaitingConversation[];
  /** operators with their loads after the assignments */
  operators: OperatorLoad[];
}

export function hasFreeSlot(op: OperatorLoad): boolean {
  return op.status === 'online' && op.active < op.capacity;
}

/** The operator who should take the next conversation, or null when nobody can. */
export function pickOperator(operators: readonly OperatorLoad[]): OperatorLoad | null {
  let best: OperatorLoad | null = null;
  for (const op of operators) {
    if (!hasFreeSlot(op)) continue;
    if (
      !best ||
      op.active < best.active ||
      (op.active === best.active && (op.lastAssignedAt < best.lastAssignedAt || (op.lastAssignedAt === best.lastAssignedAt && op.id < best.id)))
    ) {
      best = op;
    }
  }
  return best;
}

export function queueOrder(a: WaitingConversation, b: WaitingConversation): number {
  return (b.priority ?? 0) - (a.priority ?? 0) || a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function assign(queue: readonly WaitingConversation[], operators: readonly OperatorLoad[], now: number): AssignOutcome {
  const ops = operators.map((o) => ({ ...o }));
  const ordered = [...queue].sort(queueOrder);
  const assignments: Assignment[] = [];
  const waiting: WaitingConversation[] = [];
  for (const conv of ordered) {
    const op = pickOperator(ops);
    if (!op) {
      waiting.push(conv);
      continue;
    }
    op.active += 1;
    op.lastAssignedAt = now;
    assignments.push({ conversationId: conv.id, operatorId: op.id });
  }
  return { assignments, waiting, operators: ops };
}

/** 1-based position of a conversation in the queue, or 0 if it is not waiting. */
export function queuePosition(queue: readonly WaitingConversation[], conversationId: string): number {
  const idx = [...queue].sort(queueOrder).findIndex((c) => c.id === conversationId);
  return idx + 1;
}
