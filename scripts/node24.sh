#!/usr/bin/env bash
# npm test (or any command) on Node 24, the Docker image's Node: scripts/node.sh 24.
#
#   bash scripts/node24.sh              npm test on Node 24
#   bash scripts/node24.sh CMD ARGS...  any command with Node 24 first on PATH
exec bash "$(dirname "${BASH_SOURCE[0]}")/node.sh" 24 "$@"
