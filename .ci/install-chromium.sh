#!/bin/sh
# Debian's headless chromium with its driver (browser tests of `watcher serve`, Selenium) and
# poppler-utils (PDF checks of printed evidence), installed together so either user finds all three.
# Called by .ci/run; safe to run again (does nothing when all three are there).
set -eu
. "$(dirname "$0")/lib/apt.sh"

have_all() {
    [ -x /usr/bin/chromedriver ] && command -v chromium >/dev/null 2>&1 \
        && command -v pdftotext >/dev/null 2>&1
}

if have_all; then
    echo "install-chromium: chromium, chromedriver and poppler-utils found, nothing to do"
    exit 0
fi
apt_install chromium chromium chromium-driver poppler-utils fonts-dejavu-core
have_all || { echo "install-chromium: installed, but chromium or chromedriver still not found" >&2; exit 1; }
echo "install-chromium: done"
