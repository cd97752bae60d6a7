"""Hole 7: sign-in takes the same work for every email, and its limits cannot lock the owner out."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import server.auth as auth_module
from db.enums import Role
from server.settings import Settings
from tests.conftest import DEFAULT_PASSWORD, REDIS_URL, SECRET, UserFactory

LOGIN = "mutation L($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token errors { code } } }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Three failed sign-ins a minute per account and address, five per address."""
    return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                    ALMANAC_LOGIN_RATE_LIMIT="3/minute", ALMANAC_LOGIN_IP_RATE_LIMIT="5/minute",
                    ALMANAC_REDIS_NAMESPACE=f"t-{uuid.uuid4().hex[:8]}")


Login = Callable[..., Any]


@pytest.fixture
def login_from(app: Any, session: AsyncSession) -> Callable[[str], Any]:
    """``async with login_from("192.0.2.7") as login: await login(email, password)`` -> the error code or "OK"."""

    @asynccontextmanager
    async def opened(address: str) -> AsyncIterator[Login]:
        await session.flush()
        transport = httpx.ASGITransport(app=app, client=(address, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            async def login(email: str, password: str) -> str:
                response = await http.post("/graphql", json={"query": LOGIN, "variables": {"e": email, "p": password}})
                payload = response.json()["data"]["login"]
                return "OK" if payload["token"] else str(payload["errors"][0]["code"])

            yield login

    return opened


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The password hashes argon2 verified, in order."""
    seen: list[str] = []
    real = auth_module.verify_password

    def counting(password_hash: str, password: str) -> bool:
        seen.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(auth_module, "verify_password", counting)
    return seen


async def test_an_unknown_email_costs_one_argon2_verification_like_a_known_one(
    login_from: Callable[[str], Any], make_user: UserFactory, verifications: list[str]
) -> None:
    user = await make_user(Role.STAFF)
    async with login_from("192.0.2.1") as login:
        assert await login("nobody-" + user.email, "wrong password") == "INVALID_CREDENTIALS"
        assert await login(user.email, "wrong password") == "INVALID_CREDENTIALS"
    assert len(verifications) == 2
    assert verifications[0] == auth_module.dummy_password_hash()
    assert verifications[1] == user.password_hash


async def test_a_guesser_elsewhere_cannot_lock_the_owner_out(
    login_from: Callable[[str], Any], make_user: UserFactory, verifications: list[str]
) -> None:
    user = await make_user(Role.STAFF)
    async with login_from("198.51.100.9") as attacker:
        assert [await attacker(user.email, f"guess {i}") for i in range(5)] == ["INVALID_CREDENTIALS"] * 3 + [
            "RATE_LIMITED"] * 2
    assert len(verifications) == 3  # refused guesses cost no argon2 work
    async with login_from("192.0.2.20") as owner:
        assert await owner(user.email, DEFAULT_PASSWORD) == "OK"


async def test_a_success_clears_the_owner_s_failures(login_from: Callable[[str], Any], make_user: UserFactory) -> None:
    user = await make_user(Role.STAFF)
    async with login_from("192.0.2.30") as login:
        outcomes = [await login(user.email, "typo 1"), await login(user.email, "typo 2"),
                    await login(user.email, DEFAULT_PASSWORD), await login(user.email, "typo 3"),
                    await login(user.email, "typo 4"), await login(user.email, DEFAULT_PASSWORD)]
    assert outcomes == ["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "OK", "INVALID_CREDENTIALS", "INVALID_CREDENTIALS",
                        "OK"]


async def test_one_address_cannot_spray_many_emails(login_from: Callable[[str], Any]) -> None:
    async with login_from("203.0.113.5") as login:
        outcomes = [await login(f"someone-{i}@example.org", "password1") for i in range(7)]
    assert outcomes == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 2


async def test_aliased_logins_in_one_request_each_count(
    client: httpx.AsyncClient, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user(Role.STAFF)
    await session.flush()
    query = "mutation { " + " ".join(
        f'l{i}: login(input: {{email: "{user.email}", password: "guess {i}"}}) {{ errors {{ code }} }}'
        for i in range(5)) + " }"
    data = (await client.post("/graphql", json={"query": query})).json()["data"]
    codes = [data[f"l{i}"]["errors"][0]["code"] for i in range(5)]  # mutations run one after another
    assert codes == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 2
