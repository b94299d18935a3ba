/**
 * The live visitors board across nodes: each node sends the others, about once a second, the
 * views of its visitors that changed (and the ids of those it let go) for each site someone
 * watches on another node, with how many invitations it has on screen there. A board newly
 * watched somewhere, or watched when Redis comes back, is sent whole. What a node sent is
 * forgotten when it leaves.
 */
import type { LiveVisitor } from '@beckon/protocol';
import type { ClusterMessages, Link } from './link';

interface NodeBoard {
  visitors: Map<string, LiveVisitor>;
}

export class RemoteBoards {
  private readonly sites = new Map<string, Map<string, NodeBoard>>();

  constructor(
    link: Link,
    /** a site's board changed here: its watchers get a new page */
    private readonly changed: (siteId: string) => void,
  ) {
    link.on('board', (from, m) => this.apply(from, m));
    link.on('invites', (from, m) => this.invitesBy.set(from, new Map(m.counts)));
    link.onLeave((node) => {
      this.invitesBy.delete(node);
      this.forgetNode(node);
    });
  }

  /** per other node: invitations on screen per site (sent whether or not anyone watches the board) */
  private readonly invitesBy = new Map<string, Map<string, number>>();

  private apply(from: string, m: ClusterMessages['board']): void {
    let site = this.sites.get(m.siteId);
    if (!site) this.sites.set(m.siteId, (site = new Map()));
    let b = site.get(from);
    if (!b || m.full) site.set(from, (b = { visitors: new Map() }));
    for (const v of m.visitors as LiveVisitor[]) if (v && typeof v.visitorId === 'string') b.visitors.set(v.visitorId, v);
    for (const id of m.gone) b.visitors.delete(id);
    this.changed(m.siteId);
  }

  private forgetNode(node: string): void {
    for (const [siteId, site] of this.sites) if (site.delete(node)) this.changed(siteId);
  }

  /** every visitor other nodes hold on the site (one per visitor: the one with a tab open, if any) */
  visitors(siteId: string): Map<string, LiveVisitor> {
    const out = new Map<string, LiveVisitor>();
    for (const b of this.sites.get(siteId)?.values() ?? []) {
      for (const v of b.visitors.values()) {
        const have = out.get(v.visitorId);
        if (!have || (!have.online && v.online)) out.set(v.visitorId, v);
      }
    }
    return out;
  }

  /** invitations on screen on the other nodes: each holds an operator slot, wherever it is shown */
  invites(siteId: string): number {
    let n = 0;
    for (const counts of this.invitesBy.values()) n += counts.get(siteId) ?? 0;
    return n;
  }

  find(visitorId: string): LiveVisitor | null {
    for (const site of this.sites.values()) for (const b of site.values()) {
      const v = b.visitors.get(visitorId);
      if (v) return v;
    }
    return null;
  }
}
