/**
 * Operators' presence: the status they chose, how many console tabs are connected, and when
 * they last got a conversation. With no tab connected anywhere an operator is offline.
 *
 * On several nodes (cluster/link.ts) each node holds its own tabs and sends them to the others on
 * every change and every beat; what a node heard from another is forgotten when its beats stop
 * (the node died), so its operators go offline there and their grace periods start.
 */
import type { OperatorStatus } from '@beckon/protocol';
import type { Link } from '../cluster/link';

type Chosen = Exclude<OperatorStatus, 'offline'>;

interface Entry {
  chosen: Chosen;
  sockets: number;
  /** when the status was chosen: the latest choice on any node wins */
  chosenAt: number;
  lastAssignedAt: number;
}

export type PresenceChange = (accountId: string, before: OperatorStatus, after: OperatorStatus) => void;

export class Presence {
  private readonly entries = new Map<string, Entry>();
  /** per other node: its operators */
  private readonly remote = new Map<string, { entries: Map<string, Entry> }>();
  private readonly listeners: PresenceChange[] = [];

  constructor(
    private readonly link?: Link,
    private readonly wallClock: () => number = Date.now,
  ) {
    if (!link?.clustered) return;
    link.on('presence', (from, d) => this.heard(from, d.entries));
    link.onLeave((node) => this.heard(node, null));
    // every beat says it all again: a word lost while Redis was away is made good on the next
    link.onBeat(() => this.say());
    link.onJoin(() => this.say());
  }

  /** a change that happened on another node (or a node gone): the operator's status here moved */
  onRemoteChange(fn: PresenceChange): void {
    this.listeners.push(fn);
  }

  private say(): void {
    if (!this.link?.clustered) return;
    const entries: [string, string, number, number, number][] = [];
    for (const [id, e] of this.entries) if (e.sockets > 0 || e.lastAssignedAt > 0) entries.push([id, e.chosen, e.sockets, e.chosenAt, e.lastAssignedAt]);
    this.link.send('presence', { entries });
  }

  private heard(from: string, list: [string, string, number, number, number][] | null): void {
    const old = this.remote.get(from)?.entries ?? new Map<string, Entry>();
    const next = new Map<string, Entry>();
    for (const [id, chosen, sockets, chosenAt, lastAssignedAt] of list ?? []) next.set(id, { chosen: chosen === 'away' ? 'away' : 'online', sockets, chosenAt, lastAssignedAt });
    const touched = new Set([...old.keys(), ...next.keys()]);
    const before = new Map([...touched].map((id) => [id, this.status(id)]));
    if (list) this.remote.set(from, { entries: next });
    else this.remote.delete(from);
    this.notify(before);
  }

  private notify(before: Map<string, OperatorStatus>): void {
    for (const [id, was] of before) {
      const is = this.status(id);
      if (was !== is) for (const fn of this.listeners) fn(id, was, is);
    }
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) this.entries.set(id, (e = { chosen: 'online', sockets: 0, chosenAt: 0, lastAssignedAt: 0 }));
    return e;
  }

  /** A console tab connected; returns the status before and after. */
  connect(id: string): { before: OperatorStatus; after: OperatorStatus } {
    const before = this.status(id);
    const e = this.entry(id);
    e.sockets += 1;
    // a tab that connects here takes the status the operator has elsewhere
    const elsewhere = this.latestRemote(id);
    if (elsewhere && elsewhere.chosenAt > e.chosenAt) {
      e.chosen = elsewhere.chosen;
      e.chosenAt = elsewhere.chosenAt;
    }
    this.say();
    return { before, after: this.status(id) };
  }

  disconnect(id: string): { before: OperatorStatus; after: OperatorStatus } {
    const before = this.status(id);
    const e = this.entry(id);
    e.sockets = Math.max(0, e.sockets - 1);
    this.say();
    return { before, after: this.status(id) };
  }

  choose(id: string, status: Chosen): void {
    const e = this.entry(id);
    e.chosen = status;
    e.chosenAt = Math.max(this.wallClock(), e.chosenAt + 1);
    this.say();
  }

  private latestRemote(id: string): Entry | null {
    let best: Entry | null = null;
    for (const r of this.remote.values()) {
      const e = r.entries.get(id);
      if (e && e.sockets > 0 && (!best || e.chosenAt > best.chosenAt)) best = e;
    }
    return best;
  }

  status(id: string): OperatorStatus {
    const here = this.entries.get(id);
    const there = this.latestRemote(id);
    const live = [here && here.sockets > 0 ? here : null, there].filter((e): e is Entry => !!e);
    if (!live.length) return 'offline';
    return live.reduce((a, b) => (b.chosenAt > a.chosenAt ? b : a)).chosen;
  }

  lastAssignedAt(id: string): number {
    let at = this.entries.get(id)?.lastAssignedAt ?? 0;
    for (const r of this.remote.values()) at = Math.max(at, r.entries.get(id)?.lastAssignedAt ?? 0);
    return at;
  }

  markAssigned(id: string, now: number): void {
    this.entry(id).lastAssignedAt = now;
  }
}
