#!/usr/bin/env bash
# Installs what `npm run pictures` and its test need when it is missing: Debian's Chromium (driven
# by playwright-core, which downloads no browser of its own) and a colour emoji font (the messages
# start with ✅ ⚠️ 🔄; without the font they would be drawn as empty boxes). Does nothing when both
# are present, so CI may call it on every run.
#
#   bash scripts/install-chromium.sh
set -euo pipefail

missing=()
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium > /dev/null && ! command -v chromium-browser > /dev/null; then
  missing+=(chromium)
fi
if ! fc-list 2> /dev/null | grep -qi 'Noto Color Emoji'; then
  missing+=(fonts-noto-color-emoji)
fi
if [ "${#missing[@]}" -eq 0 ]; then
  echo "chromium and an emoji font are installed: nothing to do"
  exit 0
fi

if ! command -v apt-get > /dev/null; then
  echo "error: ${missing[*]} missing and apt-get is not available on this machine." >&2
  echo "Install Chromium with this system's package manager and set CHROMIUM_PATH to its executable;" >&2
  echo "install a colour emoji font (Noto Color Emoji) too, or the pictures show empty boxes for emoji." >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo > /dev/null; then
    echo "error: installing ${missing[*]} needs root, and sudo is not available: run this script as root." >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
