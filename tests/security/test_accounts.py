"""Hole 9: passwords can be changed and users deactivated (their tokens stop working at once)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from unittest.mock import ANY

import httpx
import pytest

from db.engine import make_engine, make_sessionmaker
from db.enums import Role
from schema.core.ids import to_global_id
from server.viewer import UserCache, user_for_token
from tests.conftest import DEFAULT_PASSWORD, SECRET, GraphQL, UserFactory, token_for
from tests.foundation.test_cli import _admin_in

CHANGE = """mutation C($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) { user { name } errors { code field } token }
}"""
RESET = """mutation R($id: ID!, $new: String!) {
  resetPassword(input: {userId: $id, newPassword: $new}) { user { name } errors { code field } token }
}"""
ACTIVE = """mutation A($id: ID!, $active: Boolean!) {
  setUserActive(input: {userId: $id, active: $active}) { user { name isActive } errors { code field } }
}"""
LOGIN = "mutation L($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }"


async def signs_in(gql: GraphQL, email: str, password: str) -> bool:
    return (await gql(LOGIN, {"e": email, "p": password}))["data"]["login"]["token"] is not None


async def test_a_user_changes_their_password_with_the_current_one(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user(Role.STAFF, name="Ana")
    wrong = await gql(CHANGE, {"current": "not it at all", "new": "a new long password"}, user=user)
    assert wrong["data"]["changePassword"] == {"user": None, "token": None, "errors": [
        {"code": "PERMISSION_DENIED", "field": "input.currentPassword"}]}
    short = await gql(CHANGE, {"current": DEFAULT_PASSWORD, "new": "short"}, user=user)
    assert short["data"]["changePassword"]["errors"] == [{"code": "VALIDATION", "field": "input.newPassword"}]
    done = await gql(CHANGE, {"current": DEFAULT_PASSWORD, "new": "a new long password"}, user=user)
    assert done["data"]["changePassword"] == {"user": {"name": "Ana"}, "errors": [], "token": ANY}
    assert await signs_in(gql, user.email, "a new long password")
    assert not await signs_in(gql, user.email, DEFAULT_PASSWORD)


ME = "{ me { name } }"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_password_change_revokes_the_tokens_issued_before_it(
    gql: GraphQL, client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    # given a user with a token, signed in
    user = await make_user(Role.STAFF, name="Cy")
    old = token_for(user)
    assert (await gql(ME, user=user))["data"] == {"me": {"name": "Cy"}}
    # when they change their password
    done = await gql(CHANGE, {"current": DEFAULT_PASSWORD, "new": "a new long password"}, user=user)
    assert done["data"]["changePassword"]["errors"] == []
    # then the old token names nobody: a typed refusal, not another user's view or a 500
    refused = (await client.post("/graphql", json={"query": ME}, headers=bearer(old))).json()
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # and the token the mutation answered works, as does one from signing in again
    fresh = (await gql(LOGIN, {"e": user.email, "p": "a new long password"}))["data"]["login"]["token"]
    for token in (done["data"]["changePassword"]["token"], fresh):
        answer = (await client.post("/graphql", json={"query": ME}, headers=bearer(token))).json()
        assert answer == {"data": {"me": {"name": "Cy"}}}


async def test_an_admin_reset_revokes_the_user_s_tokens(
    gql: GraphQL, client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    admin, target = await make_user(Role.ADMIN), await make_user(Role.STAFF)
    old = token_for(target)
    reset = await gql(RESET, {"id": to_global_id("User", target.id), "new": "reset by the admin"}, user=admin)
    assert reset["data"]["resetPassword"] == {"user": {"name": target.name}, "errors": [], "token": None}
    refused = (await client.post("/graphql", json={"query": ME}, headers=bearer(old))).json()
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await gql(ME, user=admin))["data"] == {"me": {"name": admin.name}}  # the admin's own token is untouched


async def test_only_an_admin_resets_a_password(gql: GraphQL, make_user: UserFactory) -> None:
    admin, staff, target = await make_user(Role.ADMIN), await make_user(Role.MANAGER), await make_user(Role.STAFF)
    variables = {"id": to_global_id("User", target.id), "new": "reset by the admin"}
    refused = await gql(RESET, variables, user=staff)
    assert refused["data"]["resetPassword"]["errors"] == [{"code": "PERMISSION_DENIED", "field": None}]
    assert (await gql(RESET, variables, user=admin))["data"]["resetPassword"]["errors"] == []
    assert await signs_in(gql, target.email, "reset by the admin")


async def test_a_deactivated_user_s_token_stops_working_at_once(gql: GraphQL, make_user: UserFactory) -> None:
    admin, target = await make_user(Role.ADMIN), await make_user(Role.STAFF, name="Ben")
    assert (await gql("{ me { name } }", user=target))["data"] == {"me": {"name": "Ben"}}
    off = await gql(ACTIVE, {"id": to_global_id("User", target.id), "active": False}, user=admin)
    assert off["data"]["setUserActive"] == {"user": {"name": "Ben", "isActive": False}, "errors": []}
    refused = await gql("{ me { name } }", user=target)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not await signs_in(gql, target.email, DEFAULT_PASSWORD)
    on = await gql(ACTIVE, {"id": to_global_id("User", target.id), "active": True}, user=admin)
    assert on["data"]["setUserActive"]["errors"] == []
    assert (await gql("{ me { name } }", user=target))["data"] == {"me": {"name": "Ben"}}


async def test_an_admin_cannot_deactivate_themself(gql: GraphQL, make_user: UserFactory) -> None:
    admin = await make_user(Role.ADMIN)
    body = await gql(ACTIVE, {"id": to_global_id("User", admin.id), "active": False}, user=admin)
    assert body["data"]["setUserActive"]["errors"] == [{"code": "VALIDATION", "field": "input.active"}]


def almanac(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "ALMANAC_SECRET_KEY": SECRET, "ALMANAC_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, capture_output=True, text=True,
                          input=stdin, timeout=120)


async def signed_in_names(database_url: str, tokens: list[str]) -> list[str | None]:
    """Whom each token signs in as, looked up as a server does (no cache)."""
    engine = make_engine(database_url, pool_size=1)
    try:
        users = [await user_for_token(token, secret=SECRET, cache=UserCache(0), sessionmaker=make_sessionmaker(engine))
                 for token in tokens]
    finally:
        await engine.dispose()
    return [user.name if user is not None else None for user in users]


@pytest.fixture
def email(database_url: str) -> Iterator[str]:
    address = f"pw-{uuid.uuid4().hex[:8]}@example.org"
    yield address
    asyncio.run(_admin_in(database_url.rsplit("/", 1)[1], f"DELETE FROM users WHERE email = '{address}'"))


def test_the_cli_sets_a_password_read_from_stdin(database_url: str, email: str) -> None:
    created = almanac(database_url, "user", "create", "--email", email, "--name", "P", "--role", "STAFF",
                      "--password", "first password")
    assert created.returncode == 0, created.stderr
    old = almanac(database_url, "user", "token", email).stdout.strip()
    changed = almanac(database_url, "user", "password", email, "--stdin", stdin="second password\n")
    assert changed.returncode == 0, changed.stderr
    new = almanac(database_url, "user", "token", email).stdout.strip()
    assert asyncio.run(signed_in_names(database_url, [old, new])) == [None, "P"]  # the old token was revoked
    assert "second password" not in changed.stdout + changed.stderr
    too_short = almanac(database_url, "user", "password", email, "--stdin", stdin="short\n")
    assert too_short.returncode == 1 and "at least 8" in too_short.stderr
    unknown = almanac(database_url, "user", "password", "nobody@example.org", "--stdin", stdin="second password\n")
    assert unknown.returncode == 1 and "no user" in unknown.stderr
    off = almanac(database_url, "user", "active", email, "off")
    assert off.returncode == 0 and "deactivated" in off.stdout
    assert almanac(database_url, "user", "token", email).returncode == 1
