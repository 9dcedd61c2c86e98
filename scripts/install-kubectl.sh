#!/usr/bin/env bash
# Makes sure a kustomize renderer is there for the deploy tests (test/deploy) and for
# `kubectl apply -k`: kubectl with kustomize v4 or newer built in, or a standalone
# kustomize. Idempotent: does nothing when one is already on PATH or in the cache.
#
#   bash scripts/install-kubectl.sh                 find or install one; print its path
#   bash scripts/install-kubectl.sh --from-source   build kustomize with Go even if apt has kubectl
#
# Order: kubectl or kustomize on PATH or in $cache/bin; else Debian's kubernetes-client
# package (apt-get), when its kubectl is new enough (Debian 12's 1.20 is not: its built-in
# kustomize v2 cannot read the overlays); else kustomize $KUSTOMIZE_VERSION built with the
# Go toolchain (go install, about two minutes) into $cache/bin.
#
# Environment: HELLO_APP_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/hello-app).
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.2 # needs Go >= 1.26.0
MIN_KUSTOMIZE_MAJOR=4

cache="${HELLO_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hello-app}"
bin="$cache/bin"
from_source=false
[[ "${1:-}" == "--from-source" ]] && from_source=true

say() { echo "install-kubectl.sh: $*" >&2; }

major() { sed -n 's/.*v\([0-9][0-9]*\)\..*/\1/p' | head -n 1; }

usable_kubectl() {
  local version
  version="$("$1" version --client -o json 2>/dev/null | tr -d ' \n' |
    sed -n 's/.*"kustomizeVersion":"\([^"]*\)".*/\1/p')"
  [[ -n "$version" && "$(major <<<"$version")" -ge $MIN_KUSTOMIZE_MAJOR ]] &&
    say "found $1 (kustomize $version)"
}

usable_kustomize() {
  local version
  version="$("$1" version 2>/dev/null || true)"
  [[ -n "$version" && "$(major <<<"$version")" -ge $MIN_KUSTOMIZE_MAJOR ]] &&
    say "found $1 (kustomize $version)"
}

found() {
  echo "$1"
  exit 0
}

find_existing() {
  local candidate
  for candidate in "$(command -v kubectl || true)" "$bin/kubectl"; do
    [[ -n "$candidate" && -x "$candidate" ]] && usable_kubectl "$candidate" && found "$candidate"
  done
  for candidate in "$(command -v kustomize || true)" "$bin/kustomize"; do
    [[ -n "$candidate" && -x "$candidate" ]] && usable_kustomize "$candidate" && found "$candidate"
  done
  return 0
}

as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    return 1
  fi
}

# kubernetes-client's candidate version, e.g. 1.20.5+really1.20.2-1.1+deb12u1 -> 20
apt_minor() {
  apt-cache policy kubernetes-client 2>/dev/null |
    sed -n 's/^ *Candidate: *\([0-9][0-9]*:\)\{0,1\}1\.\([0-9][0-9]*\)\..*/\2/p'
}

try_apt() {
  command -v apt-get >/dev/null 2>&1 || return 0
  local minor
  minor="$(apt_minor)"
  if [[ -z "$minor" ]]; then
    as_root apt-get update -qq >&2 || return 0
    minor="$(apt_minor)"
  fi
  if [[ -z "$minor" ]]; then
    say "apt has no kubernetes-client package"
  elif ((minor < 21)); then
    say "apt's kubernetes-client is kubectl 1.$minor, whose kustomize is too old for the overlays; not installing it"
  else
    say "installing kubectl 1.$minor from apt (kubernetes-client)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >&2 || return 0
    hash -r
    find_existing
  fi
}

try_go() {
  local go
  go="$(command -v go || true)"
  [[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
  if [[ -z "$go" ]]; then
    say "no Go toolchain to build kustomize with"
    return 0
  fi
  say "building kustomize $KUSTOMIZE_VERSION with $("$go" version | cut -d' ' -f3) into $bin"
  mkdir -p "$bin"
  local tmp
  tmp="$(mktemp -d "$cache/kustomize-build.XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  if GOBIN="$tmp" "$go" install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2; then
    mv "$tmp/kustomize" "$bin/kustomize"
    usable_kustomize "$bin/kustomize" && found "$bin/kustomize"
  fi
  say "go install of kustomize failed"
}

if ! $from_source; then
  find_existing
  try_apt
else
  [[ -x "$bin/kustomize" ]] && usable_kustomize "$bin/kustomize" && found "$bin/kustomize"
fi
try_go
say "could not find or install kubectl or kustomize; install kubectl 1.21+ (or kustomize v4+) and put it on PATH or in $bin"
exit 1
