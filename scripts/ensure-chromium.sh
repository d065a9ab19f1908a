#!/usr/bin/env bash
# Make sure a Chromium the browser tests can drive is installed (Debian package "chromium").
set -euo pipefail
browser="${ACTLIB_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $browser: installing Debian's chromium package..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
cat >&2 <<MSG
The browser tests need Chromium at $browser (or set ACTLIB_CHROMIUM to its path).
Install it as root, e.g. on Debian/Ubuntu:  sudo apt-get install chromium
(on macOS, point ACTLIB_CHROMIUM at your Chromium or Chrome binary).
MSG
exit 1
