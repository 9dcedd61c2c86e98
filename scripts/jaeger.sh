#!/usr/bin/env bash
# A local Jaeger v2 all-in-one (in-memory storage, loopback only) for the end-to-end
# suite, for CI, and for `npm run compare`. A Jaeger built here from source has no UI (its
# page on 16686 is a placeholder; `start` says so and where a Jaeger with the UI is had).
#
#   scripts/jaeger.sh build    find or build the jaeger binary; print its path
#   scripts/jaeger.sh start    start it in the background, wait until it answers; print its pid
#   scripts/jaeger.sh stop     stop the one this script started
#   scripts/jaeger.sh status   say whether it runs (exit 1 if not)
#   scripts/jaeger.sh pid      print the pid of the one this script started
#   scripts/jaeger.sh run      run it in the foreground (Ctrl+C stops it)
#   scripts/jaeger.sh logs     print its log file
#   scripts/jaeger.sh pin      print the pinned release and the Go module version built for it
#
# The release is the project's one Jaeger pin, JAEGER_VERSION in the repository's .env
# (docker compose reads the same line for its image; a deploy test keeps the docs equal to
# it). The binary is taken from $JAEGER_BIN, else `jaeger` on PATH, else the cache, else it
# is built with the Go toolchain (many minutes the first time) and cached; the version
# built is recorded in <cache>/jaeger.version (the binary itself reports empty version
# fields), and `build`, `start`, `status` and `run` say which Jaeger runs.
#
# Environment: JAEGER_BIN, HELLO_APP_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/hello-app),
# JAEGER_LISTEN_HOST (default 127.0.0.1), JAEGER_START_TIMEOUT (seconds, default 60),
# JAEGER_BUILD_WAIT (seconds to wait for another build of the cached binary, default 3600).
set -euo pipefail

JAEGER_MODULE=github.com/jaegertracing/jaeger

# Go can name Jaeger's module only by its v1.x tags: the module path has no /v2 suffix, so
# a v2.x tag is not a version Go accepts, and the module proxy refuses to serve the commits
# of v2 releases (403 "This module version is not available"). Up to v1.76.0 each v2
# release also got a v1 tag on the same commit; those are the releases jaeger.sh can build.
# v1.76.0 (= v2.13.0) is the last such tag.
module_version_of() {
  case "$1" in
    2.13.0) echo v1.76.0 ;;
    2.12.0) echo v1.75.0 ;;
    2.11.0) echo v1.74.0 ;;
    2.10.0) echo v1.73.0 ;;
    *) return 1 ;;
  esac
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pin_file="$(cd "$here/.." && pwd)/.env"
cache="${HELLO_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hello-app}"
cached_bin="$cache/jaeger"
pid_file="$cache/jaeger.pid"
log_file="$cache/jaeger.log"
version_file="$cache/jaeger.version"
config="$here/jaeger-config.yaml"
export JAEGER_LISTEN_HOST="${JAEGER_LISTEN_HOST:-127.0.0.1}"
health_url="http://$JAEGER_LISTEN_HOST:13133/status"
query_url="http://$JAEGER_LISTEN_HOST:16686/api/services"
ui_url="http://$JAEGER_LISTEN_HOST:16686/"

say() { echo "jaeger.sh: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# The pin: the JAEGER_VERSION=X.Y.Z line of .env. Only that file counts here: an exported
# JAEGER_VERSION (which compose would honour for one run) does not change what is built.
JAEGER_VERSION=""
if [[ -r "$pin_file" ]]; then
  JAEGER_VERSION="$(sed -n 's/^JAEGER_VERSION=\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)[[:space:]]*$/\1/p' "$pin_file" | head -n 1)"
fi
[[ -n "$JAEGER_VERSION" ]] || die "no JAEGER_VERSION=X.Y.Z line in $pin_file (the project's Jaeger pin)"
JAEGER_RELEASE="v$JAEGER_VERSION"

answers() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

running_pid() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

find_binary() {
  if [[ -n "${JAEGER_BIN:-}" ]]; then
    echo "$JAEGER_BIN"
  elif command -v jaeger >/dev/null 2>&1; then
    command -v jaeger
  elif [[ -x "$cached_bin" ]]; then
    echo "$cached_bin"
  else
    return 1
  fi
}

# What the cached binary was built from, written once it is in place (a binary without
# this record predates it, or its build was cut short).
record_version() {
  echo "$1" >"$version_file.$$"
  mv "$version_file.$$" "$version_file"
}

# Builds into a temporary file and renames it, so a half-written binary is never used.
build_binary() {
  command -v go >/dev/null 2>&1 || die "no jaeger binary and no Go toolchain to build one; install Go, set JAEGER_BIN, or use Docker (see docs/e2e-and-compare.md)"
  local module_version
  module_version="$(module_version_of "$JAEGER_VERSION")" ||
    die "Jaeger $JAEGER_RELEASE (the pin in .env) has no v1.x tag, so Go cannot build it through the module proxy; set JAEGER_BIN to the jaeger binary of its release archive (jaeger-$JAEGER_VERSION-linux-amd64.tar.gz on https://github.com/jaegertracing/jaeger/releases), or use Docker"
  mkdir -p "$cache"
  rm -f "$version_file"
  local tmp="$cache/jaeger.building.$$" dir
  say "building Jaeger $JAEGER_RELEASE from $JAEGER_MODULE@$module_version (the same commit); the first build takes many minutes"
  dir="$(go mod download -json "$JAEGER_MODULE@$module_version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -d "$dir" ]] || die "go mod download did not report a module directory"
  # building inside the module directory honours its go.mod (and its replace directives)
  if ! (cd "$dir" && go build -o "$tmp" ./cmd/jaeger); then
    rm -f "$tmp"
    die "go build failed"
  fi
  mv "$tmp" "$cached_bin"
  record_version "$JAEGER_RELEASE (built from source: $JAEGER_MODULE@$module_version)"
}

# A cached binary built before the record existed: go build inside the downloaded module
# directory stamps "(devel)", and jaeger.sh then built that way only v1.76.0 (= v2.13.0).
infer_version() {
  command -v go >/dev/null 2>&1 || return 1
  local mod
  mod="$(go version -m "$1" 2>/dev/null | awk -v m="$JAEGER_MODULE" '$1 == "mod" && $2 == m { print $3; exit }' || true)"
  [[ "$mod" == "(devel)" ]] || return 1
  echo "v2.13.0 (built from source: $JAEGER_MODULE@v1.76.0; not recorded, read from its Go build info)"
}

# A cached build of another release than the pin (the pin moved since it was built).
warn_if_not_pinned() {
  local described="$1"
  case "$described" in
    "$JAEGER_RELEASE "* | custom* | "version not recorded"*) ;;
    *) say "the cached Jaeger is not the pinned $JAEGER_RELEASE (.env); rm $cached_bin and run scripts/jaeger.sh build to build the pin" ;;
  esac
}

# Which Jaeger `$1` is, in words: the record of this script's build, or what a binary
# from elsewhere reports (a release build reports its version; a source build reports
# empty fields).
version_of() {
  local bin="$1" reported
  if [[ "$bin" == "$cached_bin" && -z "${JAEGER_BIN:-}" ]]; then
    if [[ -s "$version_file" ]]; then
      head -n 1 "$version_file"
    elif ! infer_version "$bin"; then
      echo "version not recorded (built before jaeger.sh recorded it; rm $cached_bin and run scripts/jaeger.sh build to rebuild it)"
    fi
    return
  fi
  reported="$("$bin" version 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -n 1 || true)"
  local origin="jaeger on PATH"
  [[ -n "${JAEGER_BIN:-}" ]] && origin="JAEGER_BIN"
  echo "custom ($origin: $bin${reported:+, reports $reported})"
}

# Says which Jaeger `$1` is, and whether it is not the pin.
say_version() {
  local described
  described="$(version_of "$1")"
  say "Jaeger $described"
  warn_if_not_pinned "$described"
}

# The page on 16686 of a binary built without the UI's assets is a placeholder.
has_no_ui() {
  local page
  page="$(curl -fsS --max-time 2 "$ui_url" 2>/dev/null || true)"
  [[ "$page" == *"not the Jaeger UI you are looking for"* ]]
}

say_no_ui() {
  say "NO UI: this Jaeger was built from source without the UI's assets: $ui_url shows only a placeholder page (\"This is not the Jaeger UI you are looking for\")."
  say "  Its query API works (/api/traces, /api/services), and \`npm run compare\` draws the traces in the terminal."
  say "  For the UI, run a Jaeger that ships it: the Docker image jaegertracing/jaeger:$JAEGER_VERSION (docs/e2e-and-compare.md, \"With Docker\"),"
  say "  or the binary in Jaeger's release archive jaeger-$JAEGER_VERSION-linux-amd64.tar.gz from https://github.com/jaegertracing/jaeger/releases:"
  say "  JAEGER_BIN=/path/to/jaeger scripts/jaeger.sh start"
}

# Finds the binary, or builds it once: a second caller waits for the first one's build.
ensure_binary() {
  if [[ -n "${JAEGER_BIN:-}" && ! -x "$JAEGER_BIN" ]]; then
    die "JAEGER_BIN=$JAEGER_BIN is not an executable"
  fi
  local bin
  if bin="$(find_binary)"; then
    say_version "$bin"
    echo "$bin"
    return
  fi
  mkdir -p "$cache"
  exec 9>"$cache/jaeger.build.lock"
  if ! flock -n 9; then
    say "another build of $cached_bin is running; waiting for it"
    flock -w "${JAEGER_BUILD_WAIT:-3600}" 9 || die "gave up waiting for the other build"
  fi
  [[ -x "$cached_bin" ]] || build_binary
  exec 9>&-
  say_version "$cached_bin"
  echo "$cached_bin"
}

start() {
  local pid bin
  if pid="$(running_pid)"; then
    say "already running (pid $pid)"
    if bin="$(find_binary)"; then say_version "$bin"; fi
    echo "$pid"
    return
  fi
  if answers "$health_url"; then
    die "something else already answers on $health_url; stop it first (or use it as is)"
  fi
  bin="$(ensure_binary)"
  mkdir -p "$cache"
  # setsid: its own process group, so a Ctrl+C in the caller's terminal does not reach it
  setsid "$bin" --config "$config" >"$log_file" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  local deadline=$((SECONDS + ${JAEGER_START_TIMEOUT:-60}))
  until answers "$health_url" && answers "$query_url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log_file" >&2 || true
      rm -f "$pid_file"
      die "jaeger exited during start-up (log: $log_file)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$log_file" >&2 || true
      stop >/dev/null
      die "jaeger did not answer on $health_url within ${JAEGER_START_TIMEOUT:-60}s"
    fi
    sleep 0.2
  done
  if has_no_ui; then
    say "running (pid $pid): query API http://$JAEGER_LISTEN_HOST:16686/api/, log $log_file"
    say_no_ui
  else
    say "running (pid $pid): UI http://$JAEGER_LISTEN_HOST:16686, log $log_file"
  fi
  echo "$pid"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    say "not running"
    return
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop within 10s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  say "stopped (pid $pid)"
}

case "${1:-}" in
  build) ensure_binary ;;
  start) start ;;
  stop) stop ;;
  pid) running_pid || die "not running" ;;
  status)
    if pid="$(running_pid)"; then
      answers "$health_url" && say "running (pid $pid), healthy" || say "running (pid $pid), not answering yet"
      if bin="$(find_binary)"; then say_version "$bin"; fi
      if has_no_ui; then
        say "no UI: $ui_url is a placeholder (a build from source; \`scripts/jaeger.sh start\` says where the UI is had)"
      fi
    else
      die "not running"
    fi
    ;;
  run)
    bin="$(ensure_binary)"
    if [[ "$bin" == "$cached_bin" && -z "${JAEGER_BIN:-}" ]]; then say_no_ui; fi
    exec "$bin" --config "$config"
    ;;
  logs) cat "$log_file" ;;
  pin)
    if module_version="$(module_version_of "$JAEGER_VERSION")"; then
      echo "$JAEGER_VERSION $JAEGER_MODULE@$module_version"
    else
      echo "$JAEGER_VERSION (no Go module version: not buildable from source here)"
    fi
    ;;
  *)
    # the header comment above: every line from the second to the first that is no comment
    sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
