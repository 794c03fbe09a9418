#!/bin/sh
# Debian's headless chromium with its driver (browser tests of `watcher serve`, Selenium) and
# poppler-utils (PDF checks of printed evidence), installed together so either user finds all three.
# Called by .ci/run; safe to run again (does nothing when all three are there).
set -eu

have_all() {
    [ -x /usr/bin/chromedriver ] && command -v chromium >/dev/null 2>&1 \
        && command -v pdftotext >/dev/null 2>&1
}

if have_all; then
    echo "install-chromium: chromium, chromedriver and poppler-utils found, nothing to do"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: chromium missing and apt-get unavailable; install chromium chromium-driver poppler-utils" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver poppler-utils fonts-dejavu-core

have_all || { echo "install-chromium: installed, but chromium or chromedriver still not found" >&2; exit 1; }
echo "install-chromium: done"
