#!/usr/bin/env node
// The browser tests need Chromium from Debian's packages (playwright-core drives it; no
// browser download). Installs it when this user can, otherwise stops with the command to run.
// It never lets the browser tests be skipped silently.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// the emoji in screenshots are drawn by a font: without one they are empty boxes (nice to have, not required)
const EMOJI_FONT = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

if (existsSync(path)) {
  if (!existsSync(EMOJI_FONT) && has('apt-get') && (root || sudo)) {
    const args = ['apt-get', 'install', '-y', '-qq', 'fonts-noto-color-emoji'];
    spawnSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  process.exit(0);
}

if (has('apt-get') && (root || sudo)) {
  console.log('Chromium is missing: installing it from Debian packages (apt-get install chromium)…');
  const run = (args) => execFileSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', 'chromium', 'fonts-dejavu-core', 'fonts-noto-color-emoji']);
  } catch {
    /* reported below */
  }
  if (existsSync(path)) process.exit(0);
}

console.error(`
The browser tests need Chromium at ${path}, and it could not be installed automatically.
Install it, then run the tests again:

    sudo apt-get update && sudo apt-get install -y chromium

(or point CHROMIUM_PATH at a Chromium or Chrome binary).
`);
process.exit(1);
