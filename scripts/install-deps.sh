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
