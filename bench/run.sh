#!/usr/bin/env bash
# pnpm bench: every bench/*.bench.ts in turn. Each prints ratios against the reference tool it
# measures in the same run (never a bare time).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for b in bench/*.bench.ts; do
  echo "== $b"
  pnpm -s exec tsx "$b"
done
