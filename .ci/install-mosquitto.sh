#!/bin/sh
# Make Debian's mosquitto broker available for the tests in tests/mqtt/.
# The tests start their own broker on a free 127.0.0.1 port with their own config; the package's
# service is not used. Called by .ci/run; safe to run again (does nothing when mosquitto is there).
set -eu
. "$(dirname "$0")/lib/apt.sh"

if [ -x /usr/sbin/mosquitto ]; then
    echo "install-mosquitto: /usr/sbin/mosquitto found, nothing to do"
    exit 0
fi
apt_install mosquitto mosquitto
# Debian may start its own broker on port 1883; the tests never use it, so stop it if it runs.
if command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi
