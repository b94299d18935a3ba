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
  /** departments this operator serves; empty or absent: every department */
  skills?: readonly string[];
}

export type Policy = 'least_loaded' | 'round_robin';

export interface WaitingConversation {
  id: string;
  /** ms epoch when it started waiting */
  since: number;
  /** higher first; default 0 */
  priority?: number;
  /** only operators with this skill may take it */
  department?: string | null;
  /** operators it has already been offered to without an answer: not again */
  exclude?: readonly string[];
  /** it came back after too many moves: it goes first among its priority */
  head?: boolean;
}

/** Why an operator got a conversation, for the console ("why this operator"). */
export interface AssignReason {
  policy: Policy;
  /** the operator's chats before this one, and their capacity */
  active: number;
  capacity: number;
  /** how many operators could have taken it */
  eligible: number;
}

export interface Assignment {
  conversationId: string;
  operatorId: string;
  reason: AssignReason;
}

/** Why a conversation still waits ("why still waiting"). */
export type WaitReason =
  | { code: 'nobody_online' }
  | { code: 'all_busy'; online: number }
  | { code: 'no_skill'; department: string }
  | { code: 'ahead_in_queue'; ahead: number };

export interface AssignOutcome {
  assignments: Assignment[];
  /** still waiting, in queue order, each with why */
  waiting: (WaitingConversation & { reason: WaitReason })[];
  /** operators with their loads after the assignments */
  operators: OperatorLoad[];
}

export function hasFreeSlot(op: OperatorLoad): boolean {
  return op.status === 'online' && op.active < op.capacity;
}

/** Can this operator take this conversation now? */
export function eligible(op: OperatorLoad, conv?: Pick<WaitingConversation, 'department' | 'exclude'>): boolean {
  if (!hasFreeSlot(op)) return false;
  if (conv?.exclude?.includes(op.id)) return false;
  const dep = conv?.department;
  return !dep || !op.skills || op.skills.length === 0 || op.skills.includes(dep);
}

/**
 * The operator who should take the next conversation, or null when nobody can.
 * least_loaded: fewest active chats, ties to the longest since an assignment, then by id.
 * round_robin: in turn, whatever the load: the longest since an assignment, then by id.
 */
export function pickOperator(operators: readonly OperatorLoad[], conv?: Pick<WaitingConversation, 'department' | 'exclude'>, policy: Policy = 'least_loaded'): OperatorLoad | null {
  let best: OperatorLoad | null = null;
  for (const op of operators) {
    if (!eligible(op, conv)) continue;
    if (!best) {
      best = op;
      continue;
    }
    const byLoad = policy === 'least_loaded' ? op.active - best.active : 0;
    if (byLoad < 0 || (byLoad === 0 && (op.lastAssignedAt < best.lastAssignedAt || (op.lastAssignedAt === best.lastAssignedAt && op.id < best.id)))) best = op;
  }
  return best;
}

export function queueOrder(a: WaitingConversation, b: WaitingConversation): number {
  return (b.priority ?? 0) - (a.priority ?? 0) || Number(!!b.head) - Number(!!a.head) || a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function assign(queue: readonly WaitingConversation[], operators: readonly OperatorLoad[], now: number, policy: Policy = 'least_loaded'): AssignOutcome {
  const ops = operators.map((o) => ({ ...o }));
  const ordered = [...queue].sort(queueOrder);
  const assignments: Assignment[] = [];
  const waiting: AssignOutcome['waiting'] = [];
  for (const conv of ordered) {
    const op = pickOperator(ops, conv, policy);
    if (!op) {
      waiting.push({ ...conv, reason: whyWaiting(conv, ops, waiting.length) });
      continue;
    }
    const reason: AssignReason = { policy, active: op.active, capacity: op.capacity, eligible: ops.filter((o) => eligible(o, conv)).length };
    op.active += 1;
    op.lastAssignedAt = now;
    assignments.push({ conversationId: conv.id, operatorId: op.id, reason });
  }
  return { assignments, waiting, operators: ops };
}

function whyWaiting(conv: WaitingConversation, ops: readonly OperatorLoad[], ahead: number): WaitReason {
  const online = ops.filter((o) => o.status === 'online');
  if (!online.length) return { code: 'nobody_online' };
  const dep = conv.department;
  if (dep && !online.some((o) => !o.skills || !o.skills.length || o.skills.includes(dep))) return { code: 'no_skill', department: dep };
  if (ahead > 0) return { code: 'ahead_in_queue', ahead };
  return { code: 'all_busy', online: online.length };
}

/** 1-based position of a conversation in the queue, or 0 if it is not waiting. */
export function queuePosition(queue: readonly WaitingConversation[], conversationId: string): number {
  const idx = [...queue].sort(queueOrder).findIndex((c) => c.id === conversationId);
  return idx + 1;
}
