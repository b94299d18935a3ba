/**
 * Command line: accounts without the console.
 *
 *   pnpm beckon create-operator <email> <name> [--role admin|supervisor|operator] [--site <siteId>]
 *   pnpm beckon reset-password <email>
 *   pnpm beckon sites
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Email, Role } from '@beckon/protocol';
import { openSqliteStore } from '@beckon/db';
import { createMember } from './bootstrap';
import { loadConfig } from './config';
import { generatePassword, hashPassword } from './http/passwords';

const USAGE = `usage:
  beckon create-operator <email> <name> [--role admin|supervisor|operator] [--site <siteId>]
  beckon reset-password <email>
  beckon sites`;

function die(msg: string): never {
  console.error(msg);
  process.exit(2);
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { role: { type: 'string', default: 'operator' }, site: { type: 'string' } } });
const [command, ...args] = positionals;
const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true });
const store = openSqliteStore({ file: join(config.dataDir, 'beckon.db') });

try {
  if (command === 'create-operator') {
    const email = Email.safeParse(args[0]);
    if (!email.success || !args[1]) die(USAGE);
    const role = Role.safeParse(values.role);
    if (!role.success) die(`--role must be admin, supervisor or operator`);
    const sites = await store.listSites();
    const site = values.site ? sites.find((s) => s.id === values.site) : sites[0];
    if (!site) die(values.site ? `no site with id ${values.site} (see \`beckon sites\`)` : 'no site yet: start Beckon once first');
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
  } else {
    die(USAGE);
  }
} finally {
  await store.close();
}
