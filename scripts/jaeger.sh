#!/usr/bin/env bash
# A local Jaeger v2 all-in-one (in-memory storage, loopback only) for the end-to-end
# suite, for CI, and for anyone who wants to look at the traces in the UI.
#
#   scripts/jaeger.sh build    find or build the jaeger binary; print its path
#   scripts/jaeger.sh start    start it in the background, wait until it answers; print its pid
#   scripts/jaeger.sh stop     stop the one this script started
#   scripts/jaeger.sh status   say whether it runs (exit 1 if not)
#   scripts/jaeger.sh pid      print the pid of the one this script started
#   scripts/jaeger.sh run      run it in the foreground (Ctrl+C stops it)
#   scripts/jaeger.sh logs     print its log file
#
# The binary is taken from $JAEGER_BIN, else `jaeger` on PATH, else the cache, else it is
# built with the Go toolchain (many minutes the first time) and cached.
#
# Environment: JAEGER_BIN, HELLO_APP_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/hello-app),
# JAEGER_LISTEN_HOST (default 127.0.0.1), JAEGER_START_TIMEOUT (seconds, default 60),
# JAEGER_BUILD_WAIT (seconds to wait for another build of the cached binary, default 3600).
set -euo pipefail

# The Jaeger release to build: v2.20.0. Its module path has no /v2 suffix, so Go cannot
# name it by that tag; this is the commit the v2.20.0 tag points at.
JAEGER_RELEASE=v2.20.0
JAEGER_COMMIT=798e4b0fcf22609e381df764a01461affd813e1e
# Fallback when the module proxy will not serve that commit: the v1 tag of an older v2
# release (v1.76.0 is the same code as v2.13.0), which the proxy knows as a version.
JAEGER_FALLBACK_VERSION=v1.76.0
JAEGER_MODULE=github.com/jaegertracing/jaeger

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${HELLO_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hello-app}"
cached_bin="$cache/jaeger"
pid_file="$cache/jaeger.pid"
log_file="$cache/jaeger.log"
config="$here/jaeger-config.yaml"
export JAEGER_LISTEN_HOST="${JAEGER_LISTEN_HOST:-127.0.0.1}"
health_url="http://$JAEGER_LISTEN_HOST:13133/status"
query_url="http://$JAEGER_LISTEN_HOST:16686/api/services"

say() { echo "jaeger.sh: $*" >&2; }
die() {
  say "$*"
  exit 1
}

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

# Builds into a temporary file and renames it, so a half-written binary is never used.
build_binary() {
  command -v go >/dev/null 2>&1 || die "no jaeger binary and no Go toolchain to build one; install Go, set JAEGER_BIN, or use Docker (see docs/e2e-and-compare.md)"
  mkdir -p "$cache"
  local tmp="$cache/jaeger.building.$$"
  say "building Jaeger $JAEGER_RELEASE ($JAEGER_MODULE@$JAEGER_COMMIT); the first build takes many minutes"
  if GOBIN="$cache/gobin.$$" go install "$JAEGER_MODULE/cmd/jaeger@$JAEGER_COMMIT"; then
    mv "$cache/gobin.$$/jaeger" "$cached_bin"
    rmdir "$cache/gobin.$$"
    return
  fi
  rm -rf "$cache/gobin.$$"
  say "go install failed; building $JAEGER_MODULE@$JAEGER_FALLBACK_VERSION (= Jaeger v2.13.0) instead"
  local dir
  dir="$(go mod download -json "$JAEGER_MODULE@$JAEGER_FALLBACK_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -d "$dir" ]] || die "go mod download did not report a module directory"
  # building inside the module directory honours its go.mod (and its replace directives)
  if ! (cd "$dir" && go build -o "$tmp" ./cmd/jaeger); then
    rm -f "$tmp"
    die "go build failed"
  fi
  mv "$tmp" "$cached_bin"
}

# Finds the binary, or builds it once: a second caller waits for the first one's build.
ensure_binary() {
  if [[ -n "${JAEGER_BIN:-}" && ! -x "$JAEGER_BIN" ]]; then
    die "JAEGER_BIN=$JAEGER_BIN is not an executable"
  fi
  local bin
  if bin="$(find_binary)"; then
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
  echo "$cached_bin"
}

start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid)"
    echo "$pid"
    return
  fi
  if answers "$health_url"; then
    die "something else already answers on $health_url; stop it first (or use it as is)"
  fi
  local bin
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
  say "running (pid $pid): UI http://$JAEGER_LISTEN_HOST:16686, log $log_file"
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
    else
      die "not running"
    fi
    ;;
  run) exec "$(ensure_binary)" --config "$config" ;;
  logs) cat "$log_file" ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
