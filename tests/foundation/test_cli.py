"""The ``almanac`` CLI against the test database: user create/token, migrate, schema export."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url

from server.auth import user_id_from_token
from tests.conftest import SECRET


def almanac(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "ALMANAC_SECRET_KEY": SECRET, "ALMANAC_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def email(database_url: str) -> Iterator[str]:
    address = f"cli-{uuid.uuid4().hex[:8]}@example.org"
    yield address
    database = str(make_url(database_url).database)
    asyncio.run(_admin_in(database, f"DELETE FROM users WHERE email = '{address}'"))


async def _admin_in(database: str, sql: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from tests.bare_machine import database_named
    from tests.conftest import PG_ADMIN_URL

    engine = create_async_engine(database_named(PG_ADMIN_URL, database), poolclass=NullPool)
    async with engine.begin() as conn:
        await conn.exec_driver_sql(sql)
    await engine.dispose()


def test_user_create_then_token_then_duplicate(database_url: str, email: str) -> None:
    created = almanac(database_url, "user", "create", "--email", email, "--name", "Cli User", "--role", "manager",
                      "--password", "long-enough-password")
    assert created.returncode == 0, created.stderr
    assert f"<{email}> as MANAGER" in created.stdout

    token = almanac(database_url, "user", "token", email)
    assert token.returncode == 0, token.stderr
    lines = token.stdout.splitlines()
    assert len(lines) == 1 and user_id_from_token(lines[0], SECRET) is not None

    duplicate = almanac(database_url, "user", "create", "--email", email.upper(), "--name", "Again", "--role", "STAFF",
                        "--password", "long-enough-password")
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr


def test_bad_role_and_unknown_user_fail_clearly(database_url: str) -> None:
    bad_role = almanac(database_url, "user", "create", "--email", "x@example.org", "--name", "X", "--role", "KING",
                       "--password", "long-enough-password")
    unknown = almanac(database_url, "user", "token", "nobody@example.org")

    assert bad_role.returncode == 2 and "invalid choice: 'KING'" in bad_role.stderr
    assert "'ADMIN', 'MANAGER', 'STAFF', 'VIEWER'" in bad_role.stderr
    assert unknown.returncode == 1 and "no active user" in unknown.stderr and unknown.stdout == ""


def test_migrate_is_idempotent_on_a_migrated_database(database_url: str) -> None:
    result = almanac(database_url, "migrate")
    assert result.returncode == 0, result.stderr
    assert "migrated to head" in result.stdout


def test_every_option_of_every_command_is_explained_in_help(database_url: str) -> None:
    import argparse

    from server.cli import build_parser

    undocumented = []
    parsers = [("almanac", build_parser())]
    while parsers:
        name, parser = parsers.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend((f"{name} {sub}", p) for sub, p in action.choices.items())
            elif not action.help:
                undocumented.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert undocumented == []

    role_help = almanac(database_url, "user", "create", "--help")
    assert role_help.returncode == 0 and "ADMIN" in role_help.stdout and "VIEWER" in role_help.stdout


def test_version_is_printed(database_url: str) -> None:
    from importlib.metadata import version

    result = almanac(database_url, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"almanac {version('almanac')}"


def test_bad_dates_are_explained_without_a_traceback(database_url: str) -> None:
    yesterday = almanac(database_url, "ics", "export", "--start", "yesterday", "--end", "2026-02-01")
    backwards = almanac(database_url, "ics", "export", "--start", "2026-02-01", "--end", "2026-01-01")

    assert yesterday.returncode == 2 and "'yesterday' is not an ISO date" in yesterday.stderr
    assert backwards.returncode == 1 and backwards.stderr == "almanac: --end must be after --start\n"
    assert "Traceback" not in yesterday.stderr + backwards.stderr


def test_an_unreachable_database_is_one_line_not_a_traceback() -> None:
    result = almanac("postgresql+asyncpg://postgres@127.0.0.1:1/none", "user", "token", "a@example.org")

    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("almanac: cannot reach a service") and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_logs_go_to_stderr_and_stdout_holds_only_the_token(database_url: str, email: str) -> None:
    """INFO logging on (as in the default setup), JSON too: stdout is still just the token."""
    almanac(database_url, "user", "create", "--email", email, "--name", "Token Reader", "--role", "staff",
            "--password", "long-enough-password")
    env = {**os.environ, "DATABASE_URL": database_url, "ALMANAC_SECRET_KEY": SECRET,
           "ALMANAC_LOG_LEVEL": "DEBUG", "ALMANAC_LOG_JSON": "true"}
    result = subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env=env, capture_output=True,
                            text=True, timeout=120)
    token = subprocess.run([sys.executable, "-m", "server.cli", "user", "token", email], env=env,
                           capture_output=True, text=True, timeout=120)

    assert token.returncode == 0, token.stderr
    assert user_id_from_token(token.stdout.strip(), SECRET) is not None and token.stdout.count("\n") == 1
    assert result.stdout == "migrated to head\n"
    import json

    log_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert log_lines, "Alembic logged nothing at DEBUG"
    assert all(json.loads(line)["event"] for line in log_lines), result.stderr  # one pipeline, all JSON


