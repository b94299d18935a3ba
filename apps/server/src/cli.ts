/**
 * Command line: sites, accounts and personal data without the console.
 *
 *   pnpm beckon init --site "My shop" --origin https://shop.example.com --admin you@example.com [--name "Your Name"] [--lang ru]
 *   pnpm beckon create-site "Second shop" --origin https://two.example.com --admin you@example.com
 *   pnpm beckon delete-site <siteId> --confirm "<site name>"
 *   pnpm beckon sites
 *   pnpm beckon create-operator <email> <name> [--role admin|supervisor|operator] [--site <siteId>]
 *   pnpm beckon reset-password <email>
 *   pnpm beckon export-visitor <visitorId>          (JSON on standard output)
 *   pnpm beckon erase-visitor <visitorId> --yes
 *   pnpm beckon migrate-to-postgres [--to postgres://…]   (the embedded file into an empty PostgreSQL database)
 *
 * With BECKON_DATABASE_URL set, every command works on that PostgreSQL database.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Email, Role } from '@beckon/protocol';
import { copySqliteToPg, openPgStore, openSqliteStore } from '@beckon/db';
import { createMember, createSiteWithAdmin } from './bootstrap';
import { loadConfig } from './config';
import { generatePassword, hashPassword } from './http/passwords';

const USAGE = `usage:
  beckon init --site <name> --origin <https://your.shop> [--origin …] --admin <email> [--name <admin name>] [--lang en|ru]
  beckon create-site <name> --origin <https://…> [--origin …] --admin <email>
  beckon delete-site <siteId> --confirm <site name>
  beckon sites
  beckon create-operator <email> <name> [--role admin|supervisor|operator] [--site <siteId>]
  beckon reset-password <email>
  beckon export-visitor <visitorId>
  beckon erase-visitor <visitorId> --yes
  beckon migrate-to-postgres [--to <postgres://user@host:5432/db>]   (default: BECKON_DATABASE_URL)`;

function die(msg: string): never {
  console.error(msg);
  process.exit(2);
}

// ids are base64url, and one in 64 begins with "-": an argument of one dash is never an option
// here (none has a short form), so it is kept aside from parseArgs and put back after
const kept = new Map<string, string>();
const argv = process.argv.slice(2).map((a, i) => (/^-[^-]/.test(a) ? (kept.set(`\0${i}`, a), `\0${i}`) : a));
const back = <T>(v: T): T => (typeof v === 'string' ? ((kept.get(v) ?? v) as T) : Array.isArray(v) ? (v.map(back) as T) : v);
const parsed = parseArgs({
  args: argv,
  allowPositionals: true,
  options: {
    role: { type: 'string', default: 'operator' },
    site: { type: 'string' },
    origin: { type: 'string', multiple: true },
    admin: { type: 'string' },
    name: { type: 'string' },
    lang: { type: 'string', default: 'en' },
    confirm: { type: 'string' },
    yes: { type: 'boolean', default: false },
    to: { type: 'string' },
  },
});
const positionals = parsed.positionals.map(back);
const values = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, back(v)])) as typeof parsed.values;
const [command, ...args] = positionals;
const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true });
const file = join(config.dataDir, 'beckon.db');

if (command === 'migrate-to-postgres') {
  const url = values.to ?? config.databaseUrl;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) die('migrate-to-postgres needs the target: --to postgres://user@host:5432/beckon (or BECKON_DATABASE_URL)');
  const started = Date.now();
  try {
    const r = await copySqliteToPg(file, url, { onTable: (name, rows) => rows && console.log(`  ${name.padEnd(22)} ${rows}`) });
    console.log(`copied ${r.rows} rows of ${r.tables.length} tables from ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log('now start Beckon with BECKON_DATABASE_URL set to it (visitor and console sessions stay valid); files sent in chats stay in BECKON_DATA_DIR/files');
    process.exit(0);
  } catch (e) {
    die(`nothing was copied: ${(e as Error).message}`);
  }
}

const store = config.databaseUrl ? await openPgStore({ url: config.databaseUrl, poolSize: 2 }) : openSqliteStore({ file });

async function newSite(name: string | undefined) {
  if (!name || !values.admin) die(USAGE);
  const lang = values.lang === 'ru' ? 'ru' : 'en';
  const made = await createSiteWithAdmin(store, { name, origins: values.origin ?? [], adminEmail: values.admin, adminName: values.name ?? values.admin.split('@')[0]!, lang }, Date.now()).catch((e: Error) => die(e.message));
  console.log(`created site "${made.site.name}"  id=${made.site.id}  key=${made.site.key}  origins=${made.site.allowedOrigins.join(',') || '(none yet: add them in Settings)'}`);
  if (made.credentials) console.log(`admin ${made.credentials.email}\npassword: ${made.credentials.password}   (shown only now)`);
  else console.log(`${values.admin} (an existing account) is its admin`);
}

try {
  if (command === 'init') {
    if ((await store.listSites()).length) die('this install has a site already: use create-site for another one (see `beckon sites`)');
    await newSite(values.site);
  } else if (command === 'create-site') {
    await newSite(args[0]);
  } else if (command === 'delete-site') {
    const site = args[0] ? await store.getSite(args[0]) : null;
    if (!site) die(`no site with id ${args[0] ?? '(missing)'} (see \`beckon sites\`)`);
    if (values.confirm !== site.name) die(`this deletes "${site.name}" with all its conversations, visitors and rules: repeat its name with --confirm "${site.name}"`);
    await store.deleteSite(site.id);
    console.log(`deleted site "${site.name}" and all its data`);
  } else if (command === 'create-operator') {
    const email = Email.safeParse(args[0]);
    if (!email.success || !args[1]) die(USAGE);
    const role = Role.safeParse(values.role);
    if (!role.success) die(`--role must be admin, supervisor or operator`);
    const sites = await store.listSites();
    const site = values.site ? sites.find((s) => s.id === values.site) : sites[0];
    if (!site) die(values.site ? `no site with id ${values.site} (see \`beckon sites\`)` : 'no site yet: run `beckon init` first');
    if (await store.getAccountByEmail(email.data)) die(`an account with ${email.data} exists; use reset-password`);
    const c = await createMember(store, site, { email: email.data, name: args.slice(1).join(' '), role: role.data }, Date.now());
    console.log(`created ${c.role} ${c.email} on "${site.name}"\npassword: ${c.password}`);
  } else if (command === 'reset-password') {
    const email = Email.safeParse(args[0]);
    if (!email.success) die(USAGE);
    const account = await store.getAccountByEmail(email.data);
    if (!account) die(`no account with ${email.data}`);
    const password = generatePassword();
    await store.updateAccount(account.id, { passwordHash: await hashPassword(password) });
    await store.deleteAuthSessionsOf(account.id);
    console.log(`new password for ${email.data}: ${password}\n(every session of this account was signed out)`);
  } else if (command === 'sites') {
    for (const s of await store.listSites()) console.log(`${s.id}  key=${s.key}  ${s.name}  origins=${s.allowedOrigins.join(',')}`);
  } else if (command === 'export-visitor') {
    const data = args[0] ? await store.exportVisitor(args[0]) : null;
    if (!data) die(`no visitor with id ${args[0] ?? '(missing)'}`);
    console.log(JSON.stringify({ exportedAt: Date.now(), visitorId: args[0], data }, null, 2));
  } else if (command === 'erase-visitor') {
    if (!args[0]) die(USAGE);
    if (!values.yes) die('this erases everything about the visitor: add --yes');
    if (!(await store.eraseVisitor(args[0]))) die(`no visitor with id ${args[0]}`);
    console.log(`erased visitor ${args[0]}: messages, journey, offers, inbox items and identity`);
  } else {
    die(USAGE);
  }
} finally {
  await store.close();
}
