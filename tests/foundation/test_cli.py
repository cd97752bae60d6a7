"""The ``almanac`` CLI against the test database: user create/token, migrate, schema export."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

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
    database = database_url.rsplit("/", 1)[1]
    asyncio.run(_admin_in(database, f"DELETE FROM users WHERE email = '{address}'"))


async def _admin_in(database: str, sql: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from tests.conftest import PG_ADMIN_URL

    engine = create_async_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}", poolclass=NullPool)
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

    assert bad_role.returncode == 1 and "unknown role" in bad_role.stderr
    assert unknown.returncode == 1 and "no active user" in unknown.stderr and unknown.stdout == ""


def test_migrate_is_idempotent_on_a_migrated_database(database_url: str) -> None:
    result = almanac(database_url, "migrate")
    assert result.returncode == 0, result.stderr
    assert "migrated to head" in result.stdout
