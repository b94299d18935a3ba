import type { FastifyRequest } from 'fastify';
import { BeckonError, type Role } from '@beckon/protocol';
import type { Store } from '@beckon/db';

/** The caller's role on the site; NOT_FOUND when not a member (no probing for site ids). */
export async function roleOn(store: Store, req: FastifyRequest, siteId: string, need?: Role): Promise<Role> {
  const m = (await store.membershipsOf(req.account!.id)).find((x) => x.siteId === siteId);
  if (!m) throw new BeckonError('NOT_FOUND');
  if (need === 'admin' && m.role !== 'admin') throw new BeckonError('FORBIDDEN', 'Only admins can change this.');
  return m.role;
}
