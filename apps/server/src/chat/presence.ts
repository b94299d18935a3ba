/**
 * Operators' presence, in memory: the status they chose, how many console tabs are connected,
 * and when they last got a conversation. With no tab connected an operator is offline.
 */
import type { OperatorStatus } from '@beckon/protocol';

interface Entry {
  chosen: Exclude<OperatorStatus, 'offline'>;
  sockets: number;
  lastAssignedAt: number;
}

export class Presence {
  private readonly entries = new Map<string, Entry>();

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) this.entries.set(id, (e = { chosen: 'online', sockets: 0, lastAssignedAt: 0 }));
    return e;
  }

  /** A console tab connected; returns the status before and after. */
  connect(id: string): { before: OperatorStatus; after: OperatorStatus } {
    const before = this.status(id);
    this.entry(id).sockets += 1;
    return { before, after: this.status(id) };
  }

  disconnect(id: string): { before: OperatorStatus; after: OperatorStatus } {
    const before = this.status(id);
    const e = this.entry(id);
    e.sockets = Math.max(0, e.sockets - 1);
    return { before, after: this.status(id) };
  }

  choose(id: string, status: Exclude<OperatorStatus, 'offline'>): void {
    this.entry(id).chosen = status;
  }

  status(id: string): OperatorStatus {
    const e = this.entries.get(id);
    return e && e.sockets > 0 ? e.chosen : 'offline';
  }

  lastAssignedAt(id: string): number {
    return this.entries.get(id)?.lastAssignedAt ?? 0;
  }

  markAssigned(id: string, now: number): void {
    this.entry(id).lastAssignedAt = now;
  }
}
