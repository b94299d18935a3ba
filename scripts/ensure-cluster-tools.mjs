#!/usr/bin/env node
// The cluster tests run several Beckon nodes behind HAProxy with a Redis of their own: both come
// from Debian's packages. Installs what is missing when this user can, otherwise stops with the
// command to run. It never lets the cluster tests be skipped silently.
import { execFileSync, spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = [['haproxy', 'haproxy'], ['redis-server', 'redis-server']].filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg);
if (!missing.length) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (has('apt-get') && (root || sudo)) {
  console.log(`The cluster tests need ${missing.join(' and ')}: installing from Debian packages…`);
  const run = (args) => execFileSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  } catch {
    /* reported below */
  }
  // the packages' own services are not wanted: the tests start their own processes
  spawnSync('sh', ['-c', 'command -v service >/dev/null && service haproxy stop'], { stdio: 'ignore' });
  if ([['haproxy'], ['redis-server']].every(([cmd]) => has(cmd))) process.exit(0);
}

console.error(`
The cluster tests need ${missing.join(' and ')}, and could not install them automatically.
Install them, then run the tests again:

    sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}
`);
process.exit(1);
