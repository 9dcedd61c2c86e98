#!/usr/bin/env bash
# npm test (or any command) on Node 22, the other LTS line the project tests: scripts/node.sh 22.
#
#   bash scripts/node22.sh              npm test on Node 22
#   bash scripts/node22.sh CMD ARGS...  any command with Node 22 first on PATH
exec bash "$(dirname "${BASH_SOURCE[0]}")/node.sh" 22 "$@"
