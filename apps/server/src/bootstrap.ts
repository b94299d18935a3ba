/** First start: the server secret, and the demo site with its admin and operator. */
import { randomBytes } from 'node:crypto';
import { DEFAULT_APPEARANCE, Email, LIMITS, RuleInput, SiteCreate, type Role, type SiteView } from '@beckon/protocol';
import type { Store } from '@beckon/db';
import { demoRules } from './demo-rules';
import { generatePassword, hashPassword } from './http/passwords';

export async function ensureSecret(store: Store, key = 'visitor_token_secret'): Promise<string> {
  const existing = await store.getMeta(key);
  if (existing) return existing;
  // nodes starting together on a new database: whichever stores its secret first, all sign with that one
  return store.initMeta(key, randomBytes(32).toString('base64url'));
}

export interface Credentials {
  email: string;
  password: string;
  role: Role;
}

export async function createMember(store: Store, site: SiteView, who: { email: string; name: string; role: Role; password?: string }, now: number): Promise<Credentials> {
  const password = who.password ?? generatePassword();
  const account = await store.createAccount({ email: who.email, name: who.name, passwordHash: await hashPassword(password) }, now);
  await store.putMembership({ accountId: account.id, siteId: site.id, role: who.role, capacity: LIMITS.defaultCapacity }, now);
  return { email: who.email, password, role: who.role };
}

/**
 * A clean install's first site and its first admin (`beckon init`, or BECKON_SITE_NAME… at
 * the first start with BECKON_DEMO=0). Origins are checked like the console checks them.
 */
export async function createSiteWithAdmin(store: Store, o: { name: string; origins: string[]; adminEmail: string; adminName: string; lang?: 'en' | 'ru' }, now: number): Promise<{ site: SiteView; credentials: Credentials | null }> {
  const input = SiteCreate.safeParse({ name: o.name, allowedOrigins: o.origins.map((x) => x.toLowerCase().replace(/\/+$/, '')), defaultLang: o.lang ?? 'en' });
  if (!input.success) throw new Error(`site: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const email = Email.safeParse(o.adminEmail);
  if (!email.success) throw new Error(`admin email: ${o.adminEmail} is not an email address`);
  const site = await store.createSite({ name: input.data.name, allowedOrigins: input.data.allowedOrigins, appearance: { ...DEFAULT_APPEARANCE, teamName: input.data.name }, defaultLang: input.data.defaultLang, idleCloseMinutes: 30 }, now);
  const existing = await store.getAccountByEmail(email.data);
  if (existing) {
    await store.putMembership({ accountId: existing.id, siteId: site.id, role: 'admin', capacity: LIMITS.defaultCapacity }, now);
    return { site, credentials: null };
  }
  return { site, credentials: await createMember(store, site, { email: email.data, name: o.adminName, role: 'admin' }, now) };
}

/**
 * Creates the demo site (its shop's origins allowed), a demo admin and a demo operator,
 * once: returns null when any site exists already.
 */
export async function seedDemo(store: Store, opts: { demoOrigins: string[]; now: number }): Promise<{ site: SiteView; credentials: Credentials[] } | null> {
  if ((await store.listSites()).length) return null;
  const site = await store.createSite(
    { name: 'Demo shop', allowedOrigins: opts.demoOrigins, appearance: { ...DEFAULT_APPEARANCE, teamName: 'Beckon Demo Shop' }, defaultLang: 'en', idleCloseMinutes: 30 },
    opts.now,
  );
  const credentials = [
    await createMember(store, site, { email: 'admin@demo.beckon', name: 'Alex Admin', role: 'admin' }, opts.now),
    await createMember(store, site, { email: 'operator@demo.beckon', name: 'Olga', role: 'operator' }, opts.now),
  ];
  for (const r of demoRules(opts.demoOrigins[0] ?? null)) await store.createRule(site.id, RuleInput.parse(r), opts.now);
  return { site, credentials };
}
