#!/usr/bin/env bash
# The README's test command and all that CI (.ci/run) does: install what the tests need, check that
# the committed bundles and workflow copies match their sources, lint, run the test suite, then the
# slow suite (a real diskimage-builder build, a qemu boot) unless STACKCI_SKIP_SLOW=1.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { printf '\n== %s (%ds)\n' "$1" $((SECONDS - start)); }

step "install dependencies"
bash scripts/install-deps.sh
step "check-dist"
bash scripts/check-dist.sh
step "lint"
pnpm -s lint
step "tests"
pnpm -s test
if [ "${STACKCI_SKIP_SLOW:-0}" != 1 ]; then
  step "slow tests"
  pnpm -s test:slow --passWithNoTests
fi
step "done"
