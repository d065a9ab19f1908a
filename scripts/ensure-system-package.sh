#!/usr/bin/env bash
# Make sure a program (or a file) the build or the tests need is installed, from Debian packages
# when run as root: ensure-system-package.sh <program or path> <package>...
#   ensure-system-package.sh "${ACTLIB_CHROMIUM:-/usr/bin/chromium}" chromium   (browser tests)
#   ensure-system-package.sh node nodejs npm                                    (math typesetting)
#   ensure-system-package.sh /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc fonts-noto-cjk
#                                                            (Chinese figures, Chinese screenshots)
set -euo pipefail
program="$1"
shift
if [ -x "$program" ] || { [[ "$program" == */* ]] && [ -f "$program" ]; } \
  || command -v "$program" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "$program not found: installing the Debian package(s) $*..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  exit 0
fi
cat >&2 <<MSG
$program is needed but not installed. Install it as root, e.g. on Debian/Ubuntu:
  sudo apt-get install $*
(Chromium for the browser tests may also be any Chromium/Chrome binary named by ACTLIB_CHROMIUM.)
MSG
exit 1
