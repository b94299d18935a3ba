/** What `pnpm start` runs once main.ts holds the port: the server with its embedded defaults, and the demo shop beside it. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo } from '@beckon/demo';
import { openPgStore, openSqliteStore } from '@beckon/db';
import { buildApp } from './app';
import { createSiteWithAdmin, seedDemo, type Credentials } from './bootstrap';
import type { Config } from './config';
import type { HeldPort } from './lib/held-port';

export async function serve(config: Config, held: HeldPort | null): Promise<void> {
  mkdirSync(config.dataDir, { recursive: true });
  // BECKON_DATABASE_URL: PostgreSQL, shared by every node (docs/SCALING.md); otherwise the embedded file
  const store = config.databaseUrl ? await openPgStore({ url: config.databaseUrl }) : openSqliteStore({ file: join(config.dataDir, 'beckon.db'), durability: config.durability });
  // the demo by default (the README's promise); BECKON_DEMO=0 is a production install that starts clean
  const demoPort = config.demo ? config.demoPort : 0;
  const demoOrigins = demoPort ? [...new Set([`http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`, `http://${config.demoHost}:${demoPort}`])] : [];
  let seeded = null as { credentials: Credentials[] } | null;
  // several nodes starting at once: one seeds, the others find it done
  await store.exclusive('seed', async () => {
    if (config.demo) seeded = await seedDemo(store, { demoOrigins, now: Date.now() });
    else if (config.firstSite && !(await store.listSites()).length) {
      const made = await createSiteWithAdmin(store, config.firstSite, Date.now());
      seeded = { credentials: made.credentials ? [made.credentials] : [] };
    }
  });

  const { app } = await buildApp({
    store,
    filesDir: join(config.dataDir, 'files'),
    durability: config.durability,
    publicUrl: config.publicUrl,
    secureCookies: config.secureCookies,
    logger: { level: config.logLevel },
    logRequests: config.logRequests,
    trustProxy: config.trustProxy,
    redisUrl: config.redisUrl ?? undefined,
    nodeId: config.nodeId,
    webhooks: { allowPrivate: config.webhooksAllowPrivate },
    smtp: config.smtp,
    push: { subject: config.pushSubject },
  });
  // the connections that came while this loaded are served now (./lib/held-port.ts)
  if (held) await held.adopt(app);
  else await app.listen({ host: config.host, port: config.port });

  const site = (await store.listSites())[0];
  const demo = demoPort && site ? await startDemo({ host: config.demoHost, port: demoPort, beckonUrl: config.publicUrl, siteKey: site.key }) : null;

  const lines = ['', `  Beckon console   ${config.publicUrl}`];
  if (demo) lines.push(`  Demo shop        http://localhost:${demoPort}`);
  if (!site) lines.push('', '  No site yet. Create the first one with its admin:', '    pnpm beckon init --site "My shop" --origin https://shop.example.com --admin you@example.com');
  lines.push(`  Data             ${config.databaseUrl ? `PostgreSQL ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}, files in ${config.dataDir}` : config.dataDir}`);
  if (seeded) {
    lines.push('', config.demo ? '  First start: demo accounts created. The passwords are shown only now:' : '  First start: the first admin was created. The password is shown only now:');
    for (const c of seeded.credentials) lines.push(`    ${c.role.padEnd(9)} ${c.email.padEnd(24)} ${c.password}`);
    lines.push('  (lost one? `pnpm beckon reset-password <email>`)');
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  async function stop(signal: string) {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await demo?.close();
    await app.close();
    await store.close();
    process.exit(0);
  }
  const stopOn = (signal: string) => () =>
    stop(signal).catch((err: unknown) => {
      console.error('shutdown failed', err);
      process.exit(1);
    });
  process.on('SIGTERM', stopOn('SIGTERM'));
  process.on('SIGINT', stopOn('SIGINT'));
}
