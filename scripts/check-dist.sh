#!/usr/bin/env bash
# Rebuilds every action bundle, the action READMEs' generated tables and the workflow copies, and
# fails when that changed anything: what is committed must be what the sources build
# (actions/typescript-action's check-dist, done by content so it also works on a dirty work tree).
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot() {
  find actions/*/dist actions/*/README.md .github/workflows -type f 2>/dev/null | LC_ALL=C sort | xargs -r sha256sum
}
before=$(snapshot)
pnpm -s build
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "check-dist: the build changed these files; run 'pnpm build' and commit them:" >&2
  diff <(echo "$before") <(echo "$after") | grep '^[<>]' | awk '{print "  " $3}' | sort -u >&2
  exit 1
fi
echo "check-dist: dist/, action READMEs and .github/workflows/ match their sources"
