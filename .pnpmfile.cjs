// better-sqlite3 is compiled by node-gyp, which downloads Node's headers from nodejs.org unless
// told where they are. When the running Node ships headers that match it (Debian's nodejs, or
// machines that reach only a package registry), point node-gyp at them through pnpm's
// `extraEnv`; elsewhere nothing changes and node-gyp downloads as usual.
const fs = require('node:fs');
const path = require('node:path');

function localNodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  try {
    const header = fs.readFileSync(path.join(prefix, 'include/node/node_version.h'), 'utf8');
    const part = (k) => header.match(new RegExp(`#define NODE_${k}_VERSION (\\d+)`))?.[1];
    return `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === process.version ? prefix : undefined;
  } catch {
    return undefined;
  }
}

module.exports = {
  hooks: {
    updateConfig(config) {
      const nodedir = process.env.npm_config_nodedir || localNodeDir();
      if (nodedir) config.extraEnv = { ...(config.extraEnv || {}), npm_config_nodedir: nodedir };
      return config;
    },
  },
};
