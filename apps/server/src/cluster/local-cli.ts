/**
 * `pnpm cluster`: N Beckon nodes and HAProxy in front of them on this machine, on PostgreSQL and
 * Redis (deploy/README.md). The demo site and accounts are seeded once, by whichever node is
 * first; the demo shop runs beside node 1 and talks to the balancer. Ctrl-C stops everything.
 *
 *   pnpm cluster [--nodes 3] [--port 8080] [--database postgres://…] [--redis redis://…]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { LocalCluster } from './local';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    port: { type: 'string', default: '8080' },
    'demo-port': { type: 'string', default: '3001' },
    database: { type: 'string', default: process.env.BECKON_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/beckon' },
    redis: { type: 'string', default: process.env.BECKON_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const nodes = Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) throw new Error('--nodes: 1 to 16');

// the database is created when it does not exist yet (the nodes bring its tables up to date)
const url = new URL(values.database);
const name = url.pathname.slice(1);
const adminUrl = new URL(values.database);
adminUrl.pathname = '/postgres';
const admin = new pg.Client({ connectionString: adminUrl.toString() });
await admin.connect();
const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount;
if (!exists) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
  await admin.query(`create database ${name}`);
  console.log(`  created database ${name}`);
}
await admin.end();

const port = Number(values.port);
const cluster = await LocalCluster.start({
  nodes,
  port,
  databaseUrl: values.database,
  redisUrl: values.redis,
  dataDir: process.env.BECKON_DATA_DIR,
  env: { BECKON_DEMO: process.env.BECKON_DEMO ?? '1', BECKON_DEMO_PORT: values['demo-port'], BECKON_LOG_LEVEL: process.env.BECKON_LOG_LEVEL ?? 'warn' },
});
const lines = ['', `  Beckon behind HAProxy   ${cluster.url}`];
for (const n of cluster.nodes) lines.push(`    ${n.name.padEnd(8)} ${n.url}  (pid ${n.child?.pid})`);
// whichever node seeded printed the demo passwords
const passwords = cluster.nodes.flatMap((n) => n.output().split('\n')).filter((l) => /@demo\.beckon/.test(l));
if (process.env.BECKON_DEMO !== '0') lines.push('', `  Demo shop               http://localhost:${values['demo-port']}`);
if (passwords.length) lines.push('', '  Demo accounts (shown only at the first start):', ...passwords);
console.log(lines.join('\n') + '\n');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await cluster.close();
  process.exit(0);
};
const onSignal = () =>
  stop().catch((err: unknown) => {
    console.error('stopping failed', err);
    process.exit(1);
  });
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
