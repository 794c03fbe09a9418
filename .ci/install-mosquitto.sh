#!/bin/sh
# Make Debian's mosquitto broker available for the tests in tests/mqtt/.
# The tests start their own broker on a free 127.0.0.1 port with their own config; the package's
# service is not used. Called by .ci/run; safe to run again (does nothing when mosquitto is there).
set -eu

if [ -x /usr/sbin/mosquitto ]; then
    echo "install-mosquitto: /usr/sbin/mosquitto found, nothing to do"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-mosquitto: mosquitto missing and apt-get unavailable; install Debian's mosquitto" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends mosquitto
# Debian may start its own broker on port 1883; the tests never use it, so stop it if it runs.
if command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi
