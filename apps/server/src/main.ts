/**
 * `pnpm start`: the server with its embedded defaults, and the demo shop beside it.
 *
 * The port is taken before anything else loads, and the connections that come while Beckon
 * starts wait for it instead of being refused (./lib/held-port.ts): after a deploy every widget
 * comes back at once rather than over Socket.IO's back-off. Keep this file's static imports to
 * node's own modules and those two light ones.
 */
import { isIP } from 'node:net';
import { loadConfig } from './config';
import { holdPort } from './lib/held-port';

const config = loadConfig();
// a host name (localhost: both 127.0.0.1 and ::1) is left to Fastify's own listen
const held = isIP(config.host) ? await holdPort(config.host, config.port) : null;
try {
  const { serve } = await import('./serve');
  await serve(config, held);
} catch (err) {
  held?.release();
  throw err;
}
