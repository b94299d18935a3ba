/** Login, logout, who am I, change my password. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BeckonError, LIMITS, LoginBody, PasswordChange, type MeView } from '@beckon/protocol';
import type { AccountRow, Store } from '@beckon/db';
import { memoryLimiters, type Limiters } from '../lib/limits';
import { parse } from './errors';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords';
import { SESSION_COOKIE, type Sessions } from './sessions';

declare module 'fastify' {
  interface FastifyRequest {
    account: AccountRow | null;
  }
}

/** preHandler: 401 unless the session cookie names a live session. */
export async function requireAccount(req: FastifyRequest): Promise<void> {
  if (!req.account) throw new BeckonError('UNAUTHENTICATED');
}

export async function meView(store: Store, account: AccountRow): Promise<MeView> {
  const ms = await store.membershipsOf(account.id);
  return { account: { id: account.id, email: account.email, name: account.name }, memberships: ms.map((m) => ({ siteId: m.siteId, siteName: m.siteName, role: m.role, capacity: m.capacity })) };
}

/** Root-level: every /api request learns its account from the session cookie. */
export function resolveAccounts(app: FastifyInstance, sessions: Sessions): void {
  app.decorateRequest('account', null);
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/api/') || req.url === '/health') req.account = (await sessions.fromToken(req.cookies[SESSION_COOKIE]))?.account ?? null;
  });
}

export function authRoutes(deps: { store: Store; sessions: Sessions; now: () => number; /** end the account's live console connections */ revoke: (accountId: string) => void; limiters?: Limiters }) {
  return async function plugin(app: FastifyInstance) {
    const { store, sessions } = deps;
    const logins = (deps.limiters ?? memoryLimiters).counter({ keyPrefix: 'login-ip', points: LIMITS.loginPerMinute, duration: 60 }, deps.now);

    app.post('/api/auth/login', async (req, reply) => {
      if (!(await logins.hit(req.ip))) throw new BeckonError('RATE_LIMITED', 'Too many sign-in attempts; wait a minute.');
      const body = parse(LoginBody, req.body);
      const account = await store.getAccountByEmail(body.email);
      const good = await verifyPassword(body.password, account?.passwordHash ?? DUMMY_HASH);
      if (!account || !good) throw new BeckonError('INVALID_CREDENTIALS');
      await sessions.start(reply, account.id);
      return meView(store, account);
    });

    app.post('/api/auth/logout', async (req, reply) => {
      await sessions.end(reply, req.cookies[SESSION_COOKIE]);
      return { ok: true };
    });

    app.get('/api/auth/me', { preHandler: requireAccount }, async (req) => meView(store, req.account!));

    app.post('/api/auth/password', { preHandler: requireAccount }, async (req, reply) => {
      const body = parse(PasswordChange, req.body);
      const account = req.account!;
      if (!(await verifyPassword(body.current, account.passwordHash))) throw new BeckonError('INVALID_CREDENTIALS', 'The current password is wrong.');
      await store.updateAccount(account.id, { passwordHash: await hashPassword(body.next) });
      await store.deleteAuthSessionsOf(account.id);
      deps.revoke(account.id);
      await sessions.start(reply, account.id);
      return { ok: true };
    });
  };
}
