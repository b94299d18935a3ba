/**
 * Console sessions: a random token in an httpOnly cookie; the store keeps only its sha256.
 */
import { createHash, randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import type { AccountRow, Store } from '@beckon/db';

export const SESSION_COOKIE = 'beckon_session';
const TTL_MS = 30 * 24 * 3600 * 1000;

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly secure: boolean,
  ) {}

  async start(reply: FastifyReply, accountId: string): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + TTL_MS;
    await this.store.createAuthSession({ id: digest(token), accountId, expiresAt }, this.now());
    // Secure when configured, and whenever the browser reached us over https (behind a proxy: X-Forwarded-Proto with BECKON_TRUST_PROXY=1)
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure || reply.request.protocol === 'https', expires: new Date(expiresAt) });
  }

  async end(reply: FastifyReply, token: string | undefined): Promise<void> {
    if (token) await this.store.deleteAuthSession(digest(token));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  async fromToken(token: string | undefined): Promise<{ account: AccountRow } | null> {
    if (!token || token.length > 100) return null;
    const s = await this.store.getAuthSession(digest(token), this.now());
    if (!s) return null;
    const account = await this.store.getAccount(s.accountId);
    return account ? { account } : null;
  }

  fromCookieHeader(header: string | undefined) {
    return this.fromToken(header ? fastifyCookie.parse(header)[SESSION_COOKIE] : undefined);
  }
}
