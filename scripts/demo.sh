#!/usr/bin/env bash
# The README's first command: installs what the demo needs, then runs `stackci demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec pnpm -s stackci demo "$@"
