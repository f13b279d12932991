#!/usr/bin/env bash
# The README's test command, for a fresh Debian or Ubuntu machine: installs the system tools the tests
# use when they are missing (apt, as root or through sudo), then `npm ci && npm test`. Arguments go to
# `npm test` (vitest). test/tools.ts lists the same tools; without them `npm test` stops at once naming them.
#   prometheus, promtool  Debian package prometheus: a real Prometheus scrapes `psm sim` (test/e2e/prometheus)
#   tmux                  Debian package tmux: the debugger in a real terminal (test/e2e/dbg-tmux)
#   docker-compose        Debian package docker-compose: validates docker-compose.yml; no container engine needed
#   initdb, pg_ctl        Debian package postgresql: a throwaway cluster on 127.0.0.1 (test/dht/db.test.ts);
#                         Debian keeps them in /usr/lib/postgresql/<version>/bin; the service is not needed
set -euo pipefail
cd "$(dirname "$0")/.."
packages=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || packages+=(prometheus)
command -v tmux >/dev/null || packages+=(tmux)
command -v docker-compose >/dev/null || packages+=(docker-compose)
command -v initdb >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)
if ((${#packages[@]} > 0)); then
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then sudo=(sudo); fi
  echo "test-setup: installing ${packages[*]} (apt-get, no recommended extras)" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
npm test -- "$@"
