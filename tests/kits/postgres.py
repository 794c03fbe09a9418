"""A throw-away PostgreSQL cluster for tests: initdb + pg_ctl in a temp dir on 127.0.0.1.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (made
by Debian's package) or `nobody`. Missing binaries or a server that will not start fail the
tests loudly: CI must run them (`.ci/install-postgres.sh` installs the package).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

INSTALL_HINT = "install the server with .ci/install-postgres.sh (Debian package `postgresql`)"


class ClusterError(RuntimeError):
    """The test server could not be set up."""


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl (newest Debian version first, then $PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version, reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(found)
    for path in candidates:
        bindir = Path(path).resolve().parent
        if (bindir / "pg_ctl").exists():
            return bindir
    raise ClusterError(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}")


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_user() -> str | None:
    """Who runs the server: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ClusterError("running as root and neither a `postgres` nor a `nobody` user exists")


class PgCluster:
    """One running server; `create_database` hands out a fresh database per test."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.user = server_user()
        self.base = Path(tempfile.mkdtemp(prefix="watcher-pg-"))
        self.datadir = self.base / "data"
        self.logfile = self.base / "server.log"
        self.port = free_port()
        self.superuser = "watcher"
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chown(self.base, record.pw_uid, record.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(
            command, check=False, capture_output=True, text=True, timeout=120, cwd=self.base
        )

    def start(self) -> None:
        init = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            self.superuser,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        if init.returncode != 0:
            raise ClusterError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        started = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        if started.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise ClusterError(f"pg_ctl start failed: {started.stderr.strip()} {log}")

    def stop(self) -> None:
        if self.datadir.exists():
            self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.superuser} dbname=postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
