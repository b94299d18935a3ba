#!/usr/bin/env bash
# N Beckon nodes and HAProxy in front of them, on this machine (deploy/README.md):
#   deploy/start-cluster.sh [--nodes 3] [--port 8080] [--database postgres://…] [--redis redis://…]
# Needs PostgreSQL and Redis running, and haproxy (apt-get install haproxy). Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-cluster-tools.mjs
exec npx --yes pnpm@12.21.0 cluster "$@"
