#!/bin/sh
# Debian's headless chromium (prints `watcher evidence --pdf`) and poppler-utils (pdftoppm, pdftotext:
# the tests turn the printed PDF back into text and images). Called by .ci/run; safe to run again.
set -eu

if [ -x /usr/bin/chromium ] && command -v pdftoppm >/dev/null 2>&1; then
    echo "install-chromium: chromium and pdftoppm found, nothing to do"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: chromium or poppler-utils missing and apt-get unavailable" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium poppler-utils fonts-dejavu-core

[ -x /usr/bin/chromium ] || { echo "install-chromium: chromium installed but /usr/bin/chromium missing" >&2; exit 1; }
echo "install-chromium: done"
