"""Hole 9: production safety settings (secret key, check, CORS, proxies, GraphiQL)."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.cli import main
from server.deploy_check import UnsafeSettings, deployment_findings
from server.settings import DEVELOPMENT_SECRET_KEY, Settings
from tests.conftest import REDIS_URL, SECRET

SAFE = {"ALMANAC_SECRET_KEY": SECRET, "REDIS_URL": REDIS_URL, "ALMANAC_GRAPHIQL": False,
        "ALMANAC_INTROSPECTION": False, "ALMANAC_PUBLIC_URL": "https://almanac.example.gov"}


def test_a_deployment_on_the_development_key_refuses_to_start() -> None:
    from server.app import create_app

    with pytest.raises(UnsafeSettings, match="ALMANAC_SECRET_KEY: is the public development key"):
        create_app(Settings(DATABASE_URL="postgresql+asyncpg://db/almanac"))
    with pytest.raises(UnsafeSettings, match="at least 32"):
        create_app(Settings(DATABASE_URL="postgresql+asyncpg://db/almanac", ALMANAC_SECRET_KEY="short"))


def test_embedded_development_starts_on_the_development_key() -> None:
    from server.app import create_app

    assert Settings().secret_key == DEVELOPMENT_SECRET_KEY
    create_app(Settings(DATABASE_URL=None))


def test_serve_prints_the_reason_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/almanac")
    monkeypatch.delenv("ALMANAC_SECRET_KEY", raising=False)
    from server.settings import get_settings

    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(["serve"])
    finally:
        get_settings.cache_clear()
    assert exit_info.value.code == 1
    assert "refusing to start" in capsys.readouterr().err


def test_check_lists_every_unsafe_setting_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/almanac")
    monkeypatch.setenv("ALMANAC_CORS_ORIGINS", "*")
    monkeypatch.setenv("ALMANAC_TRUSTED_PROXIES", "0.0.0.0/0")
    monkeypatch.setenv("ALMANAC_RATE_LIMIT", "off")
    from server.settings import get_settings

    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(["check"])
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert exit_info.value.code == 1
    for name in ("ALMANAC_SECRET_KEY", "ALMANAC_CORS_ORIGINS", "ALMANAC_TRUSTED_PROXIES", "ALMANAC_RATE_LIMIT",
                 "ALMANAC_GRAPHIQL", "ALMANAC_INTROSPECTION", "REDIS_URL", "ALMANAC_PUBLIC_URL"):
        assert name in out


def test_a_hardened_deployment_has_no_findings() -> None:
    assert deployment_findings(Settings(DATABASE_URL="postgresql+asyncpg://db/almanac", **SAFE)) == []


async def started(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    from server.app import create_app

    return create_app(settings, sessionmaker=sessionmaker, redis=Redis.from_url(REDIS_URL))


@pytest.fixture
async def hardened(database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
                   ) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(DATABASE_URL=database_url, ALMANAC_REDIS_NAMESPACE=f"t-{uuid.uuid4().hex[:8]}",
                        ALMANAC_CORS_ORIGINS="https://app.example.gov", ALMANAC_TRUSTED_PROXIES="10.0.0.1",
                        ALMANAC_RATE_LIMIT="2/minute", **SAFE)
    app = await started(settings, sessionmaker)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_graphiql_and_introspection_can_be_turned_off(hardened: httpx.AsyncClient) -> None:
    page = await hardened.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404 and page.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    response = await hardened.post("/graphql", json={"query": "{ __schema { types { name } } }"},
                                   headers={"x-forwarded-for": "192.0.2.1"})
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "introspection" in response.json()["errors"][0]["message"].lower()


async def test_cors_allows_only_the_configured_origins(hardened: httpx.AsyncClient) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "authorization"}
    allowed = await hardened.options("/graphql", headers={"origin": "https://app.example.gov", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.gov"
    refused = await hardened.options("/graphql", headers={"origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers


async def test_forwarded_for_counts_only_from_a_trusted_proxy(
    hardened: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Two anonymous operations a minute per client: behind the trusted proxy each client has its own."""
    for client_ip in ("192.0.2.1", "192.0.2.2"):
        for _ in range(2):
            ok = await hardened.post("/graphql", json={"query": "{ __typename }"},
                                     headers={"x-forwarded-for": client_ip})
            assert ok.status_code == 200, ok.text
    direct_settings = Settings(DATABASE_URL=settings.database_url, ALMANAC_SECRET_KEY=SECRET, REDIS_URL=REDIS_URL,
                               ALMANAC_RATE_LIMIT="2/minute", ALMANAC_REDIS_NAMESPACE=f"t-{uuid.uuid4().hex[:8]}")
    app = await started(direct_settings, sessionmaker)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            codes = [(await http.post("/graphql", json={"query": "{ __typename }"},
                                      headers={"x-forwarded-for": f"192.0.2.{i}"})).status_code for i in range(3)]
    assert codes == [200, 200, 429]
