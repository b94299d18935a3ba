/**
 * Visitor identity: a random id plus an HMAC-SHA256 signature with a server secret, so a
 * visitor can only resume their own id. Token: `<visitorId>.<sig>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signVisitor(secret: string, siteId: string, visitorId: string): string {
  const sig = createHmac('sha256', secret).update(`${siteId}:${visitorId}`).digest('base64url');
  return `${visitorId}.${sig}`;
}

/** The visitor id the token proves, or null. */
export function verifyVisitor(secret: string, siteId: string, token: unknown): string | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const dot = token.indexOf('.');
  if (dot < 1) return null;
  const id = token.slice(0, dot);
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
  const expected = Buffer.from(signVisitor(secret, siteId, id));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
}
