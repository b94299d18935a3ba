/** Configuration from the environment, with the embedded defaults `pnpm start` relies on. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** <repo>/data: the same place whichever folder a command runs from. */
const DEFAULT_DATA = fileURLToPath(new URL('../../../data', import.meta.url));

export interface Config {
  host: string;
  port: number;
  /** where the browser reaches the server: script tag, console links */
  publicUrl: string;
  /** the demo shop's port; 0 turns the demo off */
  demoPort: number;
  demoHost: string;
  dataDir: string;
  /** PostgreSQL instead of the embedded SQLite file (BECKON_DATABASE_URL=postgres://…) */
  databaseUrl: string | null;
  /** Redis shared by several nodes (BECKON_REDIS_URL=redis://…); needs BECKON_DATABASE_URL */
  redisUrl: string | null;
  /** this node's name in logs and /health (BECKON_NODE_ID) */
  nodeId?: string;
  durability: 'normal' | 'full';
  logLevel: string;
  /** send cookies with Secure (on by default when publicUrl is https) */
  secureCookies: boolean;
  logRequests: boolean;
  trustProxy: boolean;
  /** webhooks may go to private and loopback addresses (BECKON_WEBHOOKS_ALLOW_PRIVATE=1): receivers on the same network */
  webhooksAllowPrivate: boolean;
  /** BECKON_SMTP_HOST and friends: outgoing email; null when not configured */
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string; from: string; verifyTls: boolean } | null;
  /** the VAPID subject of web pushes (BECKON_PUSH_SUBJECT: mailto:you@shop.example or an https: URL) */
  pushSubject?: string;
  /** the demo site, accounts, rules and shop (BECKON_DEMO=0: a production install, clean) */
  demo: boolean;
  /** BECKON_SITE_NAME / BECKON_SITE_ORIGINS / BECKON_ADMIN_EMAIL: the first site and admin of a clean install */
  firstSite: { name: string; origins: string[]; adminEmail: string; adminName: string } | null;
}

function databaseUrl(v: string | undefined): string | null {
  if (!v) return null;
  if (!/^postgres(ql)?:\/\//.test(v)) throw new Error(`BECKON_DATABASE_URL must be a postgres:// URL, got "${v.replace(/:[^:@/]*@/, ':…@')}"`);
  return v;
}

function redisUrl(v: string | undefined, database: string | null): string | null {
  if (!v) return null;
  if (!/^rediss?:\/\//.test(v)) throw new Error(`BECKON_REDIS_URL must be a redis:// URL, got "${v.replace(/:[^:@/]*@/, ':…@')}"`);
  // nodes that share sockets but not data would each be half a Beckon
  if (!database) throw new Error('BECKON_REDIS_URL needs BECKON_DATABASE_URL: several nodes share one PostgreSQL database (docs/SCALING.md)');
  return v;
}

function int(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${v}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env.PORT, 3000, 'PORT');
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.BECKON_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const durability = env.BECKON_DURABILITY === 'full' ? 'full' : 'normal';
  return {
    host,
    port,
    publicUrl,
    demoPort: int(env.BECKON_DEMO_PORT, 3001, 'BECKON_DEMO_PORT'),
    demoHost: env.BECKON_DEMO_HOST || host,
    // relative to where the command was typed (pnpm runs scripts inside the package folder)
    dataDir: env.BECKON_DATA_DIR ? resolve(env.INIT_CWD || process.cwd(), env.BECKON_DATA_DIR) : DEFAULT_DATA,
    databaseUrl: databaseUrl(env.BECKON_DATABASE_URL),
    redisUrl: redisUrl(env.BECKON_REDIS_URL, databaseUrl(env.BECKON_DATABASE_URL)),
    nodeId: env.BECKON_NODE_ID || undefined,
    durability,
    logLevel: env.BECKON_LOG_LEVEL || 'info',
    secureCookies: env.BECKON_SECURE_COOKIES ? env.BECKON_SECURE_COOKIES === '1' : publicUrl.startsWith('https:'),
    logRequests: env.BECKON_LOG_REQUESTS === '1',
    trustProxy: env.BECKON_TRUST_PROXY === '1',
    webhooksAllowPrivate: env.BECKON_WEBHOOKS_ALLOW_PRIVATE === '1',
    smtp: env.BECKON_SMTP_HOST
      ? {
          host: env.BECKON_SMTP_HOST,
          port: int(env.BECKON_SMTP_PORT, env.BECKON_SMTP_SECURE === '1' ? 465 : 587, 'BECKON_SMTP_PORT'),
          secure: env.BECKON_SMTP_SECURE === '1',
          user: env.BECKON_SMTP_USER || undefined,
          password: env.BECKON_SMTP_PASSWORD || undefined,
          from: env.BECKON_SMTP_FROM || `Beckon <no-reply@${new URL(publicUrl).hostname}>`,
          verifyTls: env.BECKON_SMTP_VERIFY_TLS !== '0',
        }
      : null,
    pushSubject: env.BECKON_PUSH_SUBJECT || undefined,
    demo: env.BECKON_DEMO !== '0',
    firstSite: env.BECKON_SITE_NAME && env.BECKON_ADMIN_EMAIL ? { name: env.BECKON_SITE_NAME, origins: (env.BECKON_SITE_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean), adminEmail: env.BECKON_ADMIN_EMAIL, adminName: env.BECKON_ADMIN_NAME || env.BECKON_ADMIN_EMAIL.split('@')[0]! } : null,
  };
}
