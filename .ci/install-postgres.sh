#!/bin/sh
# Make PostgreSQL's server binaries (initdb, pg_ctl) available for the tests marked `postgres`.
# The tests start their own throw-away cluster on 127.0.0.1; nothing is configured here.
# Called by .ci/run; safe to run again (does nothing when initdb is already there).
set -eu
. "$(dirname "$0")/lib/apt.sh"

have_initdb() {
    command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if have_initdb; then
    echo "install-postgres: initdb found, nothing to do"
    exit 0
fi
# Debian's package also creates the `postgres` user the tests run the server as when CI is root.
apt_install postgres postgresql
# The package's own cluster is not needed: tests use initdb in a temp dir on a free port.
sh -c 'command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop || true; done' || true

have_initdb || { echo "install-postgres: postgresql installed but initdb still not found" >&2; exit 1; }
echo "install-postgres: done"
