/** `pnpm start`: the server with its embedded defaults, and the demo shop beside it. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo } from '@beckon/demo';
import { openSqliteStore } from '@beckon/db';
import { buildApp } from './app';
import { seedDemo } from './bootstrap';
import { loadConfig } from './config';

const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true });
const store = openSqliteStore({ file: join(config.dataDir, 'beckon.db'), durability: config.durability });
const demoOrigins = config.demoPort ? [...new Set([`http://localhost:${config.demoPort}`, `http://127.0.0.1:${config.demoPort}`, `http://${config.demoHost}:${config.demoPort}`])] : [];
const seeded = await seedDemo(store, { demoOrigins, now: Date.now() });

const { app } = await buildApp({
  store,
  durability: config.durability,
  publicUrl: config.publicUrl,
  secureCookies: config.secureCookies,
  logger: { level: config.logLevel },
  logRequests: config.logRequests,
  trustProxy: config.trustProxy,
});
await app.listen({ host: config.host, port: config.port });

const site = (await store.listSites())[0];
const demo = config.demoPort && site ? await startDemo({ host: config.demoHost, port: config.demoPort, beckonUrl: config.publicUrl, siteKey: site.key }) : null;

const lines = ['', `  Beckon console   ${config.publicUrl}`];
if (demo) lines.push(`  Demo shop        http://localhost:${config.demoPort}`);
lines.push(`  Data             ${config.dataDir}`);
if (seeded) {
  lines.push('', '  First start: demo accounts created. The passwords are shown only now:');
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
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
