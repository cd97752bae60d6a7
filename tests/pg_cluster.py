"""A private PostgreSQL cluster for tests that need server settings the shared one lacks.

``pg_stat_statements`` must be in ``shared_preload_libraries``, which needs a restart: so
the test gets its own short-lived cluster from the system's PostgreSQL binaries (initdb
refuses to run as root, hence ``runuser -u postgres``), listening on a free TCP port of
127.0.0.1 and stopped (its files removed) afterwards.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def private_cluster(port: int, *settings: str) -> Iterator[str]:
    """Yield ``postgresql+asyncpg://postgres@127.0.0.1:<port>/postgres`` of a fresh cluster."""
    bin_dir = _binaries()
    if bin_dir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("no PostgreSQL server binaries to start a private cluster")
    root = Path(tempfile.mkdtemp(prefix="almanac-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    try:
        subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
                       check=True, capture_output=True)
        options = " ".join(f"-c {s}" for s in (f"port={port}", "listen_addresses=127.0.0.1",
                                                 f"unix_socket_directories={sockets}", *settings))
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                                     str(root / "log"), "start"]), check=True, capture_output=True)
        try:
            yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                           capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
